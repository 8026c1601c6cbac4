import ArgumentParser
import DiDKit
import Foundation

extension MatchingPreset: ExpressibleByArgument {}
public enum OrderOption: String, ExpressibleByArgument, Sendable { case ascending, descending, random, data }
extension CaliperScale: ExpressibleByArgument {}

struct MatchCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Propensity-score nearest-neighbour matching with a balance table (psmatch2 and MatchIt presets).")

    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav.") var data: String
    @Option(help: "The person id column.") var id: String
    @Option(help: "The 0/1 treatment column.") var treatment: String
    @Option(help: "Comma-separated covariates of the score model.") var covariates: String
    @Option(help: "Comma-separated factor columns.") var factors: String?
    @Option(parsing: .singleValue, help: "Base level of a factor, as f=LEVEL (repeatable).") var base: [String] = []
    @Option(help: "Score model: logit or probit (psmatch2 preset: probit; otherwise logit).") var model: BinaryLink?
    @Option(help: "Preset: psmatch2 or matchit (default: DiDKit's, see Docs/Matching.md).") var preset: MatchingPreset?
    @Option(parsing: .unconditional, help: "Controls per treated unit.") var neighbors: Int?
    @Option(parsing: .unconditional, help: "Caliper (in --caliper-scale units).") var caliper: Double?
    @Option(help: "Caliper scale: score or sd.") var caliperScale: CaliperScale?
    @Flag(inversion: .prefixedNo, help: "Match with replacement.") var replacement: Bool?
    @Option(help: "Matching order: ascending, descending, random or data.") var order: OrderOption?
    @Option(parsing: .unconditional, help: "Seed for --order random.") var seed: UInt64 = 1
    @Flag(help: "Drop treated units outside the controls' score range.") var commonSupport = false
    @Flag(help: "psmatch2's ties: every control at the nearest distance is matched too, sharing the treated unit's weight (needs replacement).") var ties = false
    @Option(help: "Comma-separated columns to match exactly on.") var exact: String?
    @Option(help: "Write the matched pairs (micro data: person ids) to this CSV file.") var pairsOut: String?
    @Option(help: "Output format: text, json, markdown, csv or latex.") var format: OutputFormat = .text
    @Flag(help: "Print phase timings (read, match: score model, matching and balance) to stderr.") var timing = false
    @OptionGroup var disclosure: DisclosureOptions

    func validate() throws {
        for c in [nil] + commaList(covariates).map(Optional.some) + commaList(exact).map(Optional.some) {
            try requireDistinctRoles([("--id", id), ("--treatment", treatment), ("--covariates/--exact", c)])
        }
        if let c = caliper, !(c > 0 && c.isFinite) { throw ValidationError("--caliper must be a positive number, got \(c)") }
        if let k = neighbors, k < 1 { throw ValidationError("--neighbors must be at least 1, got \(k)") }
        _ = try parseBaseLevels(base, factors: commaList(factors))
        // A usage error (exit 64) before any data are read, not a matching error after the read.
        if specification.ties && !specification.replacement { throw ValidationError(MatchingError.tiesNeedReplacement.description) }
    }

    var specification: MatchingSpecification {
        var s = (preset ?? .default).specification
        if let k = neighbors { s.neighbors = k }
        if let c = caliper { s.caliper = c }
        if let sc = caliperScale { s.caliperScale = sc }
        if let r = replacement { s.replacement = r }
        s.commonSupport = s.commonSupport || commonSupport
        s.ties = s.ties || ties
        switch order {
        case .ascending: s.order = .ascending
        case .descending: s.order = .descending
        case .random: s.order = .random(seed: seed)
        case .data: s.order = .data
        case nil: break
        }
        return s
    }

    static let pairsHeader = "treated_id,control_id,distance,weight"

    func output() throws -> String {
        // Before any work: an existing file is replaced only when it is a pairs file (``OutputFile``), never the data.
        if let path = pairsOut {
            try OutputFile.checkReplaceable(path, firstLine: Self.pairsHeader, what: "a pairs file written by didkit match --pairs-out",
                                            inputs: [data])
        }
        let factorList = commaList(factors)
        var kinds: [String: ColumnKind] = [id: .text, treatment: .numeric]
        for c in commaList(covariates) { for part in c.split(separator: ":") { kinds[String(part)] = .numeric } }
        for f in factorList { kinds[f] = .auto }
        for e in commaList(exact) { kinds[e] = .auto }
        var clock = PhaseClock(enabled: timing)
        let table = try TableReader.read(path: data, kinds: kinds, defaultKind: .skip)
        try Self.checkOneRowPerPerson(table, id: id)
        clock.lap("read")
        let bases = try parseBaseLevels(base, factors: factorList)
        let psm = PropensityScoreMatching(
            treatment: treatment, covariates: commaList(covariates), factors: factorList, baseLevels: bases,
            link: model ?? (preset ?? .default).defaultLink, matching: specification, exact: commaList(exact))
        let match = try psm.run(on: table)
        clock.lap("match")
        clock.report(extra: "units=\(match.rows.count) treated=\(match.result.treatedCount) pairs=\(match.result.pairs.count)")
        if let path = pairsOut { try writePairs(match, table: table, to: path) }
        let doc = MatchDocument(match, disclosure: disclosure.control())
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy().csv
        default:
            let model = doc.propensityModel.reportTable(title: "Propensity-score model (\(doc.propensityModel.model))")
            return model.rendered(as: format) + "\n" + doc.balanceTable().rendered(as: format)
        }
    }

    /// One row per person: a repeated or empty id is an error naming the rows (a person-year panel given to `match`
    /// would count person-years as persons, match a person with itself and print the id twice in the pairs).
    /// - Throws: ``DataError/missingID(column:row:)``, ``DataError/duplicateID(column:value:firstRow:secondRow:)``.
    static func checkOneRowPerPerson(_ table: Table, id: String) throws {
        let ids = try table.text(id)
        let codes = ids.encoded().codes
        var firstRow = [Int](repeating: -1, count: Int(codes.max() ?? -1) + 1)
        for (r, c) in codes.enumerated() {
            guard c >= 0 else { throw DataError.missingID(column: id, row: r + 2) }
            if firstRow[Int(c)] >= 0 {
                throw DataError.duplicateID(column: id, value: ids[r] ?? "", firstRow: firstRow[Int(c)] + 2, secondRow: r + 2)
            }
            firstRow[Int(c)] = r
        }
    }

    /// `treated_id,control_id,distance,weight`: one row per pair (micro data).
    func writePairs(_ m: PropensityScoreMatch, table: Table, to path: String) throws {
        let ids = try table.text(id)
        var out = Self.pairsHeader + "\n"
        for p in m.result.pairs {
            let t = ids[m.rows[p.treated]] ?? "", c = ids[m.rows[p.control]] ?? ""
            out += "\(CSVWriter.field(t)),\(CSVWriter.field(c)),\(p.distance),\(m.result.weights[p.control])\n"
        }
        do { try out.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw DataError.cannotWrite(path: path, reason: "the pairs file could not be written (\(error.localizedDescription))")
        }
        // The header is fixed by the CLI contract, so the warning goes to stderr.
        let hint = path.lowercased().contains("micro") ? "" : " (consider a file name that says so, e.g. pairs-MICRODATA.csv)"
        FileHandle.standardError.write(Data("didkit: wrote \(m.result.pairs.count) matched pairs with person ids to \(path): this is micro data, keep it on the secure server\(hint)\n".utf8))
    }
}

