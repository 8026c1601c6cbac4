import Foundation
import Matching
import Panel
import Plots
import Regression

/// Everything a study run publishes, after disclosure control: tables in every
/// format, JSON documents, SVG plots and an index. Outputs are aggregates only;
/// no person id appears in any of them.
public struct StudyReport: Sendable {
    public let result: StudyResult
    public let disclosure: DisclosureControl

    public init(_ result: StudyResult, disclosure: DisclosureControl? = nil) {
        self.result = result
        self.disclosure = disclosure ?? DisclosureControl(minimumCellSize: result.specification.minimumCellSize ?? 5)
    }

    // MARK: Tables

    /// The balance table after disclosure control.
    public func balanceTable() -> (table: ReportTable, suppressed: Int) {
        var table = result.matchDocument.balanceTable()
        var suppressed = 0
        for (k, row) in result.match.balance.rows.enumerated() {
            let cells: [(Int, Int, Int?)] = [(1, row.after.treatedPersons, row.after.treatedOnes),
                                             (2, row.after.controlPersons, row.after.controlOnes),
                                             (4, row.before.treatedPersons, row.before.treatedOnes),
                                             (5, row.before.controlPersons, row.before.controlOnes)]
            for (col, persons, ones) in cells where !disclosure.allowsMean(persons: persons, ones: ones) {
                table.rows[k][col] = "<\(disclosure.minimumCellSize)"
                suppressed += 1
            }
        }
        let nRow = table.rows.count - 1
        let doc = result.matchDocument
        for (col, n) in [(1, doc.matchedTreated), (2, doc.matchedControls), (4, doc.treated), (5, doc.controls)] where disclosure.count(n) == nil {
            table.rows[nRow][col] = disclosure.countText(n)
            suppressed += 1
        }
        if suppressed > 0 { table.notes.append(disclosure.note) }
        return (table, suppressed)
    }

