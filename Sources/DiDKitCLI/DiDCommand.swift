import ArgumentParser
import DiDKit
import Foundation

extension EventStudyModel: ExpressibleByArgument {}
extension VCEKind: ExpressibleByArgument {}

/// Parses `-3:1` into a closed range.
func parseWindow(_ s: String) throws -> ClosedRange<Int> {
    let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2, let lo = parts[0], let hi = parts[1] else {
        throw ValidationError("--window takes LOW:HIGH event times, e.g. -3:1 (got '\(s)')")
    }
    guard lo <= hi else { throw ValidationError("--window \(s): LOW must not exceed HIGH") }
    return lo...hi
}

struct DiDCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "did",
        abstract: "Logit (or linear) DiD event study on a person-year panel: treated x event-time odds ratios, pre-trend test, predicted probabilities.")

    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav; one row per person and year.") var data: String
    @Option(help: "The person id column.") var id: String
    @Option(help: "The year column.") var time: String
    @Option(help: "The outcome column (0/1 for logit).") var outcome: String
    @Option(help: "The 0/1 treatment column (constant within a person).") var treatment: String
    @Option(help: "Each person's start year (the pseudo start year for controls).") var start: String
    @Option(parsing: .unconditional, help: "Event window LOW:HIGH, e.g. -3:1.") var window: String = "-3:1"
    @Option(parsing: .unconditional, help: "The omitted reference period.") var reference: Int = -1
    @Option(help: "Comma-separated numeric controls (read from each person-year).") var controls: String?
    @Option(help: "Comma-separated factor controls.") var factors: String?
    @Option(parsing: .singleValue, help: "Base level of a factor, as f=LEVEL (repeatable).") var base: [String] = []
    @Option(help: "Model: logit or ols.") var model: EventStudyModel = .logit
    @Option(help: "Variance: oim, robust or cluster (by person, the default).") var vce: VCEKind = .cluster
    @Option(parsing: .unconditional, help: "Confidence level in percent.") var level: Double = 95
    @Flag(help: "Keep persons with no observation in the reference period (repeated cross-sections).") var keepWithoutReference = false
    @Option(parsing: .unconditional, help: "Pseudo start year for controls whose start column is empty (the reference study: 2014).") var pseudoStart: Int?
    @Flag(help: "Print phase timings to stderr.") var timing = false
    @Option(help: "Person weights, constant within a person (matching weights: a control used k times has weight k).") var weights: String?
    @Option(help: "Cluster column for --vce cluster, constant within a person (e.g. the matched pair); default: the person.") var cluster: String?
    @OptionGroup var disclosure: DisclosureOptions
    @Option(help: "Output format: text, json, markdown, csv or latex.") var format: OutputFormat = .text

    func validate() throws {
        try requireDistinctRoles([("--id", id), ("--time", time), ("--outcome", outcome), ("--treatment", treatment), ("--start", start)])
        for c in commaList(controls) + commaList(factors) {
            try requireDistinctRoles([("--id", id), ("--time", time), ("--outcome", outcome), ("--treatment", treatment),
                                      ("--start", start), ("--controls/--factors", c)])
        }
        if cluster != nil && vce != .cluster { throw ValidationError("--cluster is used only with --vce cluster") }
        try requireDistinctRoles([("--id", id), ("--time", time), ("--outcome", outcome), ("--treatment", treatment), ("--start", start),
                                  ("--weights", weights), ("--cluster", cluster)])
        if !(level > 0 && level < 100) { throw ValidationError("--level must be strictly between 0 and 100 (a percentage, for example 95), got \(level)") }
        let w = try parseWindow(window)
        if !w.contains(reference) { throw ValidationError("--reference \(reference) must lie inside --window \(window)") }
        if w.count < 2 { throw ValidationError("--window \(window) holds only the reference period: give at least one other event time, e.g. -3:1") }
        _ = try parseBaseLevels(base, factors: commaList(factors))
    }

    func output() throws -> String {
        var kinds: [String: ColumnKind] = [id: .text, time: .numeric, outcome: .numeric, treatment: .numeric, start: .numeric]
        for c in commaList(controls) { kinds[c] = .numeric }
        if let w = weights { kinds[w] = .numeric }
        if let c = cluster { kinds[c] = .numeric }
        for f in commaList(factors) { kinds[f] = .auto }
        var clock = PhaseClock(enabled: timing)
        let table = try TableReader.read(path: data, kinds: kinds, defaultKind: .skip)
        clock.lap("read")
        let panel = try PersonYearPanel(table, id: id, time: time)
        let cohorts = try Cohorts(panel: panel, treatment: treatment, start: start, pseudoStart: pseudoStart)
        let bases = try parseBaseLevels(base, factors: commaList(factors))
        let spec = EventStudySpecification(outcome: outcome, window: try parseWindow(window), reference: reference,
                                           controls: commaList(controls), factorControls: commaList(factors), baseLevels: bases,
                                           model: model, requireReferenceObservation: !keepWithoutReference)
        let personWeights = try weights.map { try panel.constantPersonValue($0).map { $0.isNaN ? 0 : $0 } }
        let personClusters = try cluster.map { c -> [Int] in
            let values = try panel.constantPersonValue(c)
            let missing = values.filter(\.isNaN).count
            if missing > 0 { throw PanelError.missingCluster(column: c, persons: missing) }
            return ClusterIDs(labels: values).codes.map { Int($0) }
        }
        let sample = try EventStudySample(panel: panel, cohorts: cohorts, specification: spec, personWeights: personWeights,
                                          personClusters: personClusters)
        clock.lap("panel")
        let result = try EventStudy.estimate(sample, vce: vce, level: level, pooledEstimate: !timing)
        clock.lap("fit")
        clock.report(extra: "rows=\(sample.count) columns=\(result.table.names.count + result.omitted.count) iterations=\(result.iterations) passes=\(result.dataPasses)")
        var doc = EventStudyDocument(result, disclosure: disclosure.control())
        let noStart = cohorts.personsWithoutStart
        let dc = disclosure.control()
        if noStart > 0 { doc.result.notes.append("\(dc.countText(noStart)) control persons without a (pseudo) start year are not in the study") }
        if panel.droppedRows > 0 { doc.result.notes.append("\(dc.countText(panel.droppedRows)) rows without id or year dropped") }
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy().csv
        default:
            return [doc.result.reportTable(title: "Event-study \(doc.result.model)"), doc.eventStudyTable(), doc.predictedTable()]
                .map { $0.rendered(as: format) }.joined(separator: "\n")
        }
    }
}
