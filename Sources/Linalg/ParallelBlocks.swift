import CLAPACK
import Dispatch
import _DiDKitParallel

/// A fixed partition of `0..<count` into contiguous row blocks, grouped into
/// stripes that run in parallel.
///
/// The partition depends only on `count` and `blockSize`, never on the number
/// of threads, and partial results are combined in stripe order, so a reduction
/// gives bit-identical results on 1 or many cores.
public struct RowBlocks: Sendable {
    /// Total number of rows.
    public let count: Int
    /// Rows per block (the last block may be shorter).
    public let blockSize: Int

    /// Default block size: 4096 rows keeps a 40-column double block (~1.3 MB) in L2/L3.
    public static let defaultBlockSize = 4096

    public init(count: Int, blockSize: Int = RowBlocks.defaultBlockSize) {
        precondition(count >= 0 && blockSize > 0, "RowBlocks: bad sizes")
        self.count = count
        self.blockSize = blockSize
    }

    /// Number of blocks.
    public var blockCount: Int { (count + blockSize - 1) / blockSize }

    /// The rows of block `b`.
    public func block(_ b: Int) -> Range<Int> {
        let lo = b * blockSize
        return lo..<Swift.min(count, lo + blockSize)
    }

    /// Number of stripes: at most 32, fixed by `count` alone.
    public var stripeCount: Int { Swift.max(1, Swift.min(32, blockCount)) }

    /// The blocks of stripe `s` (contiguous).
    public func blocks(ofStripe s: Int) -> Range<Int> {
        let n = blockCount, k = stripeCount
        return (s * n / k)..<((s + 1) * n / k)
    }

    /// Maps each stripe's row ranges to a result, in parallel, returning the
    /// results in stripe order.
    public func stripes<T: Sendable>(_ body: @Sendable (_ rowBlocks: [Range<Int>]) -> T) -> [T] {
        _ = blasRunsSingleThreaded
        return parallelMap(count: stripeCount) { s in body(blocks(ofStripe: s).map { block($0) }) }
    }
}

/// DiDKit parallelises over row blocks itself, one BLAS call per block per
/// core; OpenBLAS's own threads on top of that oversubscribe the cores (each
/// small `dsyrk` then spends its time spinning in `sched_yield`). The first
/// row-block reduction therefore sets OpenBLAS to one thread for the process;
/// the BLAS calls DiDKit makes outside row blocks are on `p x p` matrices,
/// where threads do not pay.
let blasRunsSingleThreaded: Void = openblas_set_num_threads(1)

/// Sets OpenBLAS to one thread for the rest of the process, for callers that run BLAS calls
/// on several cores themselves (``parallelMap`` over independent products). See ``blasRunsSingleThreaded``.
public func useSingleThreadedBLAS() { _ = blasRunsSingleThreaded }
