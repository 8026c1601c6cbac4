import ArgumentParser
import DiDKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The reference study's whole evaluation on a built-in synthetic register: matching, balance, odds-ratio tables, event study, pre-trend test, predicted probabilities, plots.")

    @Option(help: "Write the report folder here (index.html, index.md, tables, plots).") var out: String = "didkit-report"
    @Option(help: "Persons in the synthetic register (default 14,930: the study's 14,641 controls and 289 participants).")
    var persons: Int = DemoRegister.defaultPersons
    @Option(parsing: .unconditional, help: "Random seed of the synthetic register.") var seed: UInt64 = 2018
    @OptionGroup var disclosure: DisclosureOptions
    @Flag(help: "Show progress on stderr even when it is not a terminal.") var progress = false
    @Flag(help: "No progress on stderr, even on a terminal.") var quiet = false
    @Option(help: "Terminal output: text, json or csv (every data file's tidy rows).") var format: OutputFormat = .text

    func validate() throws {
        if persons < 200 { throw ValidationError("--persons must be at least 200 (got \(persons))") }
        if persons > 100_000_000 { throw ValidationError("--persons must be at most 100,000,000 (got \(persons))") }
        if out.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--out needs a folder name") }
    }

    func output() throws -> String {
        try ReportFolder.check(out)
        let p = ProgressLine(forced: progress, quiet: quiet)
        p.report("generating the synthetic register (\(Format.count(persons)) persons, 2008-2016)")
        let register = p.run { DemoRegister(persons: persons, seed: seed) }
        var spec = StudySpecification.referenceStudy()
        spec.minimumCellSize = disclosure.control().minimumCellSize
        let result = try p.run { try Study.run(spec, table: register.table, progress: { p.report($0) }) }
        var report = StudyReport(result)
        p.report("the same study with each control inheriting its partner's start year")
        var partnerSpec = StudySpecification.referenceStudy(pseudoStart: .partner)
        partnerSpec.minimumCellSize = spec.minimumCellSize
        let partner = StudyReport(try p.run { try Study.run(partnerSpec, table: register.table, progress: nil) })
        report.variants = [StudyReportVariant(title: "Controls inherit their matched partner's start year", folder: "partner-start",
                                              report: partner)]
        p.report("writing the report to \(out)/")
        let files = try report.write(to: out)
        p.report("done")
        if format == .json { return try report.resultsJSON() }
        if format == .csv { return report.tidy().csv }
        var text = "DiDKit demo: the reference study's youth analysis (leisure jobs) on a synthetic register of \(Format.count(persons)) persons.\n"
        text += "The register is generated so that the true treated x event-time odds ratios are the published model-2 values (0.635, 0.927, 1, 3.271, 2.577).\n\n"
        text += report.text()
        text += "\n" + report.pseudoStartComparison(with: partner).text
        text += "\nReport written to \(out)/ (\(files.count) files; open \(out)/index.html). The partner-start variant is in \(out)/partner-start/.\n"
        return text
    }
}

struct RunCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a whole evaluation described in a study file: match, panel, models, tables and plots.")

    @Argument(help: "The study file (JSON; see Docs/StudyFile.md).") var study: String
    @Option(help: "Write the report folder here.") var out: String?
    @Flag(help: "Show progress on stderr even when it is not a terminal.") var progress = false
    @Flag(help: "No progress on stderr, even on a terminal.") var quiet = false
    @Option(help: "Terminal output: text, json or csv (every data file's tidy rows).") var format: OutputFormat = .text
    @OptionGroup var disclosure: DisclosureOptions

    func output() throws -> String {
        if let out { try ReportFolder.check(out) }
        let p = ProgressLine(forced: progress, quiet: quiet)
        var spec = try StudySpecification.load(path: study)
        // The flag, when given, overrides the study file's minimumCellSize.
        spec.minimumCellSize = disclosure.control(fallback: spec.minimumCellSize).minimumCellSize
        let table: Table
        if let data = spec.data {
            let path = data.hasPrefix("/") ? data : URL(fileURLWithPath: study).deletingLastPathComponent().appendingPathComponent(data).path
            p.report("reading \(path)")
            table = try p.run { try TableReader.read(path: path, kinds: spec.dataKinds(for: path), storing: spec.dataColumns) }
        } else {
            p.report("no data file given: using the built-in demo register")
            table = p.run { DemoRegister().table }
        }
        // Handed over, not shared: the study then holds the table's only reference and frees the id column
        // once the persons are coded (0.9 GB at 6M persons), which later stages reuse.
        let handoff = Handoff(consume table)
        let result = try p.run { try Study.run(spec, table: handoff.take(), progress: { p.report($0) }) }
        let report = StudyReport(result)
        if let out { try report.write(to: out); p.report("report written to \(out)/") }
        switch format {
        case .json: return try report.resultsJSON()
        case .csv: return report.tidy().csv
        default: return report.text()
        }
    }
}

/// Hands a value to one consumer and keeps no reference once it is taken (a closure that captured the value
/// itself would keep it alive until the closure is gone).
final class Handoff<Value> {
    private var value: Value?

    init(_ value: consuming Value) { self.value = value }

    /// The value; the handoff no longer holds it.
    /// - Precondition: taken once.
    func take() -> Value {
        guard let v = value.take() else { preconditionFailure("Handoff: the value was already taken") }
        return v
    }
}
