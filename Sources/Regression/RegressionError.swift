import Design
import Estimation
import Tabular

/// A model that cannot be estimated on the data given. Each message says why
/// and what to do.
public enum RegressionError: Error, Sendable, Equatable, CustomStringConvertible {
    case outcomeNotBinary(column: String, value: Double, count: Int)
    case outcomeConstant(column: String, value: Double)
    case tooFewObservations(observations: Int, parameters: Int)
    case noEstimableTerms
    case perfectPrediction(String)
    case informationNotInvertible
    case clusterLengthMismatch(expected: Int, found: Int)
    case tooFewClusters(Int)
    case missingClusters
    case unknownTerm(String, available: [String])
    case data(DataError)
    /// Robust or clustered SEs asked of a fit whose design was released (``BinaryModelFit/releasingDesign()``).
    case designReleased
    /// A Wald test whose constraints are all dependent or have zero (or non-finite) variance: no test.
    case noIndependentConstraints(tested: Int)

    public var description: String {
        switch self {
        case .outcomeNotBinary(let c, let v, let k):
            return "the outcome '\(c)' must be 0 or 1, but \(k) rows hold other values (for example \(formatLevel(v))): recode it to 0/1"
        case .outcomeConstant(let c, let v):
            return "the outcome '\(c)' is \(formatLevel(v)) in every row used: a logit needs both 0s and 1s"
        case .tooFewObservations(let n, let p):
            return "the model has \(p) parameters but only \(n) observations: use fewer terms or more data"
        case .noEstimableTerms:
            return "no term can be estimated: every term was dropped (collinear or perfectly predicting)"
        case .perfectPrediction(let what):
            return "\(what): the outcome is predicted perfectly and the coefficients are not identified; drop or combine the offending terms"
        case .informationNotInvertible:
            return "the information matrix is not invertible at the estimate: the terms are (nearly) collinear"
        case .clusterLengthMismatch(let e, let f):
            return "cluster ids given for \(f) rows but the model used \(e)"
        case .missingClusters:
            return "cluster-robust standard errors need a cluster column: name one (--cluster COL) or choose --vce robust or oim"
        case .tooFewClusters(let g):
            return "cluster-robust standard errors need at least 2 clusters (found \(g))"
        case .unknownTerm(let t, let available):
            return "no term '\(t)' in the model (terms: \(available.joined(separator: ", ")))"
        case .data(let e):
            return e.description
        case .designReleased:
            return "robust and clustered standard errors need the model's design, which was released to save memory: use the OIM standard errors, or fit the model again"
        case .noIndependentConstraints(let k):
            return "no Wald test: none of the \(k) tested constraint\(k == 1 ? " has" : "s have") a positive finite variance independent of the others"
        }
    }
}
