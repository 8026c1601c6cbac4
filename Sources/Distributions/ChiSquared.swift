/// The chi-square distribution with `degreesOfFreedom` (> 0).
///
/// `cdf(x) = P(k/2, x/2)`, `sf(x) = Q(k/2, x/2)` (regularised incomplete gamma;
/// see `regularizedGamma`), each accurate in relative terms in its own tail.
public struct ChiSquared: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom df: Double) {
        precondition(df > 0, "ChiSquared: degrees of freedom must be positive")
        degreesOfFreedom = df
    }

    /// `P(X <= x)`.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return regularizedGamma(degreesOfFreedom / 2, Swift.max(0, x) / 2).p
    }

    /// `P(X > x)`: the p-value of a chi-square statistic.
    public func sf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        return regularizedGamma(degreesOfFreedom / 2, Swift.max(0, x) / 2).q
    }
}
