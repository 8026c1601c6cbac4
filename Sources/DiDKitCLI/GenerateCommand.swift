import ArgumentParser
import DiDKit
import Foundation

/// Writes the demo's synthetic register as CSV: the data of the benchmarks
/// and of anybody who wants to try `run`/`did`/`match` on a file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the demo's synthetic person-year register (2008-2016) as CSV.")

    @Option(parsing: .unconditional, help: "Persons (default 14,930).") var persons: Int = DemoRegister.defaultPersons
    @Option(parsing: .unconditional, help: "Random seed.") var seed: UInt64 = 2018
    @Option(help: "Output CSV file.") var out: String
    @Option(parsing: .unconditional, help: "Only this calendar year's rows (e.g. 2010: one row per person, for matching).") var year: Int?
    @Flag(help: "No progress line on stderr, even on a terminal.") var quiet = false

    func validate() throws {
        if persons < 200 { throw ValidationError("--persons must be at least 200") }
    }

    mutating func run() throws {
        do {
            // Before generating (minutes for a whole country): an existing file of the user's is never replaced.
            try OutputFile.checkReplaceable(out, firstLine: DemoRegister.columnNames.joined(separator: ","),
                                            what: "a register written by didkit generate")
            let p = ProgressLine(forced: false, quiet: quiet)
            var table = p.run { DemoRegister(persons: persons, seed: seed).table }
            if let y = year {
                let years = try table.numeric("year")
                table = table.selectingRows(years.indices.filter { years[$0] == Double(y) })
            }
            // Written beside the target and moved into place: an interrupted run leaves no half register under `out`.
            let temporary = out + ".didkit-tmp-\(UUID().uuidString)"
            do {
                try CSVWriter.write(table, to: temporary)
                guard rename(temporary, out) == 0 else {
                    throw DataError.cannotWrite(path: out, reason: String(cString: strerror(errno)))
                }
            } catch DataError.cannotWrite(_, let why) {
                // Named as the user gave it, not as the temporary file beside it.
                try? FileManager.default.removeItem(atPath: temporary)
                throw DataError.cannotWrite(path: out, reason: why)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("didkit: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Reads a data file (CSV or a register file) completely (every column, numbers or text) and prints its
/// shape: the CSV-ingest step of the benchmarks, and a quick check of a file.
struct ReadCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read a data file (CSV, .dta, .sas7bdat, .xpt, .sav, .zsav) completely and report its rows, columns and missing values.")

    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav.") var data: String
    @Flag(help: "Print the read time to stderr.") var timing = false

    func output() throws -> String {
        var clock = PhaseClock(enabled: timing)
        let table = try TableReader.read(path: data)
        clock.lap("read")
        var missing = 0, text = 0
        for name in table.columnNames {
            let c = try table.column(name)
            if case .text = c { text += 1 }
            missing += c.missingCount
        }
        clock.report(extra: "rows=\(table.rowCount) columns=\(table.columnNames.count)")
        return "\(Format.count(table.rowCount)) rows, \(table.columnNames.count) columns (\(text) text), \(Format.count(missing)) missing values\n"
    }
}
