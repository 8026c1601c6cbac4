import _DiDKitParallel
import Distributions
import Linalg

/// R did's multiplier bootstrap (`mboot`) for a set of estimators with influence functions.
///
/// Replication `b` draws one weight `v_bc` per cluster (unit by default), mean 0 and variance 1
/// (Mammen or Rademacher), and forms `T_bj = sqrt(n) * (1/n) sum_c v_bc S_cj` (R did's
/// `bres = sqrt(n) * colMeans(v * inf.func)`; `S_cj` the cluster sums of `psi_j`). Then, per
/// estimator, `sigma_j = IQR_b(T_bj) / (q(0.75) - q(0.25))` (the robust scale of R did: quantile
/// type 1, normal quartiles), the bootstrap `SE_j = sigma_j / sqrt(n)`, and the simultaneous
/// critical value is the `level` quantile (type 1) of `max_j |T_bj| / sigma_j` over estimators
/// with `sigma_j > 10 sqrt(eps)` (degenerate ones, such as reference cells, are left out as in
/// `mboot`).
///
/// Reproducible regardless of the number of cores: replication `b` uses its own ``SplitMix64``
/// seeded with the `b`-th output of a SplitMix64 seeded with `seed`, so the draws depend only on
/// `(seed, b)` and the cluster's position; blocks of clusters run in parallel stripes fixed by the
/// cluster count and are combined in order. All tables of one estimation use the same draws
/// (common random numbers), as separate runs with one seed would.
///
/// Complexity: `O(B G w)` time for `B` replications, `G` clusters and `w` basis columns; `O(B w)` memory.
struct MultiplierBootstrap: Sendable {
    let replications: Int
    let seed: UInt64
    let weights: MultiplierWeights

    struct Result {
        /// Bootstrap SE per estimator (nil when degenerate).
        var standardErrors: [Double?]
        /// Simultaneous critical value (nil if no estimator is non-degenerate).
        var critical: Double?
    }

    /// `T` (`B x width`): `T_bj = sqrt(n)/n sum_c v_bc S_cj` over the cluster-sum blocks of a basis
    /// (see ``InfluenceBasis``).
    ///
    /// The weights take two values, `v_bc = low + (high - low) m_bc` with `m_bc` in {0, 1}, so
    /// `sum_c v_bc S_cj = low sum_c S_cj + (high - low) sum_{c: m_bc = 1} S_cj`. The second sum is
    /// formed by the "four Russians" device: per chunk of 8 clusters, the 256 subset sums of their rows
    /// of `S` are tabulated once, and each replication adds the one row its 8 draws select (`8 + B / 32`
    /// vector additions per cluster instead of `B` multiply-adds, no `n x B` weight matrix). The draws
    /// themselves are unchanged: replication `b`'s weight for cluster `c` is draw number `c` of its
    /// ``SplitMix64`` stream, `m_bc = 1` iff it is not below the two-point threshold. Stripes of blocks
    /// are fixed by the cluster count and summed in order (the same result on any number of cores).
    func draws(blocks: RowBlocks, block: @Sendable (Range<Int>) -> Matrix, width: Int, units: Int) -> Matrix {
        var master = SplitMix64(seed: seed)
        let seeds = (0..<replications).map { _ in master.next() }
        let b = replications
        // The two-point weights as an integer threshold on the 53 bits `SplitMix64.uniform()` uses:
        // `Double(x) * 2^-53 < p` iff `x < ceil(p 2^53)` (x an integer below 2^53), so the draws are
        // exactly `uniform() < p ? low : high`.
        let (cut, low, high) = Self.twoPoint(weights)
        // Rows of the tables and of the accumulator padded to an even length (whole SSE2 registers).
        let stride = (width + 1) & ~1
        let progress = ProgressCounter(step: "multiplier bootstrap (\(replications) draws)", total: blocks.blockCount)
        let parts = blocks.stripes { ranges -> (sums: [Double], picked: [Double]) in
            var sums = [Double](repeating: 0, count: width)
            var picked = [Double](repeating: 0, count: b * stride)
            let maxChunks = ((ranges.map(\.count).max() ?? 0) + 7) / 8
            var bits = [UInt8](repeating: 0, count: b * maxChunks)
            // Two chunks' subset sums side by side: `tables[h][e]`, h = 0, 1.
            var tables = [Double](repeating: 0, count: 2 * 256 * stride)
            // The block's rows of `S`, row-major (contiguous rows for the tables).
            var rowMajor = [Double](repeating: 0, count: (ranges.map(\.count).max() ?? 0) * stride)
            for r in ranges {
                let u = r.count
                let chunks = (u + 7) / 8
                Self.selections(bits: &bits, chunks: chunks, units: u, first: r.lowerBound, seeds: seeds, cut: cut)
                let s = block(r)
                s.storage.withUnsafeBufferPointer { sp in
                    for j in 0..<width {
                        var t = 0.0
                        for a in 0..<u { t += sp[a + j * u] }
                        sums[j] += t
                    }
                    rowMajor.withUnsafeMutableBufferPointer { rm in
                        for j in 0..<width { for a in 0..<u { rm[a * stride + j] = sp[a + j * u] } }
                    }
                    rowMajor.withUnsafeBufferPointer { rm in
                    tables.withUnsafeMutableBufferPointer { tb in
                        picked.withUnsafeMutableBufferPointer { pp in
                            bits.withUnsafeBufferPointer { bp in
                                var q = 0
                                while q < chunks {
                                    let pair = Swift.min(2, chunks - q)
                                    for h in 0..<pair {
                                        Self.tabulate(tb.baseAddress! + h * 256 * stride, rows: rm.baseAddress!, count: u,
                                                      first: 8 * (q + h), stride: stride)
                                    }
                                    Self.accumulate(tables: UnsafePointer(tb.baseAddress!), pair: pair, stride: stride,
                                                    bits: bp.baseAddress! + q, chunks: chunks, replications: b, into: pp.baseAddress!)
                                    q += pair
                                }
                            }
                        }
                    }
                    }
                }
                progress.add(1)
            }
            return (sums, picked)
        }
        var sums = [Double](repeating: 0, count: width)
        var picked = [Double](repeating: 0, count: b * stride)
        for p in parts {
            for j in 0..<width { sums[j] += p.sums[j] }
            for i in picked.indices { picked[i] += p.picked[i] }
        }
        let n = Double(units)
        let scale = n.squareRoot() / n
        var t = Matrix(rows: b, columns: width)
        for j in 0..<width {
            for rep in 0..<b { t[rep, j] = scale * (low * sums[j] + (high - low) * picked[rep * stride + j]) }
        }
        return t
    }

