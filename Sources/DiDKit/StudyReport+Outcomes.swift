import Estimation
import Foundation
import Panel
import Plots

extension StudyReport {
    /// Whether the models differ in outcome or in model kind (logit / OLS): then the report sets
    /// their event studies side by side (``outcomesTable()``, ``outcomesSVG()``).
    public var comparesOutcomes: Bool {
        let spec = result.specification
        return spec.modelOutcomes.count > 1 || Set(result.models.map { $0.result.model }).count > 1
    }

    /// The outcome(s) the models use, for the Design section: one outcome as code, several as a
    /// list with "by model".
    func outcomeSummary(code: (String) -> String) -> String {
        let outcomes = result.specification.modelOutcomes
        return outcomes.count == 1 ? code(outcomes[0]) : outcomes.map(code).joined(separator: ", ") + " (by model: see Outcomes side by side)"
    }

    /// How a model's treated x event-time estimates read: `logit, odds ratio`, `linear
    /// probability` (OLS on a 0/1 outcome: differences in probability), or `OLS` (outcome units).
    func estimateKind(_ r: EventStudyResult) -> String {
        if r.model == .logit { return "logit, odds ratio" }
        let y = r.fit.sample.outcome
        return y.allSatisfy { $0 == 0 || $0 == 1 } ? "linear probability" : "OLS, outcome units"
    }

    /// The models' treated x event-time estimates side by side, one column per model (its
    /// outcome and estimator in the heading): estimate with stars and its 95% CI, the
    /// reference period, then the pre-trend test and the sample sizes. Every number from the
    /// gated documents.
    public func outcomesTable(stars: StarConvention = .regression) -> ReportTable {
        let spec = result.specification
        let docs = zip(spec.models, zip(result.models, modelDocuments)).map { (variant: $0, result: $1.0.result, doc: $1.1.document) }
        let times = Array(Set(docs.flatMap { $0.doc.eventStudy.map(\.eventTime) })).sorted()
        var rows: [[String]] = times.map { e in
            ["treated x " + EffectLabel.eventText(e)] + docs.map { d in
                guard let p = d.doc.eventStudy.first(where: { $0.eventTime == e }) else { return "" }
                if p.reference { return "reference" }
                if p.suppressed == true { return "withheld" }
                return "\(Format.fixed(p.estimate ?? .nan, 3))\(stars.stars(p.pValue ?? .nan)) [\(Format.fixed(p.ciLower ?? .nan, 3)), \(Format.fixed(p.ciUpper ?? .nan, 3))]"
            }
        }
        let firstSummary = rows.count
        let marker = "<\(disclosure.minimumCellSize)"
        rows.append(["Pre-trend test p"] + docs.map { d in
            d.doc.preTrend.map { Format.fixed($0.pValue, 3) + (d.doc.preTrendRejected ? " (rejected)" : "") } ?? "" })
        rows.append(["Observations (person-years)"] + docs.map { $0.doc.publishedObservations.map(disclosure.countText) ?? marker })
        rows.append(["Persons, treated"] + docs.map { $0.doc.persons.treated.map(Format.count) ?? marker })
        rows.append(["Persons, control"] + docs.map { $0.doc.persons.control.map(Format.count) ?? marker })
        let columns = ["Event time"] + docs.map { "\($0.variant.name): \(spec.outcome(of: $0.variant)) (\(estimateKind($0.result)))" }
        var notes = ["Each column is one model of the study: its outcome and estimator in the heading. Logit columns give odds ratios (1 = no effect), linear-probability columns differences in the probability of the outcome (0 = no effect), OLS columns differences in the outcome's units. 95% CIs in brackets. Stars: \(stars.legend).",
                     "SEs \((spec.vce ?? .cluster) == .cluster ? "clustered by person" : (spec.vce ?? .cluster).rawValue); reference period start\(spec.reference ?? -1)."]
        for d in spec.derivedOutcomes ?? [] where spec.modelOutcomes.contains(d.name) {
            notes.append("\(d.name) = 1 if \(d.from) \(d.rule.rawValue) \(formatLevel(d.value)), 0 otherwise, missing where \(d.from) is missing.")
        }
        return ReportTable(title: "Event studies side by side: outcomes and estimators", columns: columns, rows: rows, notes: notes,
                           rulesAfter: [firstSummary - 1])
    }

    /// The same estimates in one plot: one panel per scale (odds ratios of the logit models on a
    /// log axis; linear-probability models; each OLS outcome in its units), one colour per model.
    public func outcomesSVG() -> String {
        let spec = result.specification
        var groups: [(key: String, series: [EventStudySeries], oddsRatios: Bool)] = []
        for (variant, ((_, r), (_, doc))) in zip(spec.models, zip(result.models, modelDocuments)) {
            let kind = estimateKind(r)
            let key = kind == "OLS, outcome units" ? "OLS: \(spec.outcome(of: variant))" : kind
            let points = doc.eventStudy.compactMap { p -> EventStudyPlotPoint? in
                if p.suppressed == true { return nil }
                return EventStudyPlotPoint(eventTime: p.eventTime, estimate: p.estimate ?? .nan, ciLower: p.ciLower, ciUpper: p.ciUpper,
                                           isReference: p.reference)
            }
            // The model's name only: the legend is narrow, and the table pairs names with outcomes.
            let s = EventStudySeries(name: variant.name, points: points)
            if let k = groups.firstIndex(where: { $0.key == key }) { groups[k].series.append(s) } else {
                groups.append((key, [s], r.model == .logit))
            }
        }
        let panels = groups.map { g in
            Plots.eventStudyComparison(g.series, oddsRatios: g.oddsRatios, title: "Treated x event time: \(g.key)",
                                       yLabel: g.oddsRatios ? "Odds ratio (log scale)"
                                           : (g.key == "linear probability" ? "Difference in probability" : "Difference in outcome units"))
        }
        return Plots.sideBySide(panels, title: "Event studies side by side: outcomes and estimators")
    }
}
