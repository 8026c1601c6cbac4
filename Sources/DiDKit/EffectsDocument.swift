import TreatmentEffects
import Distributions
import Estimation
import Foundation
import Regression

/// The JSON result of `didkit effects` (the keys of `shared/cli-contract.md`: `estimator`,
/// `estimand`, `observations`, `effect`, `potentialOutcomeMeans`, `treatmentModel`; plus `scale`,
/// `level`, `vce`, `treated`, `controls`, `droppedRows`, the means' standard errors, the risk and
/// odds ratios of a 0/1 outcome and `notes`). Non-finite numbers are `null`.
///
/// The effect is on its effect table's scale: outcome units, or percentage points for a 0/1 outcome.
/// The treatment model's standard errors are those of the stacked M-estimation (Stata's `TME1`
/// rows), not the model's own ML ones.
public struct EffectsDocument: Codable, Sendable, Equatable {
    /// Every key always present (null when withheld or not finite), as the contract has it: a withheld effect was `{}`.
    public struct EffectDocument: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var estimate: Double?
        public var standardError: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var pValue: Double?

        init(_ e: Effect) {
            estimate = finite(e.estimate)
            standardError = e.standardError.flatMap(finite)
            ciLower = e.ciLower.flatMap(finite)
            ciUpper = e.ciUpper.flatMap(finite)
            pValue = e.pValue.flatMap(finite)
        }
    }

    public struct Arms: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var treated: Double?
        public var control: Double?
    }

    public var estimator: String
    public var estimand: String
    public var observations: Int
    public var treated: Int?
    public var controls: Int?
    /// True when the disclosure gate withheld numbers of this document.
    public var suppressed: Bool?
    /// The minimum cell size the document was gated at (`didkit table` refuses to show it under a larger one).
    public var minimumCellSize: Int?
    public var droppedRows: Int
    /// `outcome-units` or `percentage-points`.
    public var scale: String
    public var level: Double
    /// `robust`: M-estimation sandwich (Stata's teffects default); `abadie-imbens` for psmatch
    /// (Abadie-Imbens 2006 adjusted for the estimated score, Abadie-Imbens 2016) and nnmatch (Abadie-Imbens 2006).
    public var vce: String
    /// psmatch, nnmatch: matches per person requested (ties are added).
    public var neighbors: Int?
    public var effect: EffectDocument
    public var potentialOutcomeMeans: Arms
    public var potentialOutcomeMeanStandardErrors: Arms
    /// 0/1 outcome only.
    public var riskRatio: EffectDocument?
    public var oddsRatio: EffectDocument?
    public var outcomeModel: String?
    public var treatmentModel: ModelResultDocument?
    public var notes: [String]

    /// Builds the document and keeps the effect tables it came from for the text reports.
    /// - Throws: ``RegressionError`` if the treatment model's table cannot be made.
    /// - Parameter disclosure: the gate; an arm with fewer than K persons withholds every estimate
    ///   (the effect and the potential-outcome means rest on each arm), the treatment model and both
    ///   arms' counts (one would give the other from `observations`), with a note.
    ///   - cells: the persons per arm and, for a 0/1 outcome, the 1s per arm (``TreatmentEffects/armCells(_:)``):
    ///     a share whose 1s or 0s number fewer than K withholds the estimates too.
    public init(_ fit: TreatmentEffectFit, level: Double = 95, disclosure: DisclosureControl = DisclosureControl(),
                cells: ArmCells? = nil) throws {
        try self.init(ungated: fit, level: level)
        minimumCellSize = disclosure.minimumCellSize
        notes = notes.map(disclosure.gatingCounts)
        if var model = treatmentModel { model.notes = model.notes.map(disclosure.gatingCounts); treatmentModel = model }
        // Rows dropped below K: 0 with a note, as logit, ols and the event study publish them (the JSON gave 2
        // beside a text '<5').
        let dropped = disclosure.zeroingSmall(droppedRows, as: "rows dropped")
        droppedRows = dropped.count
        notes += dropped.note.map { [$0] } ?? []
        var small = [fit.treatedCount, fit.controlCount].contains { $0 > 0 && $0 < disclosure.minimumCellSize }
        if let c = cells {
            small = small || !disclosure.allowsMean(persons: c.treatedPersons, ones: c.treatedOnes)
                || !disclosure.allowsMean(persons: c.controlPersons, ones: c.controlOnes)
        }
        guard small else { return }
        treated = disclosure.count(fit.treatedCount)
        controls = disclosure.count(fit.controlCount)
        // With one arm's count withheld the other's gives it back by subtraction from `observations`:
        // both are withheld (the contract's "difference of published counts").
        if treated == nil || controls == nil { (treated, controls) = (nil, nil) }
        // The treatment model's estimates rest on the same small arm (with 3 treated, its coefficients
        // describe those 3 persons' covariates): withheld with the effect.
        let withheldWhat = treatmentModel == nil ? "estimates" : "estimates and the treatment model"
        treatmentModel = nil
        suppressed = true
        let withheld = EffectDocument(Effect(label: EffectLabel(name: "withheld"), estimate: .nan))
        effect = withheld
        potentialOutcomeMeans = Arms(treated: nil, control: nil)
        potentialOutcomeMeanStandardErrors = Arms(treated: nil, control: nil)
        riskRatio = riskRatio.map { _ in withheld }
        oddsRatio = oddsRatio.map { _ in withheld }
        notes.append("\(withheldWhat) withheld by disclosure control: an arm holds fewer than \(disclosure.minimumCellSize) persons, or (0/1 outcome) fewer than \(disclosure.minimumCellSize) with or without the outcome")
    }

    private init(ungated fit: TreatmentEffectFit, level: Double) throws {
        let spec = fit.specification
        let effectTable = fit.effectTable(level: level)
        let pom = fit.potentialOutcomeMeanTable(level: level)
        estimator = spec.method.rawValue
        estimand = spec.estimand.rawValue
        observations = fit.observations
        treated = fit.treatedCount
        controls = fit.controlCount
        droppedRows = fit.droppedRows
        scale = effectTable.scale.rawValue
        self.level = level
        vce = fit.matching == nil ? "robust" : "abadie-imbens"
        neighbors = fit.matching?.neighbors
        effect = EffectDocument(effectTable.rows[0])
        let (m0, m1) = fit.potentialOutcomeMeans
        potentialOutcomeMeans = Arms(treated: finite(m1), control: finite(m0))
        potentialOutcomeMeanStandardErrors = Arms(treated: pom.rows.first { $0.label.arm == .treated }?.standardError.flatMap(finite),
                                                  control: pom.rows.first { $0.label.arm == .control }?.standardError.flatMap(finite))
        let ratios = fit.ratioTable(level: level)
        riskRatio = ratios?.rows.first { $0.label.name == "risk ratio" }.map(EffectDocument.init)
        oddsRatio = ratios?.rows.first { $0.label.name == "odds ratio" }.map(EffectDocument.init)
        outcomeModel = spec.method.usesOutcomeModel ? spec.outcomeModel.rawValue : nil
        if let tm = fit.treatmentModelFit {
            var doc = ModelResultDocument(tm, try tm.inference(vce: .oim, level: level))
            let stacked = fit.matching == nil
            let crit = Normal.quantile(1 - (1 - level / 100) / 2)
            doc.terms = doc.terms.map { t in
                var t = t
                guard let b = fit.parameter("TME1:\(t.name)"), let se = fit.standardError(of: "TME1:\(t.name)") else { return t }
                t.coefficient = finite(b)
                t.standardError = finite(se)
                t.statistic = se > 0 ? finite(b / se) : nil
                t.pValue = se > 0 ? finite(Normal.twoSidedPValue(b / se)) : nil
                t.ciLower = finite(b - crit * se)
                t.ciUpper = finite(b + crit * se)
                if tm.link == .logit {
                    t.oddsRatio = finite(Foundation.exp(b))
                    t.oddsRatioStandardError = finite(Foundation.exp(b) * se)
                    t.oddsRatioCILower = finite(Foundation.exp(b - crit * se))
                    t.oddsRatioCIUpper = finite(Foundation.exp(b + crit * se))
                }
                return t
            }
            if stacked {
                doc.vce = "robust"
                doc.notes.append("standard errors from the stacked estimating equations of the treatment-effect estimate (M-estimation)")
            }
            treatmentModel = doc
        }
        notes = fit.notes
        tables = Tables(effect: effectTable, potentialOutcomeMeans: pom, ratios: ratios)
    }

    /// The effect tables the document was built from (not encoded).
    struct Tables: Sendable, Equatable {
        var effect: EffectTable
        var potentialOutcomeMeans: EffectTable
        var ratios: EffectTable?
    }
    var tables: Tables?

    enum CodingKeys: String, CodingKey {
        case estimator, estimand, observations, neighbors, treated, controls, droppedRows, scale, level, vce, effect, potentialOutcomeMeans,
             potentialOutcomeMeanStandardErrors, riskRatio, oddsRatio, outcomeModel, treatmentModel, notes, suppressed, minimumCellSize
    }

    public func json() throws -> String { try encodeJSON(self) }

    /// The report: the effect, the potential-outcome means, the ratios (0/1 outcome) and the treatment model,
    /// each through ``EffectTable/reportTable(labelHeader:label:digits:stars:notes:)`` or the model's table.
    public func reportTables() -> [ReportTable] {
        guard let tables else { return [] }
        let method = ["ra": "regression adjustment", "ipw": "inverse probability weighting", "aipw": "augmented IPW",
                      "ipwra": "IPW regression adjustment",
                      "psmatch": "propensity-score matching (\(neighbors ?? 1) nearest, with replacement and ties)",
                      "nnmatch": "nearest-neighbour matching on covariates (\(neighbors ?? 1) nearest, with replacement and ties)"][estimator] ?? estimator
        if suppressed == true {
            return [ReportTable(title: "Treatment effects (\(estimator), \(estimand))", columns: ["Estimand", "Effect"],
                                rows: [[estimand.uppercased(), "withheld"]], notes: notes)]
        }
        var out: [ReportTable] = []
        out.append(tables.effect.reportTable(labelHeader: "Estimand", digits: 3, notes: [
            "Treatment-effects estimation: \(method); \(Format.count(observations)) persons (\(treated.map(Format.count) ?? "<K") treated, \(controls.map(Format.count) ?? "<K") controls).",
            vce == "robust" ? "Std. err.: robust (M-estimation, stacked estimating equations, as Stata's teffects)."
                : estimator == "psmatch"
                ? "Std. err.: Abadie-Imbens, adjusted for the estimated propensity score (Abadie and Imbens 2016), as Stata's teffects psmatch."
                : "Std. err.: Abadie-Imbens (2006), robust (conditional variances from 2 same-arm neighbours).",
        ] + notes.map { "Note: \($0)." }))
        out.append(tables.potentialOutcomeMeans.reportTable(labelHeader: "Arm", digits: 3))
        if let r = tables.ratios { out.append(r.reportTable(labelHeader: "Ratio", digits: 3)) }
        if let tm = treatmentModel { out.append(tm.reportTable(title: "Treatment model (\(tm.model))")) }
        return out
    }
}
