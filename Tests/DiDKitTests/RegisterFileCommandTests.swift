import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// `--data` and a study file's `data` take Stata, SAS and SPSS files: the same output as from the
/// CSV holding the same data, and a bad file is one sentence with exit code 1.
@Suite("didkit with register files")
struct RegisterFileCommandTests {
    /// The fixtures of Tests/RegisterFilesTests (written by its Fixtures/make_fixtures.py).
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RegisterFilesTests/Fixtures/\(name)").path
    }


    @Test("logit on a .dta, .sav, .zsav, .xpt or .sas7bdat prints what it prints on the CSV",
          arguments: [("register_v14.dta", "register.csv"), ("register_v8.dta", "register.csv"), ("register.sav", "register.csv"),
                      ("register.zsav", "register.csv"), ("register_v5.xpt", "register_codes.csv"), ("register.sas7bdat", "register_codes.csv")])
    func logitMatchesTheCSV(file: String, csv: String) throws {
        let args = ["--outcome", "died", "--covariates", "year,income,bmi", "--factors", "edu", "--vce", "cluster", "--cluster", "pnr", "--format", "json"]
        let fromFile = try run(["logit", "--data", Self.fixture(file)] + args)
        let fromCSV = try run(["logit", "--data", Self.fixture(csv)] + args)
        #expect(fromFile == fromCSV)
        #expect(fromFile.contains("\"edu=tertiary\"") || fromFile.contains("\"edu=3\""))
    }

    @Test("didkit read reports the same shape for the CSV and the .dta")
    func readCommand() throws {
        #expect(try run(["read", "--data", Self.fixture("register_v14.dta")]) == (try run(["read", "--data", Self.fixture("register.csv")])))
    }

    /// `didkit run` on the reference study with a small sample (a short propensity model: the full one
    /// separates on 500 persons; no caliper; model 1 only), once per run, on demo_panel.dta or on a CSV
    /// of the same register, each run's study edited by its closure. demo_panel.dta is
    /// DemoRegister(persons: 500, seed: 5) (make_fixtures.py); the CSV is written here from the same register.
    func studyOutputs(_ runs: [(onDTA: Bool, edit: (inout StudySpecification) -> Void)]) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-study-dta-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("demo.csv").path
        try CSVWriter.write(DemoRegister(persons: 500, seed: 5).table, to: csv)
        let dta = try TableReader.read(path: Self.fixture("demo_panel.dta"), kinds: ["pnr": .text])
        #expect(dta == (try TableReader.read(path: csv, kinds: ["pnr": .text])), "demo_panel.dta is stale: rerun make_fixtures.py")
        var outputs: [String] = []
        for (onDTA, edit) in runs {
            var spec = StudySpecification.referenceStudy()
            spec.data = onDTA ? Self.fixture("demo_panel.dta") : csv
            spec.matching.covariates = ["age", "income", "gp"]
            spec.matching.factors = nil
            spec.matching.caliper = nil
            spec.models = [spec.models[0]]
            edit(&spec)
            let study = dir.appendingPathComponent("study-\(outputs.count).json").path
            try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: study))
            outputs.append(try run(["run", study, "--format", "json", "--minimum-cell-size", "1"]))
        }
        return outputs
    }

    @Test("a study file whose data is a .dta gives the CSV's results")
    func studyOnAStataFile() throws {
        let outputs = try studyOutputs([(true, { _ in }), (false, { _ in })])
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].contains("\"eventStudy\"") || outputs[0].count > 1000)
    }

    @Test("a study on a .dta whose outcome is a derived outcome runs and gives the CSV's results")
    func derivedOutcomeOnAStataFile() throws {
        // The register-file kinds once named the derived outcome, which is not in the file, and the
        // reader refused it.
        func derived(_ outcome: String) -> (inout StudySpecification) -> Void {
            { spec in
                spec.derivedOutcomes = [DerivedOutcome(name: "hours51", from: "paid_hours", rule: .greaterOrEqual, value: 51)]
                spec.outcome = outcome
                spec.models[0].model = .ols   // a linear probability model: 51 hours is too rare for a logit on 500 persons
            }
        }
        // The derived outcome from the .dta and from the CSV, then the study's own outcome from the CSV.
        let outputs = try studyOutputs([(true, derived("hours51")), (false, derived("hours51")), (false, derived("leisure_job"))])
        #expect(outputs[0] == outputs[1])
        #expect(outputs[1] != outputs[2])   // the derived outcome was the one estimated
    }

    @Test("a damaged, truncated or misnamed file is one sentence naming it, exit code 1")
    func badFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-bad-register-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("register_v14.dta")))
        let files: [(String, Data)] = [
            ("truncated.dta", source.prefix(source.count / 2)),
            ("garbage.sav", Data((0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) })),
            ("stata.sav", source),
        ]
        for (name, bytes) in files {
            let path = dir.appendingPathComponent(name).path
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                _ = try run(["logit", "--data", path, "--outcome", "died", "--covariates", "year"])
                Issue.record("no error for \(name)")
            } catch {
                #expect(DidkitCommand.exitCode(for: error) == ExitCode(1), "\(name)")
                #expect("\(error)".contains(path), "\(error)")
                #expect(!"\(error)".contains("\n"), "\(error)")
            }
        }
    }
}
