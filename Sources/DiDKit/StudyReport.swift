import Foundation
import Matching
import Panel
import Plots
import Regression
import Staggered

/// Everything a study run publishes, after the disclosure gate: tables in
/// every format, JSON documents, SVG plots and an index. Every number comes
/// from a gated document (``MatchDocument``, ``EventStudyDocument``) or the
/// gated exclusion flow (``StudyResult/disclosureCells``); outputs are
/// aggregates only and no person id appears in any of them.
public struct StudyReport: Sendable {
    public let result: StudyResult
    public let disclosure: DisclosureControl
    /// The count cells the gate suppresses (primary and secondary), by key.
    public let suppressedCounts: Set<String>
    public let matchDocument: MatchDocument
    public let modelDocuments: [(name: String, document: EventStudyDocument)]
    /// The group-time ATTs, gated (when the study asks for them).
    public let groupTimeDocument: ATTGTDocument?
    /// Other runs of the same study (e.g. the partner pseudo start), written in subfolders and
    /// linked from the index (StudyReport+Variants.swift).
    public var variants: [StudyReportVariant] = []

    public init(_ result: StudyResult, disclosure: DisclosureControl? = nil) {
        self.result = result
        let dc = disclosure ?? DisclosureControl(minimumCellSize: Swift.max(1, result.specification.minimumCellSize ?? 5))
        self.disclosure = dc
        let hidden = result.disclosureCells.suppressed(minimumCellSize: dc.minimumCellSize)
        suppressedCounts = hidden
        // The study's match document was gated at the study's size; regate at this report's.
        matchDocument = MatchDocument(result.match, disclosure: dc, suppressedCounts: hidden)
        groupTimeDocument = result.groupTime.map { ATTGTDocument($0, disclosure: dc) }
        modelDocuments = result.models.map { name, r in
            let slug = StudySpecification.ModelVariant.slug(of: name)
            return (name, EventStudyDocument(r, disclosure: dc, suppressedCounts: hidden,
                                             personKeys: ("model[\(slug)].treated", "model[\(slug)].control")))
        }
    }

    /// A count of the exclusion flow as the gate publishes it.
    func count(_ key: String) -> String {
        guard let n = result.disclosureCells.values[key] else { return "" }
        return suppressedCounts.contains(key) ? "<\(disclosure.minimumCellSize)" : Format.count(n)
    }

    // MARK: Tables

