import RealModule

/// Student's t distribution with `degreesOfFreedom` (> 0, not necessarily an integer).
///
/// - `cdf`/`sf` through the regularised incomplete beta function:
///   `P(T <= -|t|) = I_{df/(df+t^2)}(df/2, 1/2) / 2`, with `1 - x = t^2/(df+t^2)`
///   passed separately so both tails keep full relative precision.
/// - `quantile` by Newton's method on `log cdf` in the relevant tail, started
///   from the normal quantile or the power-law tail approximation
///   `|t| = sqrt(df) (df B(df/2, 1/2) p)^(-1/df)`; closed forms for df = 1 and 2.
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom df: Double) {
        precondition(df > 0, "StudentT: degrees of freedom must be positive")
        degreesOfFreedom = df
    }

    /// Density.
    public func pdf(_ t: Double) -> Double {
        let df = degreesOfFreedom
        let lx = -(df + 1) / 2 * Double.log(onePlus: t * t / df)
        return Double.exp(lx - logBeta(df / 2, 0.5)) / df.squareRoot()
    }

    /// `P(T <= -|t|)`: the lower tail of the absolute value.
    private func tail(_ t: Double) -> Double {
        let df = degreesOfFreedom
        let t2 = t * t
        let x = df / (df + t2)
        let y = t2 / (df + t2)
        return 0.5 * regularizedBeta(df / 2, 0.5, x: x, y: y).p
    }

    /// `P(T <= t)`.
    public func cdf(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t == -.infinity { return 0 }
        if t == .infinity { return 1 }
        return t < 0 ? tail(t) : 1 - tail(t)
    }

    /// `P(T > t)`.
    public func sf(_ t: Double) -> Double { cdf(-t) }

    /// Two-sided p-value `P(|T| > |t|)`.
    public func twoSidedPValue(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        if t.isInfinite { return 0 }
        return Swift.min(1, 2 * tail(t))
    }

    /// The `p` quantile.
    public func quantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let df = degreesOfFreedom
        // Work in the lower tail: t(p) = -t(1 - p).
        let lower = Swift.min(p, 1 - p)
        let sign: Double = p < 0.5 ? -1 : 1
        if df == 1 {
            return sign * Swift.abs(1 / Double.tan(Double.pi * lower))
        }
        if df == 2 {
            let a = 4 * lower * (1 - lower)
            return sign * (2 / a - 2).squareRoot()
        }
        // Starting point (negative t, lower tail).
        // Cornish-Fisher expansion around the normal quantile (Abramowitz & Stegun 26.7.5)...
        let z = Normal.quantile(lower)
        let z3 = z * z * z, z5 = z3 * z * z
        var t = z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
        // ...or, far in a heavy tail, the power-law tail F(t) ~ df^(df/2) |t|^(-df) / (df B(df/2, 1/2)).
        // Take whichever start has log F closer to log p.
        let tailStart = -df.squareRoot() * Double.exp(-(Double.log(df) + logBeta(df / 2, 0.5) + Double.log(lower)) / df)
        if tailStart.isFinite && tailStart < 0 && t.isFinite {
            let miss = { (s: Double) in Swift.abs(Double.log(self.tail(s)) - Double.log(lower)) }
            if miss(tailStart) < miss(t) { t = tailStart }
        }
        if !(t < 0) { t = z }
        let logTarget = Double.log(lower)
        for _ in 0..<200 {
            let f = tail(t)
            let dens = pdf(t)
            if !(f > 0) || !(dens > 0) { break }
            // Newton on g(t) = log F(t) - log p, g' = f(t) / F(t).
            var step = (Double.log(f) - logTarget) * f / dens
            // Keep t negative and move at most halfway to zero from the right.
            if t - step >= 0 { step = t / 2 }
            let next = t - step
            if Swift.abs(next - t) <= 4e-16 * Swift.abs(next) { t = next; break }
            t = next
        }
        // t is the lower-tail (negative) quantile of min(p, 1 - p).
        return p < 0.5 ? t : -t
    }
}
