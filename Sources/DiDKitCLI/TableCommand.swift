import ArgumentParser
import DiDKit

extension ModelTable.Below: ExpressibleByArgument {}

/// `didkit table A.json B.json ...`: saved results side by side (fixest's etable, Stata's esttab).
struct TableCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Results saved with --format json side by side: one column per model, a row per term, stars, SEs or intervals, N, persons and pre-trend p.")

    @Argument(help: "JSON results of didkit logit/ols/did/attgt/etwfe/effects --format json, or a report's results.json.")
    var files: [String] = []
    @Option(help: "Comma-separated column titles (default: the file names).") var titles: String?
    @Option(help: "Table title.") var title: String = "Model comparison"
    @Flag(name: [.customLong("odds-ratios"), .customLong("eform")], help: "Odds ratios exp(b) for logit columns.") var oddsRatios = false
    @Flag(name: .customLong("se"), help: "Standard errors in parentheses below each estimate (the default).") var standardErrors = false
    @Flag(name: .customLong("ci"), help: "Confidence intervals in brackets below each estimate.") var intervals = false
    @Flag(help: "No significance stars.") var noStars = false
    @Option(parsing: .unconditional, help: "Decimals of estimates and SEs.") var digits: Int = 3
    @OptionGroup var disclosure: DisclosureOptions
    @Option(help: "Output format: text, markdown, html, latex or csv (tidy rows of every column).") var format: OutputFormat = .text

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one JSON result file, e.g. didkit table a.json b.json") }
        if standardErrors && intervals { throw ValidationError("--se and --ci exclude each other: choose one") }
        if !(0...10).contains(digits) { throw ValidationError("--digits must be between 0 and 10, got \(digits)") }
        if format == .json { throw ValidationError("--format json: the inputs are the JSON; use text, markdown, html, latex or csv") }
        if let t = titles, commaList(t).count != files.count {
            throw ValidationError("--titles names \(commaList(t).count) columns for \(files.count) files: give one title per file")
        }
    }

    func output() throws -> String {
        let table = try ModelTable.load(paths: files, titles: commaList(titles), disclosure: disclosure.control())
        if format == .csv { return table.tidy(eform: oddsRatios).csv }
        return table.reportTable(title: title, eform: oddsRatios, below: intervals ? .confidenceInterval : .standardError,
                                 stars: noStars ? nil : .regression, digits: digits).rendered(as: format)
    }
}
