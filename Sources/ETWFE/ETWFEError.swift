import Regression
import Staggered

/// What can stop an ETWFE estimation; each prints as one sentence (the CLI shows it and exits 1).
public enum ETWFEError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Reading or validating the panel failed (unbalanced units are dropped with a note, not an error).
    case panel(StaggeredError)
    /// The regression could not be fitted (complete separation, singular information, ...).
    case model(RegressionError)
    /// `family logit` on an outcome that is not 0/1.
    case outcomeNotBinary
    /// `control never` without never-treated units.
    case noNeverTreated
    /// No treated cohort with a pre-treatment period and a comparison is left.
    case noTreatedCohorts
    /// No cell ATT could be estimated (every cell's treatment indicator was dropped).
    case noEstimableCells
    /// Clustered SEs asked for with fewer than two clusters.
    case tooFewClusters(Int)
    /// The collapsed path was asked for a model where collapsing is not exact (covariates, or the linear family).
    case collapseNotExact
    /// More cohort x period cells than the design's 32-bit cell codes hold (cohorts + 1 times periods).
    case tooManyCells(Int)

    public var description: String {
        switch self {
        case .panel(let e): return e.description
        case .model(let e): return "the ETWFE model could not be fitted: \(e.description)"
        case .outcomeNotBinary: return "family logit needs a 0/1 outcome; use family linear for other outcomes"
        case .noNeverTreated:
            return "there are no never-treated units (group 0) to compare with; use the not-yet-treated units (control notyet, --control notyet)"
        case .noTreatedCohorts:
            return "no treated cohort with a pre-treatment period and an untreated comparison is left to estimate"
        case .noEstimableCells: return "no cohort x period treatment effect could be estimated (every treatment indicator was dropped)"
        case .tooFewClusters(let g): return "clustered standard errors need at least 2 clusters, found \(g)"
        case .collapseNotExact:
            return "the collapsed fit is exact only for the logit without covariates; fit the person-year rows instead"
        case .tooManyCells(let c):
            return "the panel has \(c) cohort x period cells, more than the 2,147,483,647 the design can code; use fewer periods (for example years instead of days)"
        }
    }
}