    /// The balance table after disclosure control, and the number of cells it suppresses.
    public func balanceTable() -> (table: ReportTable, suppressed: Int) {
        let table = matchDocument.balanceTable()
        let marker = "<\(disclosure.minimumCellSize)"
        return (table, table.rows.reduce(0) { $0 + $1.filter { $0 == marker }.count })
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
            for (_, doc) in modelDocuments {
                if let t = doc.result.terms.first(where: { $0.name == name }) {
                    if t.suppressed == true { row.append("withheld"); continue }
                    let est = (logit ? t.oddsRatio : t.coefficient) ?? .nan
                    let se = (logit ? t.oddsRatioStandardError : t.standardError) ?? .nan
                    row.append("\(Format.fixed(est, 3))\(stars.stars(t.pValue ?? .nan)) (\(Format.fixed(se, 3)))")
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
        let marker = "<\(disclosure.minimumCellSize)"
        rows.append(["Observations (person-years)"] + modelDocuments.map { $0.document.publishedObservations.map(disclosure.countText) ?? marker })
        rows.append(["Persons, treated"] + modelDocuments.map { $0.document.persons.treated.map(Format.count) ?? marker })
        rows.append(["Persons, control"] + modelDocuments.map { $0.document.persons.control.map(Format.count) ?? marker })
        rows.append(["Pre-trend test p"] + modelDocuments.map { m in
            m.document.preTrend.map { Format.fixed($0.pValue, 3) + (m.document.preTrendRejected ? " (rejected)" : "") } ?? "" })
        rows.append(["Converged"] + modelDocuments.map { $0.document.result.converged ? "yes" : "NO" })
        var notes = ["\(logit ? "Odds ratios" : "Coefficients") with \(logit ? "delta-method " : "")standard errors in parentheses; SEs \((result.specification.vce ?? .cluster) == .cluster ? "clustered by person" : (result.specification.vce ?? .cluster).rawValue). Stars: \(stars.legend).",
                     "Reference period: start\(ref). Event time = year - start year (pseudo start year for controls: \(result.specification.controlPool.pseudoStart == .fixed ? String(result.specification.controlPool.pseudoStartYear) : "the matched partner's start year"))."]
        for (name, doc) in modelDocuments where !doc.result.notes.isEmpty { notes += doc.result.notes.map { "\(name): \($0)." } }
        return ReportTable(title: "Logit DiD event study, outcome \(result.specification.outcome)", columns: ["Term"] + models.map(\.name),
                           rows: rows, notes: notes, rulesAfter: [firstSummary - 1])
    }

    /// Who is in the study: the exclusion flow from the register to the match, every count
    /// gated with its relations (no suppressed count follows from the others).
    public func exclusionsTable() -> ReportTable {
        var rows = [["Participants in the register", count("participants.treated"), ""],
                    ["Control pool", "", count("pool.control")]]
        for (k, e) in result.exclusions.enumerated() {
            rows.append(["Excluded: \(e.reason)", count("excluded[\(k)].treated"), count("excluded[\(k)].control")])
        }
        rows.append(["Excluded: missing baseline covariates (or perfectly predicted by them)", count("missingBaseline.treated"),
                     count("missingBaseline.control")])
        rows.append(["Entering the match", count("entering.treated"), count("entering.control")])
        rows.append(["Matched", count("matched.treated"), count("matched.control")])
        for reason in UnmatchedReason.allCases where (result.disclosureCells.values["unmatched[\(reason.rawValue)]"] ?? 0) > 0 {
            rows.append(["Unmatched: \(reason.rawValue)", count("unmatched[\(reason.rawValue)]"), ""])
        }
        if result.controlsDroppedAfterMatching > 0 {
            rows.append(["Dropped after matching (conditions at partner's start)", "", count("droppedAfter.control")])
        }
        var notes = result.notes
        if rows.contains(where: { $0.contains { $0.hasPrefix("<") } }) { notes.append(disclosure.note) }
        return ReportTable(title: "Who is in the study", columns: ["Step", "Treated", "Control"], rows: rows, notes: notes)
    }

    // MARK: Plots

    public func histogramSVG() -> String {
        let h = matchDocument.histogram
        let merged = h.merged.values.contains { !$0.isEmpty }
        let whole = (h.treatedBeforeShare + h.controlBeforeShare + h.treatedAfterShare + h.controlAfterShare).contains { $0 == nil }
        var note: [String] = []
        if merged { note.append("Hatched: neighbouring bins merged until each holds at least \(disclosure.minimumCellSize) persons.") }
        if whole { note.append("A group with fewer than \(disclosure.minimumCellSize) persons in all is not drawn.") }
        func flags(_ name: String, _ n: Int) -> [Bool] {
            let set = Set(h.merged[name] ?? [])
            return (0..<n).map { set.contains($0) }
        }
        let n = h.edges.count - 1
        return Plots.scoreHistograms(edges: h.edges,
                                     treatedBefore: (h.treatedBeforeShare, flags("treatedBefore", n)),
                                     controlBefore: (h.controlBeforeShare, flags("controlBefore", n)),
                                     treatedAfter: (h.treatedAfterShare, flags("treatedAfter", n)),
                                     controlAfter: (h.controlAfterShare, flags("controlAfter", n)),
                                     note: note.isEmpty ? nil : note.joined(separator: " "))
    }

    /// The group-time tables with their file names: the ATT(g,t) table, then one per aggregation.
    public func groupTimeTables() -> [(String, ReportTable)] {
        guard let doc = groupTimeDocument else { return [] }
        let tables = doc.reportTables()
        let names = ["group-time"] + doc.aggregates.map { "group-time-\($0.type)" }
        return Array(zip(names, tables))
    }

    func document(_ name: String) -> EventStudyDocument? { modelDocuments.first { $0.name == name }?.document }

    public func eventStudySVG(_ r: EventStudyResult, name: String) -> String {
        let es = document(name)?.effects ?? EffectTable(title: "", scale: .oddsRatio, level: 95, rows: [])
        return Plots.eventStudy(es.rows.compactMap { e in
            e.label.event.map { EventStudyPlotPoint(eventTime: $0, estimate: e.estimate, ciLower: e.ciLower, ciUpper: e.ciUpper, isReference: e.isReference) }
        }, oddsRatios: es.scale == .oddsRatio, title: "Event study, \(name): treated x event time")
    }

    /// The group-time ATTs by event time (the dynamic aggregation): pointwise intervals, and the
    /// simultaneous band shaded when the study bootstraps; withheld cells are not drawn.
    public func groupTimeSVG() -> String? {
        guard let doc = groupTimeDocument, let dynamic = doc.aggregates.first(where: { $0.type == AggregationType.dynamic.rawValue }) else {
            return nil
        }
        let z = ReferenceDistribution.normal.critical(level: 95)
        let points = dynamic.effects.map { e -> EventStudyPlotPoint in
            let pointwise = (e.att ?? .nan) - z * (e.standardError ?? .nan), upper = (e.att ?? .nan) + z * (e.standardError ?? .nan)
            return EventStudyPlotPoint(eventTime: e.key, estimate: e.att ?? .nan,
                                       ciLower: dynamic.uniformBand ? pointwise : e.ciLower, ciUpper: dynamic.uniformBand ? upper : e.ciUpper,
                                       isReference: false,
                                       bandLower: dynamic.uniformBand ? e.ciLower : nil, bandUpper: dynamic.uniformBand ? e.ciUpper : nil)
        }
        let unit = result.groupTime?.isBinaryOutcome == true ? "percentage points" : "outcome units"
        return Plots.eventStudy(points, oddsRatios: false, title: "Group-time ATTs by event time (Callaway & Sant'Anna)",
                                yLabel: "ATT (\(unit))")
    }

    public func predictedSVG(_ r: EventStudyResult, name: String) -> String {
        let p = document(name)?.predicted ?? []
        return Plots.predictedProbabilities(eventTimes: p.map(\.eventTime),
                                            treated: p.map { ($0.treated ?? .nan, $0.treatedCILower ?? .nan, $0.treatedCIUpper ?? .nan) },
                                            control: p.map { ($0.control ?? .nan, $0.controlCILower ?? .nan, $0.controlCIUpper ?? .nan) },
                                            referencePeriod: r.specification.reference, title: "Predicted probability, \(name) (reference person)")
    }

    // MARK: Output

    /// The terminal report.
    public func text() -> String {
        var parts = [exclusionsTable().text, balanceTable().table.text, modelsTable().text]
        if let (name, doc) = modelDocuments.last {
            parts.append(doc.eventStudyTable().text.replacingOccurrences(of: "Event study:", with: "Event study (\(name)):"))
            parts.append(doc.predictedTable().text)
        }
        return parts.joined(separator: "\n")
    }

    /// Writes the report folder: index.md, tables/, plots/, results.json.
    /// - Returns: the files written, relative to `directory`.
    @discardableResult
    /// The folder is written whole or not at all (``ReportFolder``).
    /// - Throws: ``ReportFolderError`` naming the folder.
    public func write(to directory: String) throws -> [String] {
        try ReportFolder.write(to: directory) { root in try writeFiles(to: root) }
    }

    func writeFiles(to root: URL) throws -> [String] {
        let fm = FileManager.default
        for sub in ["tables", "plots"] { try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true) }
        var written: [String] = []
        func put(_ rel: String, _ content: String) throws {
            try content.write(to: root.appendingPathComponent(rel), atomically: true, encoding: .utf8)
            written.append(rel)
        }
        let tables: [(String, ReportTable)] = [("exclusions", exclusionsTable()), ("balance", balanceTable().table),
                                               ("propensity-model", propensityModelTable()), ("models", modelsTable())]
            + modelDocuments.flatMap { name, doc -> [(String, ReportTable)] in
                let slug = StudySpecification.ModelVariant.slug(of: name)
                return [("event-study-\(slug)", doc.eventStudyTable()), ("predicted-\(slug)", doc.predictedTable())]
            }
        let allTables = tables + groupTimeTables() + extraTables() + (effectsTable().map { [("effects", $0)] } ?? [])
        let data = Dictionary(tidyTables(), uniquingKeysWith: { a, _ in a })
        for (name, t) in allTables {
            try put("tables/\(name).md", t.markdown)
            // The data file: tidy rows with raw numbers (StudyReport+Tidy.swift).
            try put("tables/\(name).csv", data[name]?.csv ?? t.csv)
            try put("tables/\(name).tex", t.latex)
            try put("tables/\(name).txt", t.text)
        }
        try put("plots/propensity-scores.svg", histogramSVG())
        try put("plots/love-plot.svg", lovePlotSVG())
        if comparesOutcomes { try put("plots/outcomes.svg", outcomesSVG()) }
        if let svg = groupTimeSVG() { try put("plots/group-time-event-study.svg", svg) }
        for (name, r) in result.models {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            try put("plots/event-study-\(slug).svg", eventStudySVG(r, name: name))
            try put("plots/predicted-\(slug).svg", predictedSVG(r, name: name))
        }
        try put("results.json", resultsJSON())
        try put("index.md", index(tables: allTables.map(\.0)))
        try put("index.html", html())
        written += try writeVariants(to: root)
        return written
    }

    /// All results as one JSON document (aggregates only).
    public func resultsJSON() throws -> String {
        struct Doc: Encodable {
            var title: String
            var minimumCellSize: Int
            var match: MatchDocument
            var models: [String: EventStudyDocument]
            var groupTime: ATTGTDocument?
            var effects: [StudyEffectDocument]?
        }
        return try encodeJSON(Doc(title: result.specification.title ?? "DiDKit study", minimumCellSize: disclosure.minimumCellSize,
                                  match: matchDocument, models: Dictionary(uniqueKeysWithValues: modelDocuments.map { ($0.name, $0.document) }),
                                  groupTime: groupTimeDocument, effects: result.effects.isEmpty ? nil : effectDocuments))
    }

    func index(tables: [String]) -> String {
        let spec = result.specification
        var s = ["# \(spec.title ?? "DiDKit study")", "",
                 "Produced by DiDKit. Aggregates only: no person-level rows; cells resting on fewer than \(disclosure.minimumCellSize) persons are suppressed.", "",
                 "## Design", "",
                 "- Outcome: \(outcomeSummary(code: { "`\($0)`" })); event window start\(spec.window[0]) to start+\(spec.window[1]); reference period start\(spec.reference ?? -1).",
                 "- Pseudo start year for controls: \(spec.controlPool.pseudoStart == .fixed ? String(spec.controlPool.pseudoStartYear) : "inherited from the matched partner").",
                 "- Matching: \((spec.matching.preset ?? .default).rawValue) preset, \((spec.matching.link ?? (spec.matching.preset ?? .default).defaultLink).rawValue) score, caliper \(spec.matching.caliper.map { "\($0)" } ?? "none"), baseline \(spec.matching.baselineCalendarYear.map { "year \($0)" } ?? "start\(spec.matching.baselineRelativeYear ?? -1)").", ""]
        s += ["## Who is in the study", "", exclusionsTable().markdown, "## Balance before and after matching", "", balanceTable().table.markdown,
              "![Propensity scores](plots/propensity-scores.svg)", "", "![Love plot](plots/love-plot.svg)", "",
              "## Propensity-score model", "", propensityModelTable().markdown, "## Models", "", modelsTable().markdown]
        for (name, doc) in modelDocuments {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            s += ["### \(name)", "", doc.eventStudyTable().markdown, "![Event study](plots/event-study-\(slug).svg)", "",
                  doc.predictedTable().markdown, "![Predicted probabilities](plots/predicted-\(slug).svg)", ""]
        }
        if let doc = groupTimeDocument {
            s += ["## Group-time ATTs (Callaway & Sant'Anna)", "",
                  "Heterogeneity-robust estimates on the same persons: participants grouped by start year, matched controls never treated (Docs/StaggeredAdoption.md).", ""]
            s += doc.reportTables().map(\.markdown)
            if groupTimeSVG() != nil { s += ["![Group-time ATTs by event time](plots/group-time-event-study.svg)", ""] }
        }
        s += extraMarkdownSections()
        if let t = effectsTable() { s += ["## Treatment effects (robustness)", "", t.markdown] }
        s += ["## Files", ""] + tables.map { "- `tables/\($0)` (.md, .csv, .tex, .txt)" } + ["- `results.json`: every number above, machine-readable", "- `index.html`: this report as one page (tables and plots inline; print it to PDF from a browser)", ""]
        return Self.withContents(s).joined(separator: "\n")
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
