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
    /// (see ``InfluenceBasis``). Each stripe of blocks accumulates `V_block' S_block` (`dgemm`) for all
    /// replications; stripes are fixed by the cluster count and summed in order.
    func draws(blocks: RowBlocks, block: @Sendable (Range<Int>) -> Matrix, width: Int, units: Int) -> Matrix {
        var master = SplitMix64(seed: seed)
        let seeds = (0..<replications).map { _ in master.next() }
        let b = replications
        // The two-point weights as an integer threshold on the 53 bits `SplitMix64.uniform()` uses:
        // `Double(x) * 2^-53 < p` iff `x < ceil(p 2^53)` (x an integer below 2^53), so the draws are
        // exactly `uniform() < p ? low : high`.
        let (cut, low, high) = Self.twoPoint(weights)
        let progress = ProgressCounter(step: "multiplier bootstrap (\(replications) draws)", total: blocks.blockCount)
        let parts = blocks.stripes { ranges -> Matrix in
            var t = Matrix(rows: b, columns: width)
            for r in ranges {
                // v[u + U b]: draw number r.lowerBound + u of replication b's stream (SplitMix64 is
                // counter-based: advancing the state by c steps is adding c times its increment).
                let u = r.count
                var v = [Double](repeating: 0, count: u * b)
                v.withUnsafeMutableBufferPointer { out in
                    for rep in 0..<b {
                        var rng = SplitMix64(seed: seeds[rep] &+ UInt64(r.lowerBound) &* 0x9E37_79B9_7F4A_7C15)
                        let row = out.baseAddress! + u * rep
                        for a in 0..<u { row[a] = (rng.next() >> 11) < cut ? low : high }
                    }
                }
                t.addProduct(Matrix(rows: u, columns: b, columnMajor: v), transposeA: true, block(r))
                progress.add(1)
            }
            return t
        }
        var total = Matrix(rows: b, columns: width)
        for p in parts { total = total + p }
        let n = Double(units)
        return (n.squareRoot() / n) * total
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