    /// `bits[rep * chunks + q]`: bit `e` set iff replication `rep`'s weight for cluster `first + 8 q + e`
    /// is the high one (its draw, number `first + 8 q + e` of the replication's stream, is not below `cut`).
    /// SplitMix64 is counter-based: advancing the state by `c` steps is adding `c` times its increment.
    static func selections(bits: inout [UInt8], chunks: Int, units u: Int, first: Int, seeds: [UInt64], cut: UInt64) {
        let full = u / 8
        bits.withUnsafeMutableBufferPointer { out in
            for rep in seeds.indices {
                var draws = HighDraws(state: seeds[rep] &+ UInt64(first) &* SplitMix64Constants.increment, cut: cut)
                let row = out.baseAddress! + chunks * rep
                for q in 0..<full {
                    // Branch-free (the bit is a coin flip), eight draws unrolled.
                    var byte: UInt64 = 0
                    for e in 0..<UInt64(8) { byte |= draws.next() << e }
                    row[q] = UInt8(truncatingIfNeeded: byte)
                }
                if full < chunks {
                    var byte: UInt64 = 0
                    for e in 0..<UInt64(u - 8 * full) { byte |= draws.next() << e }
                    row[full] = UInt8(truncatingIfNeeded: byte)
                }
            }
        }
    }

    /// The subset sums of rows `first ..< first + 8` (those below `count`) of a row-major block (rows `stride`
    /// apart, zero-padded): `table[e]` = the sum of the rows whose bits are set in `e` (each entry the entry
    /// without its lowest bit plus that row). Entries beyond the chunk's rows are not written (never selected).
    static func tabulate(_ table: UnsafeMutablePointer<Double>, rows: UnsafePointer<Double>, count u: Int, first: Int, stride: Int) {
        let members = Swift.min(8, u - first)
        for e in 1..<(1 << members) {
            let from = table + (e & (e - 1)) * stride, to = table + e * stride
            let row = rows + (first + e.trailingZeroBitCount) * stride
            for j in 0..<stride { to[j] = from[j] + row[j] }
        }
    }

