import ArgumentParser
import DiDKit
import Foundation

extension ETWFEFamily: ExpressibleByArgument {}
extension ETWFEControl: ExpressibleByArgument {}
extension ETWFEAggregation: ExpressibleByArgument {}

/// `didkit etwfe`: Wooldridge's extended two-way fixed effects, linear or logit
/// (shared/cli-contract.md, section `didkit etwfe`).
struct ETWFECommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "etwfe",
        abstract: "Wooldridge's extended two-way fixed effects (ETWFE, as R etwfe / Stata jwdid), linear or logit: ATT(g,t) on the outcome's scale with delta-method SEs, odds ratios for the logit, and emfx aggregations.")

    @OptionGroup var panel: StaggeredPanelOptions
    @Option(help: "Family: linear or logit (default logit for a 0/1 outcome, else linear).") var family: ETWFEFamily?
    @Option(help: "Comma-separated numeric covariates (time-invariant or first-period values, centred within cohort).") var covariates: String?
    @Option(help: "Comma-separated factor covariates (first-period values).") var factors: String?
    @Option(help: "Comparison group: notyet or never (default notyet, as R etwfe).") var control: ETWFEControl = .notyet
    @Option(help: "Aggregation: simple, group, calendar or event (repeatable; default all four).") var aggregate: [ETWFEAggregation] = []
    @Option(help: "Standard errors: cluster, robust or oim (default cluster, by the unit unless --cluster names a column).") var vce: VCEKind = .cluster
    @Option(help: "Cluster column (default: the unit).") var cluster: String?
    @Option(parsing: .unconditional, help: "Confidence level in percent.") var level: Double = 95
    @OptionGroup var disclosure: DisclosureOptions
    @Option(help: "Output format: text, json, markdown, csv or latex.") var format: OutputFormat = .text
    @Flag(help: "Print phase timings to stderr.") var timing = false

    func validate() throws {
        try panel.validateRoles(covariates: commaList(covariates), factors: commaList(factors))
        if let c = cluster {
            try requireDistinctRoles([("--time", panel.time), ("--outcome", panel.outcome), ("--cluster", c)])
        }
        if !(level > 0 && level < 100) { throw ValidationError("--level must be strictly between 0 and 100 (a percentage, for example 95), got \(level)") }
        if cluster != nil && vce != .cluster { throw ValidationError("--cluster needs --vce cluster (the default), got --vce \(vce.rawValue)") }
    }

    func output() throws -> String {
        var clock = PhaseClock(enabled: timing)
        let table = try panel.readTable(covariates: commaList(covariates), factors: commaList(factors), cluster: cluster)
        clock.lap("read")
        let fit = try ETWFE.fit(table: table, id: panel.id, time: panel.time, outcome: panel.outcome, group: panel.group, covariates: commaList(covariates),
                                factors: commaList(factors), cluster: cluster, options: ETWFEOptions(family: family, control: control))
        var types: [ETWFEAggregation] = []
        for t in (aggregate.isEmpty ? ETWFEAggregation.allCases : aggregate) where !types.contains(t) { types.append(t) }
        clock.lap("fit")
        let doc = try ETWFEDocument(fit, vce: vce, level: level, aggregations: types, disclosure: disclosure.control())
        clock.lap("effects")
        clock.report()
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy().csv
        default: return doc.reportTables().map { $0.rendered(as: format) }.joined(separator: "\n")
        }
    }
}
