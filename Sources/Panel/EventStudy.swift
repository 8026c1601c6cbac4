import Distributions
import Linalg
import Regression
import Design
import Estimation
import Tabular

/// One period of an event study: the treated x event-time effect.
public struct EventStudyPoint: Sendable, Equatable {
    public let eventTime: Int
    /// Odds ratio (logit) or coefficient (OLS); 1 or 0 for the reference period.
    public let estimate: Double
    public let standardError: Double?
    public let ciLower: Double?
    public let ciUpper: Double?
    public let pValue: Double?
    public let isReference: Bool
}

/// Predicted outcome probability by event time for a reference person.
public struct PredictedPoint: Sendable, Equatable {
    public let eventTime: Int
    public let treated: PredictedProbability
    public let control: PredictedProbability
}

/// Average marginal effect of a treated x event-time interaction on the treated, in percentage points.
public struct MarginalEffect: Sendable, Equatable {
    public let eventTime: Int
    public let percentagePoints: Double
    public let standardError: Double
    public let ciLower: Double
    public let ciUpper: Double
    public let pValue: Double
}

/// An event study with everything evaluators report, under one inference:
/// what ``EventStudy/estimate(_:vce:level:pooledEstimate:)`` returns. Each
/// field is derived from ``fit`` and ``inference`` (and, for ``pooled``, the
/// pooled variant's fit); nothing here is computed twice.
public struct EventStudyResult: Sendable {
    public let fit: EventStudyFit
    public let inference: EventStudyInference
    public let specification: EventStudySpecification
    public let model: EventStudyModel
    /// The coefficient table under the chosen variance estimator.
    public let table: CoefficientTable
    public let observations: Int
    public let converged: Bool
    public let iterations: Int
    /// Passes over the design by the logit fit (``BinaryModelFit/dataPasses``; 0 for OLS).
    public let dataPasses: Int
    public let logLikelihood: Double?
    public let omitted: [String]
    public let notes: [String]
    public let treatedPersons: Int
    public let controlPersons: Int
    public let eventStudy: [EventStudyPoint]
    /// Joint Wald test that every pre-period interaction is zero (nil when the window has none,
    /// or when it cannot be computed: then a note says why).
    public let preTrend: WaldTest?
    /// The pooled treated x post effect (separate fit: interactions replaced by one treated:post term).
    public let pooled: CoefficientRow?
    public let predicted: [PredictedPoint]
    /// The reference person's control values (numeric and baseline controls, in order).
    public let referencePerson: [(name: String, value: Double)]
    public let marginalEffects: [MarginalEffect]

    /// Whether the pre-trend test rejects parallel pre-trends at 5 %.
    public var preTrendRejected: Bool { preTrend?.rejects(at: 0.05) ?? false }
}

/// Estimates logit (or OLS) event studies on a sample: ``fit(_:pooled:)``, then
/// ``EventStudyFit/inference(vce:level:)``, then the effects; ``estimate(_:vce:level:pooledEstimate:)`` does all three.
public enum EventStudy {
    /// Fits the event study, chooses the inference and derives every reported quantity.
    /// A pre-trend test or pooled contrast that cannot be computed is a note, never silently absent.
    /// - Parameters:
    ///   - level: confidence level in percent.
    ///   - pooledEstimate: also fit the pooled treated x post model.
    /// - Throws: ``PanelError``.
    public static func estimate(_ sample: EventStudySample, vce: VCEKind = .cluster, level: Double = 95,
                                pooledEstimate: Bool = true) throws -> EventStudyResult {
        let spec = sample.specification
        let fit = try fit(sample)
        let inference = try fit.inference(vce: vce, level: level)
        var notes = fit.notes
        var preTrend: WaldTest?
        do { preTrend = try inference.preTrendTest() } catch {
            notes.append("the pre-trend test could not be computed: \(error)")
        }
        if let p = preTrend, p.rejects(at: 0.05) {
            notes.append("pre-trend test rejects parallel pre-period trends (chi2(\(p.df)) = \(String(format: "%.2f", p.chi2)), p = \(String(format: "%.4f", p.pValue))): the DiD estimates are not credible without further argument")
        }
        var pooledRow: CoefficientRow?
        if pooledEstimate && spec.window.contains(where: { $0 >= 0 && $0 != spec.reference }) {
            let pooledInference = try EventStudy.fit(sample, pooled: true).inference(vce: vce, level: level)
            do { pooledRow = try pooledInference.table.row(TermName.treatedPost) } catch {
                notes.append("the pooled treated x post effect could not be estimated: \(TermName.treatedPost) was omitted")
            }
        }
        let points = zip(spec.window, inference.eventStudy.rows).map { e, row in
            EventStudyPoint(eventTime: e, estimate: row.estimate, standardError: row.standardError, ciLower: row.ciLower,
                            ciUpper: row.ciUpper, pValue: row.pValue, isReference: row.isReference)
        }
        return EventStudyResult(fit: fit, inference: inference, specification: spec, model: spec.model, table: inference.table,
                                observations: fit.observations, converged: fit.converged, iterations: fit.iterations,
                                dataPasses: fit.dataPasses, logLikelihood: fit.logLikelihood, omitted: fit.omitted, notes: notes,
                                treatedPersons: sample.treatedPersons, controlPersons: sample.controlPersons, eventStudy: points,
                                preTrend: preTrend, pooled: pooledRow, predicted: inference.predictions(),
                                referencePerson: fit.referencePerson, marginalEffects: inference.marginalEffects())
    }
}
