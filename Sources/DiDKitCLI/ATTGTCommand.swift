import ArgumentParser
import DiDKit
import Foundation

extension ATTMethod: ExpressibleByArgument {}
extension ComparisonGroup: ExpressibleByArgument {}
extension BasePeriod: ExpressibleByArgument {}
extension AggregationType: ExpressibleByArgument {}

/// `didkit attgt`: Callaway & Sant'Anna group-time ATTs (shared/cli-contract.md, section `didkit attgt`).
struct ATTGTCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "attgt",
        abstract: "Callaway & Sant'Anna (2021) group-time average treatment effects ATT(g,t) with did::aggte aggregations, pre-test and multiplier-bootstrap bands.")

    @OptionGroup var panel: StaggeredPanelOptions
    @Option(help: "Comma-separated numeric covariates (baseline, first-period values are used).") var covariates: String?
    @Option(help: "Comma-separated factor covariates (baseline values).") var factors: String?
    @Option(help: "Estimator: reg, ipw, dr or drimp (default dr, as R did's est_method).") var method: ATTMethod = .dr
    @Option(help: "Comparison group: never or notyet (default never).") var control: ComparisonGroup = .never
    @Option(help: "Base period: varying or universal (default varying, as R did).") var base: BasePeriod = .varying
    @Option(parsing: .unconditional, help: "Periods of anticipation (default 0).") var anticipation: Int = 0
    @Option(help: "Aggregation: simple, dynamic, group or calendar (repeatable; default all four).") var aggregate: [AggregationType] = []
    @Option(parsing: .unconditional, help: "Smallest event time of the dynamic aggregation.") var minEvent: Int?
    @Option(parsing: .unconditional, help: "Largest event time of the aggregations.") var maxEvent: Int?
    @Option(parsing: .unconditional, help: "Keep only groups observed this many periods after treatment (dynamic).") var balanceEvent: Int?
    @Option(parsing: .unconditional, help: "Multiplier-bootstrap replications (0 = analytic SEs only).") var bootstrap: Int = 0
    @Option(parsing: .unconditional, help: "Seed of the bootstrap.") var seed: UInt64 = 1
    @Option(help: "Cluster column (default: the unit).") var cluster: String?
    @Option(parsing: .unconditional, help: "Confidence level in percent.") var level: Double = 95
    @OptionGroup var disclosure: DisclosureOptions
    @Option(help: "Output format: text, json, markdown, csv or latex.") var format: OutputFormat = .text
    @Flag(help: "Print phase timings to stderr.") var timing = false

    func validate() throws {
        try panel.validateRoles(covariates: commaList(covariates), factors: commaList(factors))
        if anticipation < 0 { throw ValidationError("--anticipation must be 0 or more, got \(anticipation)") }
        if bootstrap < 0 { throw ValidationError("--bootstrap must be 0 or more, got \(bootstrap)") }
        if bootstrap > 0 && bootstrap < 20 { throw ValidationError("--bootstrap needs at least 20 replications, got \(bootstrap)") }
        if !(level > 0 && level < 100) { throw ValidationError("--level must be strictly between 0 and 100 (a percentage, for example 95), got \(level)") }
        if let a = minEvent, let b = maxEvent, a > b { throw ValidationError("--min-event \(a) exceeds --max-event \(b)") }
        if let be = balanceEvent, be < 0 {
            throw ValidationError("--balance-event must be 0 or more periods after treatment, got \(be)")
        }
    }

    func output() throws -> String {
        var clock = PhaseClock(enabled: timing)
        let table = try panel.readTable(covariates: commaList(covariates), factors: commaList(factors), cluster: cluster)
        clock.lap("read")
        let units = try StaggeredData(table: table, id: panel.id, time: panel.time, outcome: panel.outcome, group: panel.group,
                                      covariates: commaList(covariates), factors: commaList(factors), cluster: cluster)
        let options = StaggeredOptions(method: method, control: control, basePeriod: base, anticipation: anticipation,
                                       bootstrap: bootstrap, seed: seed, level: level, minEvent: minEvent, maxEvent: maxEvent,
                                       balanceEvent: balanceEvent)
        clock.lap("panel")
        let est = try GroupTimeATT(units, options: options)
        clock.lap("estimate")
        var types: [AggregationType] = []
        for t in (aggregate.isEmpty ? AggregationType.allCases : aggregate) where !types.contains(t) { types.append(t) }
        let doc = ATTGTDocument(est, aggregations: types, disclosure: disclosure.control())
        clock.lap("tables")
        clock.report(extra: "units=\(est.units) cells=\(est.cells.count)")
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy().csv
        default: return doc.reportTables().map { $0.rendered(as: format) }.joined(separator: "\n")
        }
    }
}
