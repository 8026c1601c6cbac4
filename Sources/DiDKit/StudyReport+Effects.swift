import Foundation
import TreatmentEffects

/// One row of the study's robustness table in `results.json` (`effects`): the estimator's gated effect, or why it
/// was not estimated. Counts follow the study's gate (`effects.treated`, `effects.control`; null when suppressed).
public struct StudyEffectDocument: Encodable, Sendable {
    public var estimator: String
    public var estimand: String?
    /// `outcome-units` or `percentage-points` (0/1 outcome).
    public var scale: String?
    public var effect: EffectsDocument.EffectDocument?
    /// 0/1 outcome: the potential-outcome means' risk ratio and marginal odds ratio.
    public var riskRatio: EffectsDocument.EffectDocument?
    public var oddsRatio: EffectsDocument.EffectDocument?
    /// `robust` (M-estimation) or `abadie-imbens` (matching).
    public var vce: String?
    public var treated: Int?
    public var controls: Int?
    public var suppressed: Bool?
    public var notes: [String]
    /// Why the estimator could not be run (counts gated), or nil.
    public var error: String?
}

extension StudyReport {
    /// The effects step through the gate, one entry per requested estimator (empty without an `effects` section).
    /// Each estimate passes ``EffectsDocument``'s gate (arms and, for a 0/1 outcome, 1s and 0s per arm of at least K);
    /// the arm counts are the study's gated `effects.*` cells.
    public var effectDocuments: [StudyEffectDocument] {
        let treated = suppressedCounts.contains("effects.treated") ? nil : result.effects.compactMap(\.cells).first?.treatedPersons
        let controls = suppressedCounts.contains("effects.control") ? nil : result.effects.compactMap(\.cells).first?.controlPersons
        return result.effects.map { e in
            guard let fit = e.fit, let doc = try? EffectsDocument(fit, disclosure: disclosure, cells: e.cells) else {
                let why = e.error.map(disclosure.gatingCounts) ?? "the effect document could not be built"
                return StudyEffectDocument(estimator: e.method.rawValue, notes: [], error: why)
            }
            return StudyEffectDocument(estimator: doc.estimator, estimand: doc.estimand, scale: doc.scale, effect: doc.effect,
                                       riskRatio: doc.riskRatio, oddsRatio: doc.oddsRatio, vce: doc.vce,
                                       treated: doc.suppressed == true ? nil : treated, controls: doc.suppressed == true ? nil : controls,
                                       suppressed: doc.suppressed, notes: doc.notes, error: nil)
        }
    }

    /// The robustness table: every requested estimator side by side (estimate, SE, 95% CI, persons per arm), on the
    /// effect's scale (percentage points for a 0/1 outcome); nil without an `effects` section.
    public func effectsTable() -> ReportTable? {
        guard let options = result.specification.effects else { return nil }
        let docs = effectDocuments
        let marker = "<\(disclosure.minimumCellSize)"
        var notes: [String] = []
        let rows: [[String]] = docs.map { d in
            let name = d.estimator + (d.estimand.map { " (\($0.uppercased()))" } ?? "")
            guard d.error == nil, let e = d.effect else {
                notes.append("\(d.estimator): not estimated: \(d.error ?? "")")
                return [name, "not estimated", "", "", "", ""]
            }
            if d.suppressed == true { return [name, "withheld", "", "", marker, marker] }
            let ci = e.ciLower.flatMap { lo in e.ciUpper.map { "[\(Format.fixed(lo, 2)), \(Format.fixed($0, 2))]" } } ?? ""
            return [name, e.estimate.map { Format.fixed($0, 2) } ?? "", e.standardError.map { Format.fixed($0, 2) } ?? "", ci,
                    d.treated.map(Format.count) ?? marker, d.controls.map(Format.count) ?? marker]
        }
        let outcome = options.outcome ?? result.specification.outcome
        let r = options.outcomeRelativeYear ?? result.specification.window[1]
        let scale = docs.compactMap(\.scale).first == "percentage-points" ? "percentage points (0/1 outcome)" : "outcome units"
        notes.insert("Effect of participation on \(outcome) at start\(r >= 0 ? "+" : "")\(r), in \(scale), on the baseline cross-section (all eligible persons before matching; covariates at the matching baseline). SEs: M-estimation sandwich (ra, ipw, aipw, ipwra; Stata's teffects) or Abadie-Imbens (psmatch, adjusted for the estimated score; nnmatch). Normal 95% intervals.", at: 0)
        return ReportTable(title: "Treatment effects: estimators side by side", columns: ["Estimator", "Estimate", "SE", "95% CI", "Treated", "Controls"],
                           rows: rows, notes: notes)
    }
}
