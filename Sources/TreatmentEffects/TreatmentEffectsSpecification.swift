import Design
import Estimation
import Regression
import Tabular

/// What to estimate: Stata's
/// `teffects METHOD (outcome outcome-covariates, outcome-model) (treatment treatment-covariates, link), estimand`.
///
/// Defaults follow Stata's `teffects`: logit treatment model, linear outcome
/// model, the ATE, a 95% level and a propensity-score tolerance of `1e-5`
/// (`pstolerance()`): a score below it or above `1 - 1e-5` violates overlap.
/// Factors listed in `factors` but in neither covariate list enter both models
/// (as `ModelSpecification` appends them).
public struct TreatmentEffectsSpecification: Sendable, Equatable {
    public var outcome: String
    public var treatment: String
    public var method: TreatmentEffectMethod
    public var estimand: TreatmentEffectEstimand
    /// Covariates of the outcome models (`ra`, `aipw`, `ipwra`); `a:b` interactions allowed.
    public var outcomeCovariates: [String]
    /// Covariates of the treatment model (`ipw`, `aipw`, `ipwra`).
    public var treatmentCovariates: [String]
    public var factors: [String]
    public var baseLevels: [String: String]
    public var treatmentModel: BinaryLink
    public var outcomeModel: OutcomeModelKind
    /// `aipw` only: fit the outcome models by weighted least squares with Stata's `wnls` weights
    /// (`(1 - p) / p^2` for the treated, `p / (1 - p)^2` for the controls) instead of (unweighted) ML.
    public var weightedOutcomeModels: Bool
    /// Matching estimators: matches per person (Stata's `nneighbor()`, default 1; ties are added).
    public var neighbors: Int
    /// Matching estimators: the largest distance of a match (Stata's `caliper()`; `nil`: none).
    public var caliper: Double?
    /// nnmatch: the distance metric (Stata's `metric()`, default Mahalanobis).
    public var metric: MatchingMetric
    /// nnmatch: bias correction on the matching covariates (Stata's `biasadj()` with all of them).
    public var biasAdjust: Bool
    /// Stata's `pstolerance()`: propensity scores closer than this to 0 or 1 violate overlap.
    public var overlapTolerance: Double

    public init(outcome: String, treatment: String, method: TreatmentEffectMethod, estimand: TreatmentEffectEstimand = .ate,
                outcomeCovariates: [String] = [], treatmentCovariates: [String] = [], factors: [String] = [],
                baseLevels: [String: String] = [:], treatmentModel: BinaryLink = .logit, outcomeModel: OutcomeModelKind = .linear,
                weightedOutcomeModels: Bool = false, neighbors: Int = 1, caliper: Double? = nil, metric: MatchingMetric = .mahalanobis, biasAdjust: Bool = false,
                overlapTolerance: Double = 1e-5) {
        self.metric = metric
        self.biasAdjust = biasAdjust
        self.neighbors = neighbors
        self.caliper = caliper
        self.outcome = outcome
        self.treatment = treatment
        self.method = method
        self.estimand = estimand
        self.outcomeCovariates = outcomeCovariates
        self.treatmentCovariates = treatmentCovariates
        self.factors = factors
        self.baseLevels = baseLevels
        self.treatmentModel = treatmentModel
        self.outcomeModel = outcomeModel
        self.weightedOutcomeModels = weightedOutcomeModels
        self.overlapTolerance = overlapTolerance
    }

    /// The columns the estimate reads (outcome, treatment, every covariate part, factors), in order, once each.
    var usedColumns: [String] {
        var used: [String] = []
        func use(_ c: String) { if !used.contains(c) { used.append(c) } }
        use(outcome)
        use(treatment)
        let covariates = (method.usesOutcomeCovariates ? outcomeCovariates : []) + (method.usesTreatmentModel ? treatmentCovariates : [])
        for c in covariates { for column in Term.parse(c, factors: []).columns { use(column) } }
        for f in factors { use(f) }
        return used
    }
}
