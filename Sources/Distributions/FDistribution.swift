import RealModule

/// Snedecor's F distribution with `d1` and `d2` degrees of freedom.
///
/// `cdf(x) = I_{d1 x / (d1 x + d2)}(d1/2, d2/2)`; the quantile (needed for the
/// 2.5-97.5 % variance-ratio bounds in balance tables) is found by bisection on
/// the cdf in `log x` to 1e-14 relative, which is plenty for a flag.
public struct FDistribution: Sendable {
    public let d1: Double
    public let d2: Double

    public init(d1: Double, d2: Double) {
        precondition(d1 > 0 && d2 > 0, "FDistribution: degrees of freedom must be positive")
        self.d1 = d1
        self.d2 = d2
    }

    /// `P(F <= x)`.
    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        let num = d1 * x
        return regularizedBeta(d1 / 2, d2 / 2, x: num / (num + d2), y: d2 / (num + d2)).p
    }

    /// `P(F > x)`.
    public func sf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        let num = d1 * x
        return regularizedBeta(d1 / 2, d2 / 2, x: num / (num + d2), y: d2 / (num + d2)).q
    }

    /// The `p` quantile.
    public func quantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        var lo = -1.0, hi = 1.0
        while cdf(Double.exp(lo)) > p { lo *= 2; if lo < -1400 { return 0 } }
        while cdf(Double.exp(hi)) < p { hi *= 2; if hi > 1400 { return .infinity } }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(Double.exp(mid)) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-14 { break }
        }
        return Double.exp((lo + hi) / 2)
    }
}
