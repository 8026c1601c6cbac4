import Estimation

/// The estimator of `didkit effects --method` (Stata's `teffects` subcommands).
public enum TreatmentEffectMethod: String, StrictOption {
    /// Regression adjustment: one outcome model per arm, potential-outcome means are averaged predictions.
    case ra
    /// Inverse probability weighting with normalised weights (Hajek).
    case ipw
    /// Augmented IPW (doubly robust): predictions plus inverse-probability-weighted residuals.
    case aipw
    /// IPW regression adjustment: outcome models fitted with inverse-probability weights.
    case ipwra
    /// Nearest-neighbour matching on the estimated propensity score.
    case psmatch
    /// Nearest-neighbour matching on the outcome covariates.
    case nnmatch

    public static let optionName = "method"

    /// Whether the estimator fits a treatment (propensity-score) model.
    public var usesTreatmentModel: Bool { self != .ra && self != .nnmatch }
    /// Whether the estimator fits outcome models.
    public var usesOutcomeModel: Bool { self == .ra || self == .aipw || self == .ipwra }
    /// Whether the estimator reads the outcome covariates (the outcome models, or nnmatch's matching covariates).
    public var usesOutcomeCovariates: Bool { usesOutcomeModel || self == .nnmatch }
}

/// The average effect estimated: over everyone (ATE) or over the treated (ATET).
public enum TreatmentEffectEstimand: String, StrictOption {
    case ate
    case atet

    public static let optionName = "estimand"
}

/// The outcome model of `ra`, `aipw` and `ipwra`: linear (OLS) or logit for a 0/1 outcome.
public enum OutcomeModelKind: String, StrictOption {
    case linear
    case logit

    public static let optionName = "outcome-model"
}
