import Estimation
import Staggered

/// The reason a tidy row gives for a value the gate withheld.
func withheldReason(_ k: Int?) -> String {
    k.map { "disclosure control: rests on fewer than \($0) persons" } ?? "disclosure control: rests on a cell below the minimum cell size"
}

extension ModelResultDocument {
    /// The coefficients as an effect table (log odds for logit and probit, outcome units for OLS),
    /// each labelled by its term (the CLI contract's name, not parsed); withheld terms have NaN.
    public var coefficientEffects: EffectTable {
        let scale: EffectScale = model == "ols" ? .outcomeUnits : .logOdds
        let rows = terms.map { t in
            Effect(label: EffectLabel(term: t.name), estimate: t.coefficient ?? .nan, standardError: t.standardError,
                   ciLower: t.ciLower, ciUpper: t.ciUpper, pValue: t.pValue)
        }
        return EffectTable(title: "Coefficients", scale: scale, level: level, vce: vce, rows: rows, notes: notes)
    }

    /// The logit's odds ratios as an effect table (the document's own `oddsRatio*` numbers); nil for other models.
    public var oddsRatioEffects: EffectTable? {
        guard model == "logit" else { return nil }
        let rows = terms.map { t in
            Effect(label: EffectLabel(term: t.name), estimate: t.oddsRatio ?? .nan, standardError: t.oddsRatioStandardError,
                   ciLower: t.oddsRatioCILower, ciUpper: t.oddsRatioCIUpper, pValue: t.pValue)
        }
        return EffectTable(title: "Odds ratios", scale: .oddsRatio, level: level, vce: vce, rows: rows, notes: notes)
    }

    /// Tidy rows: one per term on the coefficient scale, and for logit one more per term on the
    /// odds-ratio scale; `statistic` is the document's own z (or t). Withheld terms keep only their name.
    public func tidy(model name: String? = nil, component: String = "coefficients", minimumCellSize k: Int? = nil) -> TidyTable {
        let withheld: (Int, Effect) -> String? = { i, _ in terms[i].suppressed == true ? withheldReason(k) : nil }
        var tables = [TidyTable(coefficientEffects, model: name ?? model, component: component, suppressed: withheld)]
        if let or = oddsRatioEffects { tables.append(TidyTable(or, model: name ?? model, component: component, suppressed: withheld)) }
        for t in tables.indices {
            for i in tables[t].rows.indices where tables[t].rows[i].suppression == nil { tables[t].rows[i].statistic = terms[i].statistic }
        }
        return tables.reduce(TidyTable(), +)
    }
}

extension EventStudyDocument {
    /// Tidy rows of an event study: the model's coefficients (and odds ratios), the event study
    /// (odds ratios or coefficients by event time, the pooled effect last), the pre-trend test,
    /// the predicted levels by event time and arm, and the average marginal effects.
    public func tidy(model name: String? = nil) -> TidyTable {
        let m = name ?? result.model
        let reason = withheldReason(minimumCellSize)
        var out = result.tidy(model: m, minimumCellSize: minimumCellSize)
        out = out + TidyTable(effects, model: m, component: "event-study") { i, _ in
            if i < eventStudy.count { return eventStudy[i].suppressed == true ? reason : nil }
            return pooled?.suppressed == true ? reason : nil
        }
        if let t = preTrend {
            out.rows.append(TidyRow(model: m, component: "pre-trend", label: EffectLabel(name: "pre-trend"), scale: "chi2",
                                    statistic: t.statistic, df: t.df, pValue: t.pValue))
        }
        for p in predicted {
            for (arm, value, lo, hi) in [(EffectLabel.Arm.treated, p.treated, p.treatedCILower, p.treatedCIUpper),
                                         (.control, p.control, p.controlCILower, p.controlCIUpper)] {
                let row = TidyRow(model: m, component: "predicted", label: EffectLabel(event: p.eventTime, arm: arm),
                                  scale: EffectScale.probability.rawValue, estimate: value, confLow: lo, confHigh: hi,
                                  confLevel: result.level)
                out.rows.append(p.suppressed == true ? row.withheld(reason) : row)
            }
        }
        for e in marginalEffects {
            let row = TidyRow(model: m, component: "marginal-effects", label: EffectLabel(event: e.eventTime),
                              scale: EffectScale.percentagePoints.rawValue, estimate: e.percentagePoints, standardError: e.standardError,
                              statistic: e.standardError.flatMap { se in e.percentagePoints.map { $0 / se } }.flatMap(finite),
                              pValue: e.pValue, confLow: e.ciLower, confHigh: e.ciUpper, confLevel: result.level)
            out.rows.append(e.suppressed == true ? row.withheld(reason) : row)
        }
        return out
    }
}

/// The reason a tidy row gives for a group-time average the secondary suppression withheld
/// (``GroupTimeDisclosure``): it may rest on enough persons, but it averages a suppressed cell.
let withheldAverageReason = "disclosure control: averages a suppressed group-time cell, which subtraction would give back"

/// Tidy rows of group-time tables (attgt, etwfe): a row is withheld when it rests on fewer than K
/// persons, or when ``GroupTimeDisclosure/isWithheld(_:)`` (an average beside a suppressed cell), which says so.
func groupTimeTidy(_ table: EffectTable, model: String, component: String, disclosure: DisclosureControl) -> TidyTable {
    TidyTable(table, model: model, component: component) { _, e in
        if GroupTimeDisclosure.isWithheld(e) { return withheldAverageReason }
        return !e.isReference && (e.persons ?? 0) < disclosure.minimumCellSize ? withheldReason(disclosure.minimumCellSize) : nil
    }
}

