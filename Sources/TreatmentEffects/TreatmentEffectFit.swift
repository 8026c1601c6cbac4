import Linalg
import Regression

/// A fitted treatment-effect estimate: the stacked parameters (`POmean:0`, `POmean:1`, the
/// outcome-model and treatment-model coefficients) and their M-estimation covariance. Immutable;
/// the effect tables are derived from it (`TreatmentEffectFit+Effects.swift`).
public struct TreatmentEffectFit: Sendable {
    public let specification: TreatmentEffectsSpecification
    /// Persons in the estimation sample.
    public let observations: Int
    /// Treated persons in the estimation sample.
    public let treatedCount: Int
    /// Rows of the data not used (missing values; reasons in `notes`).
    public let droppedRows: Int
    /// `POmean:0`, `POmean:1`, `OME0:term`..., `OME1:term`..., `TME1:term`... (Stata's equation names).
    public let parameterNames: [String]
    public let parameters: [Double]
    /// `A^-1 B A^-T / n` (Stata's robust M-estimation covariance, no small-sample factor).
    public let covariance: Matrix
    /// Whether every outcome value is 0 or 1 (effects in percentage points, ratios reported).
    public let binaryOutcome: Bool
    /// The treatment model (ipw, aipw, ipwra).
    public let treatmentModelFit: BinaryModelFit?
    /// Estimated propensity scores of the sample persons (empty for ra).
    public let propensityScores: [Double]
    /// The mean Jacobian `A` of the estimating equations (kept for checks).
    public let jacobian: Matrix
    /// `max_k |(1/n) sum_i psi_ik|` at the estimate: zero up to the models' convergence tolerance.
    public let maxMeanEstimatingEquation: Double
    public let notes: [String]

    public var controlCount: Int { observations - treatedCount }

    /// The potential-outcome means `(mu0, mu1)` (over everyone for the ATE, over the treated for the ATET).
    public var potentialOutcomeMeans: (control: Double, treated: Double) { (parameters[0], parameters[1]) }

    /// The effect `mu1 - mu0` in the outcome's units (a difference of probabilities for a 0/1 outcome).
    public var effect: Double { parameters[1] - parameters[0] }

    /// The variance of the effect `mu1 - mu0`: `V11 + V00 - 2 V01` for the M-estimators; the
    /// Abadie-Imbens variance for the matching estimators (whose `covariance` is not estimated: NaN).
    public let effectVariance: Double
    /// The matching estimators' details (`nil` for ra, ipw, aipw, ipwra).
    public let matching: MatchingSummary?

    init(specification: TreatmentEffectsSpecification, observations: Int, treatedCount: Int, droppedRows: Int,
         parameterNames: [String], parameters: [Double], covariance: Matrix, binaryOutcome: Bool,
         treatmentModelFit: BinaryModelFit?, propensityScores: [Double], jacobian: Matrix, maxMeanEstimatingEquation: Double,
         notes: [String], effectVariance: Double? = nil, matching: MatchingSummary? = nil) {
        self.specification = specification
        self.observations = observations
        self.treatedCount = treatedCount
        self.droppedRows = droppedRows
        self.parameterNames = parameterNames
        self.parameters = parameters
        self.covariance = covariance
        self.binaryOutcome = binaryOutcome
        self.treatmentModelFit = treatmentModelFit
        self.propensityScores = propensityScores
        self.jacobian = jacobian
        self.maxMeanEstimatingEquation = maxMeanEstimatingEquation
        self.notes = notes
        self.effectVariance = effectVariance ?? (covariance[1, 1] + covariance[0, 0] - 2 * covariance[0, 1])
        self.matching = matching
    }
}

/// What a matching estimate rests on.
public struct MatchingSummary: Sendable, Equatable {
    /// Matches requested per person (`--neighbors`).
    public var neighbors: Int
    /// Matches per person including ties: the smallest and the largest.
    public var minimumMatches: Int
    public var maximumMatches: Int
    /// Same-arm neighbours of the conditional-variance estimates (Stata's `nn(2)`).
    public var varianceNeighbors: Int
    /// The Abadie-Imbens (2006) variance before the adjustment for the estimated score (psmatch).
    public var unadjustedVariance: Double
}
