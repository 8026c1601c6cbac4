import ArgumentParser
@testable import DiDKit
@testable import DiDKitCLI
import Foundation
import Tabular
import Testing

/// `didkit run` stores only the columns a study reads (`StudySpecification.dataColumns`) when the CSV
/// has them all. The results must be those of the whole table, with every stage on: derived outcomes,
/// a model with controls and a factor, group-time ATTs and treatment effects each with a covariate no
/// other stage reads, and a window condition on a column only the conditions read.
@Suite("A study reads only its columns")
struct StudyDataColumnsTests {
    static func spec() -> StudySpecification {
        var s = StudySpecification.referenceStudy()
        s.derivedOutcomes = [DerivedOutcome(name: "hours51", from: "paid_hours", rule: .greaterOrEqual, value: 51)]
        s.models = [
            .init(name: "Leisure job", controls: ["male", "income"], factors: ["municipality"], baseLevels: ["municipality": "1"], model: .logit),
            .init(name: "51 hours", controls: [], factors: nil, baseLevels: nil, model: .ols, outcome: "hours51"),
        ]
        s.groupTime = .init(method: .reg, covariates: ["physio"], bootstrap: 0)
        s.effects = .init(estimators: [.ra, .ipw], covariates: ["age", "psychologist"])
        return s
    }


    @Test("the study run from a CSV with unused columns gives the whole table's results; a missing column gives the whole table's error")
    func onlyItsColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-columns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The demo register with one more column no stage reads, holding text.
        var table = DemoRegister(persons: 3_000, seed: 7).table
        try table.setColumn("remark", .text(TextColumn((0..<table.rowCount).map { "note \($0 % 7)" })))
        let csv = dir.appendingPathComponent("register.csv").path
        try CSVWriter.write(table, to: csv)
        var spec = Self.spec()
        spec.data = csv
        #expect(!spec.dataColumns.contains("remark") && !spec.dataColumns.contains("hours51"))
        #expect(spec.dataColumns.isSuperset(of: ["pnr", "year", "male", "age", "municipality", "paid_hours", "physio", "psychologist", "inschool", "gp"]))
        let study = dir.appendingPathComponent("study.json").path
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: study))
        let fromFile = try run(["run", study, "--format", "json", "--minimum-cell-size", "1"])
        // The same study on the whole table, read with every column.
        var whole = spec
        whole.minimumCellSize = 1
        let full = try TableReader.read(path: csv, kinds: spec.dataKinds(for: csv))
        #expect(full.hasColumn("remark"))
        let expected = try StudyReport(try Study.run(whole, table: full)).resultsJSON()
        #expect(fromFile == expected)
        #expect(fromFile.contains("\"groupTime\"") && fromFile.contains("hours51"))

        // A misspelt covariate: every column is read, so the error is the one the whole table gives.
        spec.matching.covariates.append("incme")
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: study))
        let fromCLI = Result { try run(["run", study, "--format", "json"]) }
        let fromTable = Result { try Study.run(spec, table: full) }
        guard case .failure(let a) = fromCLI, case .failure(let b) = fromTable else {
            Issue.record("a missing covariate must be an error")
            return
        }
        #expect("\(a)" == "\(b)" && "\(a)".contains("incme"), "\(a)")
        // The reader alone: only the named columns, or all of them when one is missing.
        let some = try CSVReader.read(path: csv, kinds: ["pnr": .text], storing: ["pnr", "year", "remark"])
        #expect(some.columnNames == ["pnr", "year", "remark"] && some.rowCount == table.rowCount)
        #expect(try CSVReader.read(path: csv, kinds: ["pnr": .text], storing: ["pnr", "nothere"]).columnNames == full.columnNames)
    }
}