    /// Adds to each replication's accumulator row the table entries its draws select, for one or two
    /// consecutive chunks (`tables` holds `pair` tables of 256 entries; `bits` points at the first chunk's
    /// byte of replication 0).
    static func accumulate(tables t: UnsafePointer<Double>, pair: Int, stride: Int, bits: UnsafePointer<UInt8>, chunks: Int,
                           replications b: Int, into acc: UnsafeMutablePointer<Double>) {
        if pair == 2 {
            let t2 = t + 256 * stride
            for rep in 0..<b {
                let e1 = Int(bits[rep * chunks]), e2 = Int(bits[rep * chunks + 1])
                let from1 = t + e1 * stride, from2 = t2 + e2 * stride, to = acc + rep * stride
                for j in 0..<stride { to[j] += from1[j] + from2[j] }
            }
        } else {
            for rep in 0..<b {
                let e = Int(bits[rep * chunks])
                if e == 0 { continue }
                let from = t + e * stride, to = acc + rep * stride
                for j in 0..<stride { to[j] += from[j] }
            }
        }
    }

    /// SEs and the simultaneous critical value of the estimates with basis coefficients `coefs`, from
    /// the draws `T`: `sigma_j = IQR_b((T c_j)_b) / (q(0.75) - q(0.25))`, `SE_j = sigma_j / sqrt(n)`,
    /// and the `level` quantile (type 1) of `max_j |(T c_j)_b| / sigma_j` over non-degenerate `j`.
    func summarize(_ t: Matrix, coefs: [[Double]], units: Int, level: Double) -> Result {
        let n = Double(units)
        let columns = coefs.map { t.multiply($0) }
        let qn = Normal.quantile(0.75) - Normal.quantile(0.25)
        let sigma: [Double?] = columns.map { col in
            let sorted = col.sorted()
            let s = (Self.quantileType1(sorted, 0.75) - Self.quantileType1(sorted, 0.25)) / qn
            return s.isFinite && s > 10 * Double.ulpOfOne.squareRoot() ? s : nil
        }
        var maxima: [Double] = []
        if sigma.contains(where: { $0 != nil }) {
            for rep in 0..<t.rows {
                var m = 0.0
                for (a, s) in sigma.enumerated() { if let s { m = Swift.max(m, Swift.abs(columns[a][rep]) / s) } }
                if m.isFinite { maxima.append(m) }
            }
        }
        maxima.sort()
        let crit = maxima.isEmpty ? nil : Self.quantileType1(maxima, level / 100)
        return Result(standardErrors: sigma.map { $0.map { $0 / n.squareRoot() } }, critical: crit)
    }

    /// R's `quantile(type = 1)` of sorted values: the `ceil(m p)`-th smallest (1-based).
    static func quantileType1(_ sorted: [Double], _ p: Double) -> Double {
        let m = sorted.count
        let k = Swift.min(m, Swift.max(1, Int((Double(m) * p - 1e-12).rounded(.up))))
        return sorted[k - 1]
    }

    /// `(ceil(p 2^53), low, high)`: the weight is `low` with probability `p`, else `high`.
    static func twoPoint(_ kind: MultiplierWeights) -> (UInt64, Double, Double) {
        switch kind {
        case .mammen:
            let r5 = 5.0.squareRoot()
            return (UInt64(((r5 + 1) / (2 * r5) * 0x1p53).rounded(.up)), (1 - r5) / 2, (1 + r5) / 2)
        case .rademacher:
            return (UInt64((0.5 * 0x1p53).rounded(.up)), -1, 1)
        }
    }
}

/// The constants of ``SplitMix64/next()`` (Steele, Lea & Flood 2014), for the inlined stream below.
enum SplitMix64Constants {
    static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let first: UInt64 = 0xBF58_476D_1CE4_E5B9
    static let second: UInt64 = 0x94D0_49BB_1331_11EB
}

/// A ``SplitMix64`` stream read only as "is `next() >> 11` at least `cut`" (1) or not (0), `cut < 2^53`.
///
/// `next()` returns `z = h ^ (h >> 31)`; bits 33-63 of `z` are those of `h` (the shift brings zeros
/// there), and they are the top 31 bits of `z >> 11`. So `z >> 11 >= cut` is decided by comparing
/// `h >> 33` with `cut >> 22`, except when they are equal (probability 2^-31), where the full `z` is
/// formed. The bits are exactly those of `SplitMix64(seed:).next()`, two operations cheaper per draw.
struct HighDraws {
    var state: UInt64
    let cut: UInt64
    let cutHigh: UInt64

    init(state: UInt64, cut: UInt64) {
        self.state = state
        self.cut = cut
        cutHigh = cut >> 22
    }

    @inline(__always) mutating func next() -> UInt64 {
        state &+= SplitMix64Constants.increment
        var h = state
        h = (h ^ (h >> 30)) &* SplitMix64Constants.first
        h = (h ^ (h >> 27)) &* SplitMix64Constants.second
        let top = h >> 33
        if _slowPath(top == cutHigh) { return ((h ^ (h >> 31)) >> 11) >= cut ? 1 : 0 }
        return top > cutHigh ? 1 : 0
    }
}
