import Distributions
import Linalg

/// Variances from influence functions (R did's analytic convention, see ``GroupTimeATT``).
///
/// For an `n`-vector `psi` (an estimator's influence function, `est - theta ~ mean(psi)`):
/// `Var = sum_c S_c^2 / n^2`, `S_c` the sum of `psi` over cluster `c` (each unit its own cluster by
/// default, giving R did's `mean(psi^2) / n`). The sums are formed for all estimates at once by
/// ``InfluenceBasis``; this type carries the clustering.
struct InfluenceVariance: Sendable {
    let units: Int
    let clusters: [Int]?
    let clusterCount: Int

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
