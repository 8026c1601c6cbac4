import Foundation
import Linalg
import Regression

extension ETWFEFit {
    /// The cluster-robust covariance of a collapsed (cohort x period cell) logit fit, exactly as
    /// the person-year fit gives it (Stata's `logit, vce(cluster)`: `G/(G-1) I^-1 M I^-1`).
    ///
    /// Without covariates the design row `x_ct` and the fitted probability `p_ct` depend only on
    /// the cohort `c` and the period `t`, so a cluster's score is
    /// `u_G = sum_c [A_c Y_Gc - n_Gc q_c]` with `A_c = [x_c1 ... x_cT]`, `Y_Gc` the sum of the outcome
    /// vectors `y_i` of the cluster's units of cohort c, `n_Gc` their number and `q_c = sum_t x_ct p_ct`.
    /// Writing `u_G = B z_G` (`B = [A_1, -q_1, ..., A_C, -q_C]`, `z_G = [Y_G1; n_G1; ...]`), the meat is
    /// `M = B (sum_G z_G z_G') B'`: only the `(C (T+1))^2` moments of the `z_G` are summed over the data.
    /// Each unit its own cluster (the default): `sum_G z_G z_G'` is block-diagonal, cohort c's block
    /// the sum of `[y_i; 1][y_i; 1]'` over its units.
    ///
    /// Complexity: `O(n T^2)` for `n` units and `T` periods (person clusters), `O(G C^2 T^2)` otherwise;
    /// then `O(p^2 C T)`. Memory `O(C^2 T^2)` (person clusters) or `O(G C T)`.
    func collapsedClusterCovariance(_ f: BinaryModelFit) throws -> Matrix {
        let nT = panel.periodCount
        var position: [String: Int] = [:]
        for (j, name) in design.names.enumerated() { position[name] = j }
        let kept = f.names.compactMap { position[$0] }
        let p = kept.count
        // Cohorts present (cohortIndex -1 = the reference cohort) and a representative unit of each.
        let cohorts = Array(Set(panel.cohortIndex)).sorted()
        var slot = [Int](repeating: 0, count: (cohorts.last ?? -1) + 2)  // cohort index + 1 -> position in `cohorts`
        for (a, c) in cohorts.enumerated() { slot[c + 1] = a }
        var representative = [Int](repeating: -1, count: cohorts.count)
        let unitSlot = panel.cohortIndex.map { slot[$0 + 1] }
        for i in 0..<panel.unitCount where representative[unitSlot[i]] < 0 { representative[unitSlot[i]] = i }
        let stride = nT + 1
        let width = cohorts.count * stride
        var b = Matrix(rows: p, columns: width)
        for (a, i) in representative.enumerated() {
            var q = [Double](repeating: 0, count: p)
            for t in 0..<nT {
                let row = design.row(unit: i, period: t)
                var eta = 0.0
                for (k, j) in kept.enumerated() { eta += row[j] * f.coefficients[k] }
                let prob = 1 / (1 + Foundation.exp(-eta))
                for (k, j) in kept.enumerated() {
                    b[k, a * stride + t] = row[j]
                    q[k] += row[j] * prob
                }
            }
            for k in 0..<p { b[k, a * stride + nT] = -q[k] }
        }
        let g = panel.clusterCount
        var w = Matrix(rows: width, columns: width)
        if g == panel.unitCount && Self.allDistinct(panel.clusters, count: g) {
            // Person clusters: per cohort, the sum of [y_i; 1][y_i; 1]'.
            var z = [Double](repeating: 1, count: stride)
            var sums = [Double](repeating: 0, count: width * width)  // column-major, as `w`
            panel.outcome.withUnsafeBufferPointer { y in
                sums.withUnsafeMutableBufferPointer { ws in
                    for i in 0..<panel.unitCount {
                        let base = unitSlot[i] * stride
                        for t in 0..<nT { z[t] = y[i * nT + t] }
                        for s in 0..<stride where z[s] != 0 {
                            let column = (base + s) * width + base
                            for t in 0..<stride { ws[column + t] += z[s] * z[t] }
                        }
                    }
                }
            }
            w = Matrix(rows: width, columns: width, columnMajor: sums)
        } else {
            var zs = Matrix(rows: g, columns: width)
            for i in 0..<panel.unitCount {
                let c = Int(panel.clusters[i])
                let base = unitSlot[i] * stride
                for t in 0..<nT { zs[c, base + t] += panel.outcome[i * nT + t] }
                zs[c, base + nT] += 1
            }
            w = zs.gram
        }
        guard g >= 2 else { throw ETWFEError.tooFewClusters(g) }
        let meat = Matrix.multiply(Matrix.multiply(b, w), b, transposeB: true)
        var v = Matrix.multiply(Matrix.multiply(f.bread, meat), f.bread)
        for j in 0..<v.columns { for i in 0..<j { let m = 0.5 * (v[i, j] + v[j, i]); v[i, j] = m; v[j, i] = m } }
        return (Double(g) / Double(g - 1)) * v
    }

    /// Whether the codes (each in `0..<count`) are pairwise distinct. `O(n + count)`.
    static func allDistinct(_ codes: [Int32], count: Int) -> Bool {
        var seen = [Bool](repeating: false, count: count)
        for c in codes {
            let k = Int(c)
            if k < 0 || k >= count || seen[k] { return false }
            seen[k] = true
        }
        return true
    }
}