func preTestRow(_ p: ATTGTDocument.PreTest?, model: String) -> [TidyRow] {
    guard let p else { return [] }
    return [TidyRow(model: model, component: "pre-trend", label: EffectLabel(name: "pre-trend"), scale: "chi2", statistic: p.statistic,
                    df: p.df, pValue: p.pValue)]
}

extension ATTGTDocument {
    /// Tidy rows: every ATT(g,t), the pre-test, then each aggregation's effects and its overall
    /// (label `overall`, pointwise interval).
    public func tidy(model name: String = "attgt") -> TidyTable {
        var out = groupTimeTidy(attgtTable, model: name, component: "attgt", disclosure: disclosure)
        out.rows += preTestRow(preTest, model: name)
        for a in aggregateResults {
            var rows = a.type == .simple ? [] : a.table.rows
            if var o = a.overall { o.label = EffectLabel(name: "overall"); rows.append(o) }
            var t = a.table
            t.rows = rows
            var tidy = groupTimeTidy(t, model: name, component: a.type.rawValue, disclosure: disclosure)
            if a.overall != nil, let last = tidy.rows.indices.last, tidy.rows[last].suppression == nil { tidy.rows[last].uniformBand = false }
            out = out + tidy
        }
        return out
    }
}

extension ETWFEDocument {
    /// Tidy rows: every ATT(g,t) (and for the logit its odds ratio), the pre-test, then each
    /// aggregation (the simple one is the overall ATT).
    public func tidy(model name: String = "etwfe") -> TidyTable {
        var out = groupTimeTidy(effects.attgt, model: name, component: "attgt", disclosure: disclosure)
        if let ors = effects.oddsRatios {
            // An odds ratio rests on its cell's persons, as its ATT does.
            var t = ors
            t.rows = ors.rows.map { o in
                var o = o
                o.persons = effects.attgt.row(group: o.label.group, time: o.label.time)?.persons
                return o
            }
            out = out + groupTimeTidy(t, model: name, component: "attgt", disclosure: disclosure)
        }
        out.rows += preTestRow(preTest, model: name)
        for type in aggregations {
            var t = effects.aggregate(type)
            if type == .simple { t.rows = t.rows.map { var e = $0; e.label = EffectLabel(name: "overall"); return e } }
            out = out + groupTimeTidy(t, model: name, component: type.rawValue, disclosure: disclosure)
        }
        return out
    }
}

extension EffectsDocument {
    /// Tidy rows: the effect, the potential-outcome means (by arm), the ratios of a 0/1 outcome and
    /// the treatment model's coefficients. When the gate withheld the estimates, every row says so.
    public func tidy(model name: String? = nil) -> TidyTable {
        let m = name ?? estimator
        guard let tables else { return TidyTable() }
        let hide: (Int, Effect) -> String? = { _, _ in suppressed == true ? withheldReason(nil) : nil }
        var out = TidyTable(tables.effect, model: m, component: "effect", suppressed: hide)
        out = out + TidyTable(tables.potentialOutcomeMeans, model: m, component: "potential-outcome-means", suppressed: hide)
        if let r = tables.ratios { out = out + TidyTable(r, model: m, component: "ratios", suppressed: hide) }
        if let tm = treatmentModel { out = out + tm.tidy(model: m, component: "treatment-model") }
        return out
    }
}

extension MatchDocument {
    /// Tidy rows: the propensity model's coefficients, then per covariate and sample (before,
    /// after matching) the treated mean, control mean, SMD (with the t-test's p-value) and variance
    /// ratio, then the match's counts. A withheld cell (null in the JSON) keeps only its labels and the reason.
    public func tidy(model name: String? = nil) -> TidyTable {
        let m = name ?? "match"
        let reason = withheldReason(minimumCellSize)
        var out = propensityModel.tidy(model: m, component: "propensity-model", minimumCellSize: minimumCellSize)
        for b in balance {
            for (component, s) in [("balance-before", b.before), ("balance-after", b.after)] {
                for (scale, value, p) in [("treated-mean", s.treatedMean, nil), ("control-mean", s.controlMean, nil),
                                          ("smd", s.smd, s.pValue), ("variance-ratio", s.varianceRatio, nil)] as [(String, Double?, Double?)] {
                    let row = TidyRow(model: m, component: component, label: EffectLabel(term: b.name), scale: scale, estimate: value, pValue: p)
                    // The gate withholds cell by cell: a value it kept stays (as in the JSON).
                    out.rows.append(s.suppressed == true && value == nil ? row.withheld(reason) : row)
                }
            }
        }
        let counts: [(String, Int?)] = [("treated", treated), ("controls", controls), ("matched treated", matchedTreated),
                                        ("matched controls", matchedControls), ("unmatched treated", unmatchedTreated),
                                        ("off support", offSupport)]
        for (label, n) in counts {
            let row = TidyRow(model: m, component: "counts", label: EffectLabel(name: label), scale: "count", estimate: n.map(Double.init))
            out.rows.append(n == nil ? row.withheld(reason) : row)
        }
        return out
    }
}
