import _DiDKitParallel
import Distributions

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
/// `(seed, b)`; replications run in parallel chunks and are combined in index order. Every call
/// with the same seed reuses the same draws (common random numbers across tables).
///
/// Complexity: `O(B G J)` time for `B` replications, `G` clusters and `J` estimators; `O(B J)` memory.
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

    func run(_ psis: [[Double]], variance: InfluenceVariance, level: Double) -> Result {
        let j = psis.count
        let g = variance.clusters == nil ? variance.units : variance.clusterCount
        // Cluster sums row-major (`flat[c * j + a]`), so each draw updates `j` contiguous values.
        var flat = [Double](repeating: 0, count: g * j)
        for (a, psi) in psis.enumerated() {
            for (c, v) in variance.clusterSums(psi).enumerated() { flat[c * j + a] = v }
        }
        let sums = flat
        let n = Double(variance.units)
        let scale = n.squareRoot() / n
        var master = SplitMix64(seed: seed)
        let seeds = (0..<replications).map { _ in master.next() }
        let kind = weights
        let chunk = 64
        let chunks = (replications + chunk - 1) / chunk
        let progress = ProgressCounter(step: "multiplier bootstrap (\(replications) draws)", total: replications)
        let parts: [[[Double]]] = parallelMap(count: chunks) { c in
            var out: [[Double]] = []
            for b in (c * chunk)..<Swift.min(replications, (c + 1) * chunk) {
                var rng = SplitMix64(seed: seeds[b])
                var t = [Double](repeating: 0, count: j)
                for cl in 0..<g {
                    let v = Self.draw(kind, &rng)
                    let row = cl * j
                    for a in 0..<j { t[a] += v * sums[row + a] }
                }
                out.append(t.map { $0 * scale })
            }
            progress.add(out.count)
            return out
        }
        let draws = parts.flatMap { $0 }
        let qn = Normal.quantile(0.75) - Normal.quantile(0.25)
        var sigma = [Double?](repeating: nil, count: j)
        for a in 0..<j {
            let column = draws.map { $0[a] }.sorted()
            let s = (Self.quantileType1(column, 0.75) - Self.quantileType1(column, 0.25)) / qn
            sigma[a] = s.isFinite && s > 10 * Double.ulpOfOne.squareRoot() ? s : nil
        }
        var maxima: [Double] = []
        if sigma.contains(where: { $0 != nil }) {
            for t in draws {
                var m = 0.0
                for a in 0..<j { if let s = sigma[a] { m = Swift.max(m, Swift.abs(t[a]) / s) } }
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

    static func draw(_ kind: MultiplierWeights, _ rng: inout SplitMix64) -> Double {
        let u = rng.uniform()
        switch kind {
        case .mammen:
            let r5 = 5.0.squareRoot()
            return u < (r5 + 1) / (2 * r5) ? (1 - r5) / 2 : (1 + r5) / 2
        case .rademacher:
            return u < 0.5 ? -1 : 1
        }
    }
}
