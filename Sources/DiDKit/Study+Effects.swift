import Panel
import Tabular
import TreatmentEffects

/// One estimator of the study's `effects` step: its fit and arm cells, or the sentence saying why it could not be
/// estimated (the other estimators still run: a robustness table shows every requested row).
public struct StudyEffect: Sendable {
    public let method: TreatmentEffectMethod
    public let fit: TreatmentEffectFit?
    public let cells: ArmCells?
    public let error: String?
}

extension Study {
    /// The `effects` step (``StudySpecification/EffectsOptions``) on the baseline cross-section: every eligible
    /// person (participants `_treated = 1`, the eligible control pool `0`), covariates at the matching baseline row,
    /// the outcome at `start + outcomeRelativeYear` (a missing row or value: dropped and counted by the estimator).
    /// - Parameters:
    ///   - persons: the eligible persons (panel indices); `starts`: their (pseudo) start years; `baselineRow`: their
    ///     baseline panel row (nil: none); `treated`: 1 for participants.
    /// - Complexity: each estimator's (Docs/TreatmentEffects.md); nnmatch is quadratic in the persons.
    /// - Throws: ``PanelError`` for a covariate or outcome column that is not in the data.
    static func treatmentEffects(_ e: StudySpecification.EffectsOptions, spec: StudySpecification, panel: PersonYearPanel,
                                 persons: [Int], starts: [Int], baselineRow: [Int?], treated: [Double]) throws -> [StudyEffect] {
        let covariates = e.covariates ?? spec.matching.covariates
        let factors = e.factors ?? (e.covariates == nil ? (spec.matching.factors ?? []) : [])
        let outcome = e.outcome ?? spec.outcome
        let r = e.outcomeRelativeYear ?? spec.window[1]
        func column(_ c: String) throws -> NumericColumn {
            do { return try panel.table.numeric(c) } catch let err as DataError { throw PanelError.data(err) }
        }
        var columns: [(String, Column)] = [("_treated", .numeric(treated))]
        var seen: Set<String> = ["_treated"]
        for c in (covariates + factors).flatMap({ $0.split(separator: ":").map(String.init) }) where !seen.contains(c) {
            seen.insert(c)
            let v = try column(c)
            columns.append((c, .numeric(baselineRow.map { $0.map { v[$0] } ?? .nan })))
        }
        let y = try column(outcome)
        let outcomeName = "\(outcome)_outcome"
        columns.append((outcomeName, .numeric(persons.indices.map { k in
            panel.row(person: persons[k], year: starts[k] + r).map { y[$0] } ?? .nan
        })))
        let table = try Table(columns)
        return e.estimators.map { method in
            let s = TreatmentEffectsSpecification(
                outcome: outcomeName, treatment: "_treated", method: method, estimand: e.estimand ?? .ate,
                outcomeCovariates: covariates, treatmentCovariates: covariates, factors: factors,
                treatmentModel: e.treatmentModel ?? .logit, outcomeModel: e.outcomeModel ?? .linear, neighbors: e.neighbors ?? 1)
            do {
                let estimator = TreatmentEffects(s)
                let (fit, cells) = try estimator.fitWithCells(table)
                return StudyEffect(method: method, fit: fit, cells: cells, error: nil)
            } catch {
                return StudyEffect(method: method, fit: nil, cells: nil, error: String(describing: error))
            }
        }
    }
}

extension StudyResult {
    /// The effects step's sample counts for the gate: `effects.treated`, `effects.control` (published) and the
    /// eligible persons not in it (missing covariates or outcome; unpublished), tied to the eligible totals.
    func addEffectCells(to cells: inout CellSuppression) {
        guard let sample = effects.compactMap(\.cells).first else { return }
        for (group, n, eligibleCount) in [("treated", sample.treatedPersons, eligible.treated), ("control", sample.controlPersons, eligible.control)] {
            cells.add("eligible.\(group)", eligibleCount, published: false)
            cells.relate(total: "eligible.\(group)", parts: ["missingBaseline.\(group)", "entering.\(group)"])
            cells.add("effects.\(group)", n)
            cells.add("effectsMissing.\(group)", eligibleCount - n, published: false)
            cells.relate(total: "eligible.\(group)", parts: ["effects.\(group)", "effectsMissing.\(group)"])
        }
    }
}
