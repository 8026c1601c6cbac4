import Tabular

/// Why a treatment-effect estimate cannot be made. Every message is one
/// sentence naming the column (or model) at fault and what to do about it.
public enum TreatmentEffectsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The treatment column holds values other than 0 and 1.
    case treatmentNotBinary(column: String, value: Double, count: Int)
    /// One arm has no persons in the estimation sample.
    case emptyArm(column: String, arm: Int)
    /// A 0/1 outcome model (`--outcome-model logit`) on an outcome that is not 0/1.
    case outcomeNotBinary(column: String, value: Double, count: Int)
    /// Propensity scores at (or within `tolerance` of) 0 or 1: Stata's overlap error (r(459)).
    case overlapViolated(column: String, belowTolerance: Int, aboveTolerance: Int, tolerance: Double)
    /// The treatment model could not be estimated.
    case treatmentModel(column: String, reason: String)
    /// The outcome model of one arm could not be estimated.
    case outcomeModel(column: String, treatment: String, arm: Int, reason: String)
    /// The stacked estimating equations have a singular Jacobian (no standard errors).
    case singularJacobian
    /// An estimator or estimand that is not available (yet).
    case notSupported(String)
    /// Persons without a match within the caliper (Stata's psmatch error).
    case noMatchWithinCaliper(persons: Int, caliper: Double)
    /// nnmatch: the matching covariates cannot define a metric.
    case matchingCovariates(String)
    /// No rows left after listwise deletion.
    case noObservations
    /// Bad data (unknown column, text where numbers are needed, ...).
    case data(DataError)

    public var description: String {
        switch self {
        case .treatmentNotBinary(let c, let v, let k):
            return "the treatment '\(c)' must be 0 or 1, but \(k) rows hold other values (for example \(formatLevel(v))): recode it to 0/1"
        case .emptyArm(let c, let a):
            return "no person has treatment '\(c)' = \(a) in the estimation sample: a treatment effect needs both treated and control persons"
        case .outcomeNotBinary(let c, let v, let k):
            return "the outcome '\(c)' must be 0 or 1 for --outcome-model logit, but \(k) rows hold other values (for example \(formatLevel(v))): use --outcome-model linear or recode it"
        case .overlapViolated(let c, let lo, let hi, let tol):
            let t = scientific(tol)
            return "treatment overlap assumption has been violated: \(lo) persons have a propensity score of '\(c)' below \(t) and \(hi) above 1 - \(t) (Stata's teffects stops here too); drop the covariates that predict '\(c)' (almost) perfectly or restrict the sample to persons with comparable controls"
        case .treatmentModel(let c, let reason):
            return "the treatment model of '\(c)' cannot be estimated (\(reason)): use fewer or other treatment covariates"
        case .outcomeModel(let y, let t, let a, let reason):
            return "the outcome model of '\(y)' cannot be estimated among persons with '\(t)' = \(a) (\(reason)): use fewer outcome covariates or --outcome-model linear"
        case .singularJacobian:
            return "the estimating equations have a singular Jacobian, so no standard errors exist: the covariates are (nearly) collinear or the propensity scores too extreme"
        case .notSupported(let what):
            return what
        case .noMatchWithinCaliper(let k, let c):
            return "\(k) persons have no propensity-score match within the caliper \(c) (Stata's teffects psmatch stops here too): widen --caliper or drop it"
        case .matchingCovariates(let what):
            return what
        case .noObservations:
            return "no rows are left after dropping rows with missing values in the outcome, the treatment or the covariates"
        case .data(let e):
            return e.description
        }
    }
}

/// `1e-5` as Stata prints it (`1.00e-05`), without Foundation.
func scientific(_ x: Double) -> String {
    guard x.isFinite, x > 0 else { return "\(x)" }
    var e = Int((x.log10Floor))
    var m = x / pow10(e)
    if m >= 9.995 { m /= 10; e += 1 }
    let hundredths = Int((m * 100).rounded())
    let mantissa = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    let sign = e < 0 ? "-" : "+"
    let ae = e < 0 ? -e : e
    return "\(mantissa)e\(sign)\(ae < 10 ? "0" : "")\(ae)"
}

private func pow10(_ e: Int) -> Double {
    var r = 1.0
    if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
    return r
}

private extension Double {
    var log10Floor: Int {
        var e = 0
        var v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}
