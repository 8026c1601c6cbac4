import Design
import Estimation
import Linalg
import Regression
import Tabular

/// A fitted event study: the sample, its design and the regression fitted on
/// it, immutable. Inference is chosen afterwards (``inference(vce:level:)``),
/// and every reported quantity (the event-time effects, the pre-trend test,
/// predictions, marginal effects) is a function of the fit and an inference,
/// as statsmodels derives its results from params and cov: changing the
/// standard errors never refits.
public struct EventStudyFit: Sendable {
    public let sample: EventStudySample
    public let design: EventStudyDesign
    /// The logit (``BinaryModelFit``) or OLS (``LinearModelFit``) fit.
    public let regression: any RegressionFit
    /// The sample's exclusions, the fit's notes and unidentified interactions, one sentence each.
    public let notes: [String]
    /// The reference person of the predictions: numeric and baseline controls at their sample
    /// means, in order (factor controls at their base levels).
    public let referencePerson: [(name: String, value: Double)]

    public var specification: EventStudySpecification { sample.specification }
    public var model: EventStudyModel { specification.model }
    public var omitted: [String] { regression.omitted }
    public var converged: Bool { regression.converged }
    /// Observations used by the fit (person-years).
    public var observations: Int { binary?.observations ?? sample.count }
    /// Newton iterations (0 for OLS).
    public var iterations: Int { binary?.iterations ?? 0 }
    /// Passes over the design by the logit fit (``BinaryModelFit/dataPasses``; 0 for OLS).
    public var dataPasses: Int { binary?.dataPasses ?? 0 }
    /// The log-likelihood (logit only).
    public var logLikelihood: Double? { binary?.logLikelihood }

    var binary: BinaryModelFit? { regression as? BinaryModelFit }

    /// Inference under `vce` (person clusters for `.cluster`) at `level` percent.
    /// - Throws: ``PanelError/regression(_:)`` (e.g. fewer than two clusters).
    public func inference(vce: VCEKind = .cluster, level: Double = 95) throws -> EventStudyInference {
        do {
            let estimator = try VarianceEstimator(vce, clusters: regression.designClusterIDs)
            return EventStudyInference(fit: self, vce: vce, table: try regression.inference(vce: estimator, level: level))
        } catch let e as RegressionError { throw PanelError.regression(e) }
    }

    init(sample: EventStudySample, design: EventStudyDesign, regression: any RegressionFit) {
        self.sample = sample
        self.design = design
        self.regression = regression
        var notes = sample.notes + regression.notes
        for name in regression.omitted {
            if case .treatedEvent = design.role(of: name) {
                notes.append("\(name) could not be estimated (omitted): its effect is not identified in these data")
            }
        }
        self.notes = notes
        let spec = sample.specification
        var reference: [(String, Double)] = []
        for c in spec.controls {
            let v = sample.controlColumns[c]!
            reference.append((c, sample.panelRows.reduce(0) { $0 + v[$1] } / Double(sample.count)))
        }
        for c in spec.baselineControls {
            let v = sample.baselineValues[c]!
            reference.append((c, sample.person.reduce(0) { $0 + v[Int($1)] } / Double(sample.count)))
        }
        referencePerson = reference
    }
}

extension EventStudy {
    /// Fits the event study on `sample`: the logit by IRLS on streamed row blocks, or OLS.
    /// - Parameter pooled: fit the pooled variant (one `treated:post` term instead of the
    ///   treated x event-time interactions).
    /// - Throws: ``PanelError/regression(_:)``.
    public static func fit(_ sample: EventStudySample, pooled: Bool = false) throws -> EventStudyFit {
        let spec = sample.specification
        let design = EventStudyDesign(sample: sample, pooled: pooled)
        let clusters = sample.clusters
        // Matching weights: whole numbers count as replicated rows (a control used twice is two
        // rows, as MatchIt's weights in glm); fractional ones (k:1) as analytic weights. The
        // cluster-robust default is then the pweight sandwich either way.
        let weights = sample.weights
        let kind: WeightKind = weights?.allSatisfy { $0 == $0.rounded() } ?? true ? .frequency : .analytic
        do {
            switch spec.model {
            case .logit:
                let fit = try LogisticRegression().fit(design, y: sample.outcome, names: design.columnNames, weights: weights, weightKind: kind,
                                                       outcomeName: spec.outcome, clusters: clusters)
                return EventStudyFit(sample: sample, design: design, regression: fit)
            case .ols:
                let fit = try LinearRegression().fit(design.rowBlock(0..<design.rows), y: sample.outcome, names: design.columnNames,
                                                     weights: weights, weightKind: kind, clusters: clusters)
                return EventStudyFit(sample: sample, design: design, regression: fit)
            }
        } catch let e as RegressionError { throw PanelError.regression(e) }
    }
}
