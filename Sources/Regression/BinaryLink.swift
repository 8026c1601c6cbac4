import Design
import Estimation
import Distributions
import RealModule

/// The link of a binary-outcome model: logit (log-odds) or probit (normal quantile).
public enum BinaryLink: String, StrictOption {
    case logit
    case probit

    public static let optionName = "link"

    /// `P(y = 1 | eta)`.
    public func mean(_ eta: Double) -> Double {
        switch self {
        case .logit: return LogitLink.mean(eta)
        case .probit: return ProbitLink.mean(eta)
        }
    }

    /// `d mean / d eta`.
    public func meanDerivative(_ eta: Double) -> Double {
        switch self {
        case .logit:
            let m = LogitLink.mean(eta)
            return m * (1 - m)
        case .probit: return Normal.pdf(eta)
        }
    }
}

/// Per-observation pieces of the log-likelihood of a binary model at `eta`:
/// `logLik`, the score `dl/deta` and the negative second derivative `-d2l/deta2`
/// (the observed-information weight).
protocol LinkKernel: SendableMetatype {
    static func mean(_ eta: Double) -> Double
    static func contributions(y: Double, eta: Double) -> (logLik: Double, score: Double, weight: Double)
}

/// Logit: `mu = 1 / (1 + e^-eta)`, `l = y eta - log(1 + e^eta)`, score `y - mu`, weight `mu (1 - mu)`.
enum LogitLink: LinkKernel {
    @inline(__always)
    static func mean(_ eta: Double) -> Double {
        eta >= 0 ? 1 / (1 + Double.exp(-eta)) : { let e = Double.exp(eta); return e / (1 + e) }()
    }

    /// One `exp` and one `log` per observation: with `e = exp(-|eta|)` in `(0, 1]`,
    /// `log(1 + e^eta) = max(eta, 0) + log(1 + e)`, `mu = 1 / (1 + e)` for
    /// `eta >= 0` (else `e / (1 + e)`), and `mu (1 - mu) = e / (1 + e)^2`;
    /// no overflow for any `eta`. `log(1 + e)` rather than `log1p(e)`: for
    /// `e` in `(0, 1]` its absolute error is below `2.3e-16` (the rounding of
    /// `1 + e`), which is all a sum of log-likelihood terms can see, and `log`
    /// is several times cheaper than `log1p` in glibc (this is the hot loop).
    @inline(__always)
    static func contributions(y: Double, eta: Double) -> (logLik: Double, score: Double, weight: Double) {
        let e = Double.exp(-Swift.abs(eta))
        let r = 1 / (1 + e)
        let softplus = Swift.max(eta, 0) + Double.log(1 + e)
        let mu = eta >= 0 ? r : e * r
        return (y * eta - softplus, y - mu, e * r * r)
    }
}

/// Probit: `mu = Phi(eta)`; with `q = 2y - 1`, `l = log Phi(q eta)`, score
/// `lambda = q phi(eta) / Phi(q eta)`, observed weight `lambda (lambda + eta)`
/// (Newton-Raphson on the observed Hessian, as Stata's `probit` does).
enum ProbitLink: LinkKernel {
    @inline(__always)
    static func mean(_ eta: Double) -> Double { Normal.cdf(eta) }

    @inline(__always)
    static func contributions(y: Double, eta: Double) -> (logLik: Double, score: Double, weight: Double) {
        let q = y > 0.5 ? 1.0 : -1.0
        let x = q * eta
        let lambdaAbs: Double
        let logPhi: Double
        if x > -30 {
            let cdf = Normal.cdf(x)
            logPhi = Double.log(cdf)
            lambdaAbs = Normal.pdf(x) / cdf
        } else {
            // Mills-ratio asymptotics: phi(x)/Phi(x) = -x - 1/x + 2/x^3 - 10/x^5 ... for x -> -inf.
            let x2 = 1 / (x * x)
            lambdaAbs = -x * (1 + x2 * (1 - x2 * (2 - 10 * x2))) / 1
            logPhi = -0.5 * x * x - Double.log(-x) - 0.5 * Double.log(2 * Double.pi) + Double.log(onePlus: -x2 * (1 - 3 * x2))
        }
        let lambda = q * lambdaAbs
        return (logPhi, lambda, lambda * (lambda + eta))
    }
}