    /// The models side by side (appendix table 7.3): OR (SE) with stars.
    public func modelsTable(stars: StarConvention = .regression) -> ReportTable {
        let models = result.models
        // Terms in first-appearance order, each with its design role (labels come from roles, not names).
        var order: [(name: String, role: EventStudyDesign.Column)] = []
        for (_, r) in models {
            for (name, role) in zip(r.fit.design.columnNames, r.fit.design.columnRoles)
            where role != .intercept && r.table.names.contains(name) && !order.contains(where: { $0.name == name }) {
                order.append((name, role))
            }
        }
        order.append((TermName.intercept, .intercept))
        var rows: [[String]] = []
        let logit = models.allSatisfy { $0.result.model == .logit }
        for (name, role) in order {
            var row = [role.reportLabel]
            for (_, r) in models {
                if let t = try? r.table.row(name) {
                    let est = logit ? t.oddsRatio ?? .nan : t.coefficient
                    let se = logit ? t.oddsRatioStandardError ?? .nan : t.standardError
                    row.append("\(Format.fixed(est, 3))\(stars.stars(t.pValue)) (\(Format.fixed(se, 3)))")
                } else {
                    row.append("")
                }
            }
            rows.append(row)
        }
        // Reference categories: the reference period among the event dummies, each factor's base level before its levels.
        let ref = result.specification.reference ?? -1
        let refRow = [EventStudyDesign.Column.event(ref).reportLabel] + models.map { _ in "reference" }
        let eventPosition: (EventStudyDesign.Column) -> Int? = { if case .event(let e) = $0 { return e }; return nil }
        let afterRef = order.firstIndex { eventPosition($0.role).map { $0 > ref } ?? false }
            ?? (order.lastIndex { eventPosition($0.role) != nil }.map { $0 + 1 } ?? 1)
        rows.insert(refRow, at: afterRef)
        for (_, r) in models {
            for f in r.specification.factorControls where !rows.contains(where: { $0[0].hasPrefix("\(f)=") && $0.dropFirst().contains("reference") }) {
                let base = r.specification.baseLevels[f] ?? "base"
                let baseRow = [TermName.factorLevel(f, base)] + models.map { $0.result.specification.factorControls.contains(f) ? "reference" : "" }
                let at = rows.firstIndex { $0[0].hasPrefix("\(f)=") } ?? Swift.max(0, rows.count - 1)
                rows.insert(baseRow, at: at)
            }
        }
        let firstSummary = rows.count
        rows.append(["Observations (person-years)"] + models.map { disclosure.countText($0.result.observations) })
        rows.append(["Persons, treated"] + models.map { disclosure.countText($0.result.treatedPersons) })
        rows.append(["Persons, control"] + models.map { disclosure.countText($0.result.controlPersons) })
        rows.append(["Pre-trend test p"] + models.map { m in m.result.preTrend.map { Format.fixed($0.pValue, 3) + ($0.rejects() ? " (rejected)" : "") } ?? "" })
        rows.append(["Converged"] + models.map { $0.result.converged ? "yes" : "NO" })
        var notes = ["\(logit ? "Odds ratios" : "Coefficients") with \(logit ? "delta-method " : "")standard errors in parentheses; SEs \((result.specification.vce ?? .cluster) == .cluster ? "clustered by person" : (result.specification.vce ?? .cluster).rawValue). Stars: \(stars.legend).",
                     "Reference period: start\(ref). Event time = year - start year (pseudo start year for controls: \(result.specification.controlPool.pseudoStart == .fixed ? String(result.specification.controlPool.pseudoStartYear) : "the matched partner's start year"))."]
        for (name, r) in models where !r.notes.isEmpty { notes += r.notes.map { "\(name): \($0)." } }
        return ReportTable(title: "Logit DiD event study, outcome \(result.specification.outcome)", columns: ["Term"] + models.map(\.name),
                           rows: rows, notes: notes, rulesAfter: [firstSummary - 1])
    }

    /// Persons excluded by each condition.
    public func exclusionsTable() -> ReportTable {
        var rows = [["Participants in the register", disclosure.countText(result.participants), ""],
                    ["Control pool", "", disclosure.countText(result.pool)]]
        for e in result.exclusions { rows.append(["Excluded: \(e.reason)", disclosure.countText(e.treated), disclosure.countText(e.control)]) }
        let m = result.matchDocument
        rows.append(["Entering the match", disclosure.countText(m.treated), disclosure.countText(m.controls)])
        rows.append(["Matched", disclosure.countText(m.matchedTreated), disclosure.countText(m.matchedControls)])
        for (reason, n) in m.unmatchedByReason.sorted(by: { $0.key < $1.key }) where n > 0 {
            rows.append(["Unmatched: \(reason)", disclosure.countText(n), ""])
        }
        if result.controlsDroppedAfterMatching > 0 {
            rows.append(["Dropped after matching (conditions at partner's start)", "", disclosure.countText(result.controlsDroppedAfterMatching)])
        }
        var notes = result.notes
        if rows.contains(where: { $0.contains { $0.hasPrefix("<") } }) { notes.append(disclosure.note) }
        return ReportTable(title: "Who is in the study", columns: ["Step", "Treated", "Control"], rows: rows, notes: notes)
    }

    // MARK: Plots

    public func histogramSVG() -> String {
        let h = result.match.histogram
        func dc(_ c: [Int]) -> [Int?] { c.map { disclosure.count($0) } }
        let any = (h.treatedBefore + h.controlBefore + h.treatedAfter + h.controlAfter).contains { $0 > 0 && $0 < disclosure.minimumCellSize }
        return Plots.scoreHistograms(edges: h.edges, treatedBefore: dc(h.treatedBefore), controlBefore: dc(h.controlBefore),
                                     treatedAfter: dc(h.treatedAfter), controlAfter: dc(h.controlAfter),
                                     note: any ? "Dashed outlines: bins with fewer than \(disclosure.minimumCellSize) persons, suppressed." : nil)
    }

    public func eventStudySVG(_ r: EventStudyResult, name: String) -> String {
        Plots.eventStudy(r.inference.eventStudy.rows.map {
            EventStudyPlotPoint(eventTime: $0.label.event ?? 0, estimate: $0.estimate, ciLower: $0.ciLower, ciUpper: $0.ciUpper,
                                isReference: $0.isReference)
        }, oddsRatios: r.inference.eventStudy.scale == .oddsRatio, title: "Event study, \(name): treated x event time")
    }

    public func predictedSVG(_ r: EventStudyResult, name: String) -> String {
        Plots.predictedProbabilities(eventTimes: r.predicted.map(\.eventTime),
                                     treated: r.predicted.map { ($0.treated.probability, $0.treated.ciLower, $0.treated.ciUpper) },
                                     control: r.predicted.map { ($0.control.probability, $0.control.ciLower, $0.control.ciUpper) },
                                     referencePeriod: r.specification.reference, title: "Predicted probability, \(name) (reference person)")
    }

    // MARK: Output

    /// The terminal report.
    public func text() -> String {
        var parts = [exclusionsTable().text, balanceTable().table.text, modelsTable().text]
        if let (name, last) = result.models.last {
            let doc = EventStudyDocument(last)
            parts.append(doc.eventStudyTable().text.replacingOccurrences(of: "Event study:", with: "Event study (\(name)):"))
            parts.append(doc.predictedTable().text)
        }
        return parts.joined(separator: "\n")
    }

    /// Writes the report folder: index.md, tables/, plots/, results.json.
    /// - Returns: the files written, relative to `directory`.
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory)
        for sub in ["tables", "plots"] { try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
        var written: [String] = []
        func put(_ rel: String, _ content: String) throws {
            try content.write(to: root.appendingPathComponent(rel), atomically: true, encoding: .utf8)
            written.append(rel)
        }
        let tables: [(String, ReportTable)] = [("exclusions", exclusionsTable()), ("balance", balanceTable().table), ("models", modelsTable())]
            + result.models.flatMap { name, r -> [(String, ReportTable)] in
                let doc = EventStudyDocument(r)
                let slug = StudySpecification.ModelVariant.slug(of: name)
                return [("event-study-\(slug)", doc.eventStudyTable()), ("predicted-\(slug)", doc.predictedTable())]
            }
        for (name, t) in tables {
            try put("tables/\(name).md", t.markdown)
            try put("tables/\(name).csv", t.csv)
            try put("tables/\(name).tex", t.latex)
            try put("tables/\(name).txt", t.text)
        }
        try put("plots/propensity-scores.svg", histogramSVG())
        for (name, r) in result.models {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            try put("plots/event-study-\(slug).svg", eventStudySVG(r, name: name))
            try put("plots/predicted-\(slug).svg", predictedSVG(r, name: name))
        }
        try put("results.json", resultsJSON())
        try put("index.md", index(tables: tables.map(\.0)))
        return written
    }

