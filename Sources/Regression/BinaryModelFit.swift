import Linalg
import Design
import Estimation
import Tabular

/// Quasi-complete or complete separation found at the estimate.
public struct SeparationDiagnostic: Sendable, Equatable {
    /// Observations with `y = 0` whose fitted probability is 0 to machine precision.
    public var determinedFailures: Int
    /// Observations with `y = 1` whose fitted probability is 1 to machine precision.
    public var determinedSuccesses: Int
    /// Whether any observation is completely determined.
    public var isPresent: Bool { determinedFailures + determinedSuccesses > 0 }
}

/// A fitted logit or probit model. Immutable: it holds the estimates, the
/// bread (inverse observed information), the per-observation score residuals
/// and the diagnostics; standard errors of any kind, tests, odds ratios and
/// predictions are derived from it (see `BinaryModelFit+Inference.swift`).
public struct BinaryModelFit: Sendable {
    /// The link.
    public let link: BinaryLink
    /// Names of the estimated coefficients (omitted terms excluded), `_cons` last.
    public let names: [String]
    /// Estimates, in `names` order.
    public let coefficients: [Double]
    /// Observed information `X'WX` at the estimate.
    public let information: Matrix
    /// Its inverse: the OIM covariance and the bread of every sandwich.
    public let bread: Matrix
    /// Design columns dropped before estimation (collinear, perfect predictors).
    public let omitted: [String]
    /// Log-likelihood at the estimate.
    public let logLikelihood: Double
    /// Log-likelihood of the intercept-only model on the same observations
    /// (`nil` for a model without intercept).
    public let nullLogLikelihood: Double?
    /// Newton iterations performed.
    public let iterations: Int
    /// Passes over the design's rows: the survey before the fit (collinearity,
    /// perfect prediction) and every IRLS pass (the start unless it came in
    /// closed form, one per Newton step and one per step halving). What a fit
    /// costs is about this many reads of the design (`Docs/Benchmarks.md`).
    public let dataPasses: Int
    /// Whether the convergence criteria were met.
    public let converged: Bool
    /// Number of observations (the sum of frequency weights if any).
    public let observations: Int
    /// Rows of the estimation data used (after listwise deletion and perfect-prediction drops).
    public let rowIndices: [Int]
    /// Rows of the source data not used, and why (in `notes`).
    public let droppedRows: Int
    /// Everything an evaluator must know about the fit, in Stata's words where Stata has them.
    public let notes: [String]
    /// Separation found at the estimate.
    public let separation: SeparationDiagnostic
    /// The linear predictor `x'b` for each used row.
    public let linearPredictor: [Double]

    // Data needed for sandwich estimators (a ``ReleasedDesign`` once ``releasingDesign()`` dropped it).
    var design: any RowBlockSource
    let scoreResiduals: [Double]
    let weights: [Double]?
    let weightKind: WeightKind
    /// Source-row cluster codes, if the design carried a cluster column.
    let designClusters: ClusterIDs?

    /// Number of estimated parameters.
    public var parameterCount: Int { coefficients.count }

    /// Likelihood-ratio chi-square against the intercept-only model: `2 (LL - LL0)`.
    public var likelihoodRatioChi2: Double? { nullLogLikelihood.map { 2 * (logLikelihood - $0) } }

    /// Degrees of freedom of the LR test (parameters besides the intercept).
    public var likelihoodRatioDF: Int { names.contains(TermName.intercept) ? parameterCount - 1 : parameterCount }

    /// McFadden's pseudo R-squared `1 - LL / LL0`.
    public var pseudoR2: Double? { nullLogLikelihood.map { 1 - logLikelihood / $0 } }

    /// Fitted probabilities for the used rows.
    public var fittedProbabilities: [Double] { linearPredictor.map(link.mean) }
}

/// Cluster membership as dense codes `0..<count`.
public struct ClusterIDs: Sendable, Equatable {
    public let codes: [Int32]
    public let count: Int

    public init(codes: [Int32], count: Int) {
        self.codes = codes
        self.count = count
    }

    /// Encodes arbitrary labels: codes in order of first appearance. A label equal to the one before
    /// it takes its code without a lookup (a person-year sample's person labels come in runs, so it
    /// hashes once per person, not once per row).
    public init<T: Hashable>(labels: [T]) {
        var index: [T: Int32] = [:]
        var codes: [Int32] = []
        codes.reserveCapacity(labels.count)
        var previous: (label: T, code: Int32)? = nil
        for l in labels {
            if let p = previous, p.label == l { codes.append(p.code); continue }
            let c: Int32
            if let known = index[l] { c = known } else {
                c = Int32(index.count)
                index[l] = c
            }
            codes.append(c)
            previous = (l, c)
        }
        self.init(codes: codes, count: index.count)
    }

    /// The codes of a subset of rows, re-encoded densely.
    public func selecting(_ rows: [Int]) -> ClusterIDs {
        ClusterIDs(labels: rows.map { codes[$0] })
    }
}
