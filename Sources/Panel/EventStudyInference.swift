import Design
import Distributions
import Estimation
import Linalg
import Regression

/// An event-study fit under one variance estimator: the coefficient table and
/// everything derived from (fit, inference). Made by
/// ``EventStudyFit/inference(vce:level:)``.
public struct EventStudyInference: Sendable {
    public let fit: EventStudyFit
    public let vce: VCEKind
    /// The coefficient table (SEs, tests, intervals; odds ratios for logit).
    public let table: CoefficientTable

    public var level: Double { table.level }

    /// The treated x event-time effects on the coefficient scale (log-odds for logit, outcome
    /// units for OLS), one row per window period labelled by its event time; the reference
    /// period is a reference row; an interaction the fit omitted has a NaN estimate and no SE.
    public var coefficients: EffectTable {
        let spec = fit.specification
        let scale: EffectScale = fit.model == .logit ? .logOdds : .outcomeUnits
        let byName = table.effects(title: "", scale: scale).rows
        let index = Dictionary(uniqueKeysWithValues: table.names.enumerated().map { ($1, $0) })
        let rows: [Effect] = spec.window.map { e in
            let label = EffectLabel(term: TermName.treated, event: e)
            if e == spec.reference { return Effect.reference(label, scale: scale) }
            guard let k = index[TermName.treatedEvent(e)] else { return Effect(label: label, estimate: .nan) }
            var row = byName[k]
            row.label = label
            return row
        }
        return EffectTable(title: "Event study: treated x event time", scale: scale, level: level, vce: vce.rawValue, rows: rows)
    }

    /// The event study as reported: odds ratios for logit (delta-method SEs, exponentiated
    /// intervals), coefficients for OLS.
    public var eventStudy: EffectTable {
        let c = coefficients
        return c.scale == .logOdds ? c.oddsRatios : c
    }

    /// The joint Wald test that every pre-period interaction is zero; nil when the window
    /// has no estimated pre-period.
    /// - Throws: ``PanelError/regression(_:)`` when the covariance of those terms is singular.
    public func preTrendTest() throws -> WaldTest? {
        let terms = fit.specification.preEventTimes.map(TermName.treatedEvent).filter { table.names.contains($0) }
        if terms.isEmpty { return nil }
        do { return try table.waldTest(terms) } catch let e as RegressionError { throw PanelError.regression(e) }
    }

    /// Predicted outcomes by event time for the reference person (``EventStudyFit/referencePerson``),
    /// treated and control, with delta-method intervals (``PredictedProbability/deltaMethod(x:coefficients:covariance:link:critical:)``).
    public func predictions() -> [PredictedPoint] {
        let design = fit.design
        let values = fit.referencePerson.map(\.value)
        let z = ReferenceDistribution.normal.critical(level: level)
        let link: BinaryLink? = fit.model == .logit ? .logit : nil
        let align = alignment()
        return fit.specification.window.enumerated().map { k, e in
            func predict(_ treated: Bool) -> PredictedProbability {
                let row = design.referenceRow(eventIndex: k, treated: treated, controlValues: values)
                return PredictedProbability.deltaMethod(x: align.map { $0.map { row[$0] } ?? 0 }, coefficients: table.coefficients,
                                                        covariance: table.covariance, link: link, critical: z)
            }
            return PredictedPoint(eventTime: e, treated: predict(true), control: predict(false))
        }
    }

    /// Per coefficient: its design column (nil for none).
    func alignment() -> [Int?] {
        let column = Dictionary(uniqueKeysWithValues: fit.design.columnNames.enumerated().map { ($1, $0) })
        return table.names.map { column[$0] }
    }
}