    /// All results as one JSON document (aggregates only).
    public func resultsJSON() -> String {
        struct Doc: Encodable {
            var title: String
            var minimumCellSize: Int
            var match: MatchDocument
            var models: [String: EventStudyDocument]
        }
        var match = result.matchDocument
        let h = match.histogram
        func dc(_ c: [Int?]) -> [Int?] { c.map { $0.flatMap { disclosure.count($0) } } }
        match.histogram = MatchDocument.Histogram(edges: h.edges, treatedBefore: dc(h.treatedBefore), controlBefore: dc(h.controlBefore),
                                                  treatedAfter: dc(h.treatedAfter), controlAfter: dc(h.controlAfter))
        return encodeJSON(Doc(title: result.specification.title ?? "DiDKit study", minimumCellSize: disclosure.minimumCellSize,
                              match: match, models: Dictionary(uniqueKeysWithValues: result.models.map { ($0.name, EventStudyDocument($0.result)) })))
    }

    func index(tables: [String]) -> String {
        let spec = result.specification
        var s = ["# \(spec.title ?? "DiDKit study")", "",
                 "Produced by DiDKit. Aggregates only: no person-level rows; cells resting on fewer than \(disclosure.minimumCellSize) persons are suppressed.", "",
                 "## Design", "",
                 "- Outcome: `\(spec.outcome)`; event window start\(spec.window[0]) to start+\(spec.window[1]); reference period start\(spec.reference ?? -1).",
                 "- Pseudo start year for controls: \(spec.controlPool.pseudoStart == .fixed ? String(spec.controlPool.pseudoStartYear) : "inherited from the matched partner").",
                 "- Matching: \((spec.matching.preset ?? .default).rawValue) preset, \((spec.matching.link ?? (spec.matching.preset ?? .default).defaultLink).rawValue) score, caliper \(spec.matching.caliper.map { "\($0)" } ?? "none"), baseline \(spec.matching.baselineCalendarYear.map { "year \($0)" } ?? "start\(spec.matching.baselineRelativeYear ?? -1)").", ""]
        s += ["## Who is in the study", "", exclusionsTable().markdown, "## Balance before and after matching", "", balanceTable().table.markdown,
              "![Propensity scores](plots/propensity-scores.svg)", "", "## Models", "", modelsTable().markdown]
        for (name, r) in result.models {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            let doc = EventStudyDocument(r)
            s += ["### \(name)", "", doc.eventStudyTable().markdown, "![Event study](plots/event-study-\(slug).svg)", "",
                  doc.predictedTable().markdown, "![Predicted probabilities](plots/predicted-\(slug).svg)", ""]
        }
        s += ["## Files", ""] + tables.map { "- `tables/\($0)` (.md, .csv, .tex, .txt)" } + ["- `results.json`: every number above, machine-readable", ""]
        return s.joined(separator: "\n")
    }
}

extension EventStudyDesign.Column {
    /// The row label of a model table: `treated x start+1`, `start-2`, `constant`, or the term name.
    var reportLabel: String {
        switch self {
        case .intercept: return "constant"
        case .treatedEvent(let e): return "treated x " + EffectLabel.eventText(e)
        case .event(let e): return EffectLabel.eventText(e)
        default: return name
        }
    }
}
