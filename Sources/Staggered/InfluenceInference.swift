import Distributions
import Linalg

/// Variances from influence functions (R did's analytic convention, see ``GroupTimeATT``).
///
/// For an `n`-vector `psi` (an estimator's influence function, `est - theta ~ mean(psi)`):
/// `Var = sum_c S_c^2 / n^2`, `S_c` the sum of `psi` over cluster `c` (each unit its own cluster by
/// default, giving R did's `mean(psi^2) / n`). `O(n)`.
struct InfluenceVariance: Sendable {
    let units: Int
    let clusters: [Int]?
    let clusterCount: Int

    /// Cluster sums of `psi` (the vector itself without clusters).
    func clusterSums(_ psi: [Double]) -> [Double] {
        guard let c = clusters else { return psi }
        var s = [Double](repeating: 0, count: clusterCount)
        for i in psi.indices { s[c[i]] += psi[i] }
        return s
    }

    func variance(_ psi: [Double]) -> Double {
        let s = clusterSums(psi)
        var v = 0.0
        for x in s { v += x * x }
        let n = Double(units)
        return v / (n * n)
    }

    /// `Cov(est_a, est_b)` for every pair of the given influence functions.
    func covariance(_ psis: [[Double]]) -> Matrix {
        let sums = psis.map(clusterSums)
        let k = psis.count
        var m = Matrix(rows: k, columns: k)
        let n2 = Double(units) * Double(units)
        for a in 0..<k {
            for b in 0...a {
                var v = 0.0
                for c in sums[a].indices { v += sums[a][c] * sums[b][c] }
                m[a, b] = v / n2
                m[b, a] = v / n2
            }
        }
        return m
    }

    /// R did sets a standard error at or below `10 sqrt(eps)` to missing (a degenerate cell).
    static func standardError(_ v: Double) -> Double? {
        guard v.isFinite, v >= 0 else { return nil }
        let se = v.squareRoot()
        return se <= 10 * Double.ulpOfOne.squareRoot() ? nil : se
    }
}

/// The Wald test that every pre-treatment ATT(g,t) is zero (R did's `W`, `Wpval`):
/// `W = a' V^-1 a` with `a` the pre-treatment ATTs (`t < g`, reference cells excluded) and `V` their
/// influence-function covariance; `W ~ chi^2(q)`, `q` the number of pre-treatment cells.
/// Not computed (nil, with the reason) when there is no such cell or `V` is singular
/// (R did: "Not returning pre-test Wald statistic due to singular covariance matrix").
public struct WaldPreTest: Sendable, Equatable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double
}
