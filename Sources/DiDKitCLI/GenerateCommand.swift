import ArgumentParser
import DiDKit
import Foundation

/// Writes the demo's synthetic register as CSV: the data of the benchmarks
/// and of anybody who wants to try `run`/`did`/`match` on a file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the demo's synthetic person-year register (2008-2016) as CSV.")

    @Option(help: "Persons (default 14,930).") var persons: Int = DemoRegister.defaultPersons
    @Option(help: "Random seed.") var seed: UInt64 = 2018
    @Option(help: "Output CSV file.") var out: String
    @Option(help: "Only this calendar year's rows (e.g. 2010: one row per person, for matching).") var year: Int?

    func validate() throws {
        if persons < 200 { throw ValidationError("--persons must be at least 200") }
    }

    mutating func run() throws {
        var table = DemoRegister(persons: persons, seed: seed).table
        if let y = year {
            let years = try table.numeric("year")
            table = table.selectingRows(years.indices.filter { years[$0] == Double(y) })
        }
        do { try CSVWriter.write(table, to: out) } catch {
            FileHandle.standardError.write(Data("didkit: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
