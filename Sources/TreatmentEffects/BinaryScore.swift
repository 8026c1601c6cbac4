import Distributions
import Regression
import RealModule

/// Per-person pieces of a binary (logit or probit) model at the linear predictor `eta`,
/// for the treatment model's estimating equation `g(eta) z = 0` and its Jacobian `dg/deta z z'`.
struct BinaryScore {
    /// `P(t = 1 | eta)`: the propensity score.
    var p: Double
    /// `dp / deta`.
    var density: Double
    /// `d log L / d eta`.
    var score: Double
    /// `d score / d eta` (negative: the observed Hessian weight with its sign).
    var scoreDerivative: Double

    /// - Logit: `p = 1 / (1 + e^-eta)`, score `t - p`, derivative `-p (1 - p)`.
    /// - Probit: with `q = 2t - 1`, `lambda = phi(q eta) / Phi(q eta)`: score `q lambda`,
    ///   derivative `-lambda (lambda + q eta)` (the observed Hessian, as Stata's `probit`).
    ///   For `q eta < -30` the Mills ratio's asymptote `lambda ~ -q eta` avoids `0 / 0`.
    init(link: BinaryLink, t: Double, eta: Double) {
        switch link {
        case .logit:
            let e = Double.exp(-Swift.abs(eta))
            let r = 1 / (1 + e)
            let mu = eta >= 0 ? r : e * r
            p = mu
            density = e * r * r
            score = t - mu
            scoreDerivative = -density
        case .probit:
            p = Normal.cdf(eta)
            density = Normal.pdf(eta)
            let q = t > 0.5 ? 1.0 : -1.0
            let x = q * eta
            let lambda = x > -30 ? Normal.pdf(x) / Normal.cdf(x) : -x + 1 / (-x)
            score = q * lambda
            scoreDerivative = -lambda * (lambda + x)
        }
    }
}

/// The mean of an outcome model at `xb` and its derivative: linear (`xb`, 1) or logit (`Lambda(xb)`, `Lambda (1 - Lambda)`).
@inline(__always)
func outcomeMean(_ kind: OutcomeModelKind, _ xb: Double) -> (mean: Double, derivative: Double) {
    switch kind {
    case .linear: return (xb, 1)
    case .logit:
        let e = Double.exp(-Swift.abs(xb))
        let r = 1 / (1 + e)
        return (xb >= 0 ? r : e * r, e * r * r)
    }
}
