import DiDKit
import Foundation
import Testing

/// The study file's `effects` step: the estimators side by side on the baseline cross-section, in the report's
/// robustness table and results.json, through the gate. The estimators themselves are validated in
/// TreatmentEffectsTests (Stata and statsmodels on cattaneo2); here the cross-section the step builds is rebuilt
/// independently from the register and the report's numbers are checked against the library's estimates on it.
@Suite("Study: treatment effects side by side", .serialized)
struct StudyEffectsTests {
    static let methods: [TreatmentEffectMethod] = [.ra, .ipw, .aipw, .ipwra, .psmatch]
    static let table = DemoRegister(persons: 6_000, seed: 11).table
    static let covariates = ["age", "nonwestern", "couple", "gp", "father_employed", "mother_employed"]
    static let result: Result<StudyResult, any Error> = Result {
        var spec = StudySpecification.referenceStudy()
        spec.effects = .init(estimators: methods, covariates: covariates)
        return try Study.run(spec, table: table)
    }

    /// The reference study's cross-section, rebuilt by hand: persons aged 14-19 in their start year (participants:
    /// start_year; everyone else: 2014), in school in start-1, start and start+1; covariates in 2010; the outcome
    /// leisure_job in start+1 (the window's last year).
    static func crossSection(covariates: [String]) throws -> Table {
        let ids = try table.text("pnr"), year = try table.numeric("year")
        var rows: [String: [Int: Int]] = [:]
        var order: [String] = []
        for r in 0..<table.rowCount {
            let id = ids[r] ?? ""
            if rows[id] == nil { order.append(id) }
            rows[id, default: [:]][Int(year[r])] = r
        }
        let participant = try table.numeric("participant"), start = try table.numeric("start_year")
        let age = try table.numeric("age"), school = try table.numeric("inschool"), y = try table.numeric("leisure_job")
        var t: [Double] = [], outcome: [Double] = []
        var cov = [[Double]](repeating: [], count: covariates.count)
        let columns = try covariates.map { try table.numeric($0) }
        for id in order {
            let years = rows[id]!
            guard let any = years.values.first else { continue }
            let treated = participant[any] == 1
            let s = treated ? Int(start[any]) : 2014
            guard let r0 = years[s], (14...19).contains(age[r0]),
                  [-1, 0, 1].allSatisfy({ years[s + $0].map { school[$0] == 1 } ?? false }) else { continue }
            t.append(treated ? 1 : 0)
            outcome.append(years[s + 1].map { y[$0] } ?? .nan)
            for (k, c) in columns.enumerated() { cov[k].append(years[2010].map { c[$0] } ?? .nan) }
        }
        return try Table(numeric: [("t", t), ("y", outcome)] + zip(covariates, cov).map { ($0, $1) })
    }

    @Test("each estimator on the step's cross-section equals the library's estimate on the cross-section rebuilt by hand")
    func sameEstimates() throws {
        let r = try Self.result.get()
        let data = try Self.crossSection(covariates: Self.covariates)
        #expect(r.effects.count == Self.methods.count)
        for e in r.effects {
            let fit = try #require(e.fit, "\(e.method): \(e.error ?? "")")
            let spec = TreatmentEffectsSpecification(outcome: "y", treatment: "t", method: e.method, outcomeCovariates: Self.covariates,
                                                     treatmentCovariates: Self.covariates)
            let direct = try TreatmentEffects(spec).fit(data)
            #expect(direct.observations == fit.observations, "\(e.method)")
            #expect(Swift.abs(direct.effect - fit.effect) <= 1e-9 * Swift.max(1, Swift.abs(fit.effect)), "\(e.method): \(direct.effect) vs \(fit.effect)")
            #expect(Swift.abs(direct.effectVariance - fit.effectVariance) <= 1e-9 * fit.effectVariance, "\(e.method)")
        }
    }

    @Test("the robustness table and results.json show every estimator's effect in percentage points, SE, CI and N as the library")
    func report() throws {
        let r = try Self.result.get()
        let report = StudyReport(r)
        let table = try #require(report.effectsTable())
        #expect(table.rows.count == Self.methods.count)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fx-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try report.write(to: folder)
        #expect(files.contains("tables/effects.md"))
        #expect(try String(contentsOfFile: folder + "/index.md", encoding: .utf8).contains("Treatment effects (robustness)"))
        #expect(try String(contentsOfFile: folder + "/index.html", encoding: .utf8).contains("id=\"effects\""))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))) as? [String: Any])
        let docs = try #require(json["effects"] as? [[String: Any]])
        #expect(docs.count == Self.methods.count)
        for (k, e) in r.effects.enumerated() {
            let fit = try #require(e.fit)
            let row = fit.effectTable().rows[0]
            #expect(fit.effectTable().scale == .percentagePoints)
            // leisure_job is 0/1: the effect in percentage points, 100 (mu1 - mu0).
            #expect(Swift.abs(row.estimate - 100 * fit.effect) < 1e-9)
            let doc = docs[k]
            #expect(doc["estimator"] as? String == e.method.rawValue)
            let effect = try #require(doc["effect"] as? [String: Any])
            let published = try #require((effect["estimate"] as? NSNumber)?.doubleValue)
            #expect(Swift.abs(published - row.estimate) <= 1e-12 * Swift.max(1, Swift.abs(row.estimate)))
            let se = try #require((effect["standardError"] as? NSNumber)?.doubleValue)
            #expect(Swift.abs(se - (row.standardError ?? .nan)) <= 1e-12 * se)
            #expect(table.rows[k][1] == Format.fixed(row.estimate, 2))
            #expect(table.rows[k][2] == Format.fixed(row.standardError ?? .nan, 2))
            #expect(table.rows[k][3] == "[\(Format.fixed(row.ciLower ?? .nan, 2)), \(Format.fixed(row.ciUpper ?? .nan, 2))]")
            let cells = try #require(e.cells)
            #expect(table.rows[k][4] == Format.count(cells.treatedPersons) && table.rows[k][5] == Format.count(cells.controlPersons))
            #expect(doc["treated"] as? Int == cells.treatedPersons)
        }
    }

    @Test("under a minimum cell size above the treated arm every estimate is withheld")
    func gate() throws {
        let r = try Self.result.get()
        let treated = try #require(r.effects.first?.cells?.treatedPersons)
        let report = StudyReport(r, disclosure: DisclosureControl(minimumCellSize: treated + 1))
        let table = try #require(report.effectsTable())
        #expect(table.rows.allSatisfy { $0[1] == "withheld" })
        #expect(report.effectDocuments.allSatisfy { $0.effect?.estimate == nil && $0.treated == nil })
    }

    @Test("an effects section is decoded strictly and checked")
    func strict() throws {
        let base = #"{"id": "pnr", "time": "year", "treatment": {"column": "participant", "start": "start_year"}, "controlPool": {"pseudoStart": "fixed", "pseudoStartYear": 2014}, "matching": {"covariates": ["age"]}, "outcome": "leisure_job", "window": [-3, 1], "models": [{"name": "M"}], "effects": EFFECTS}"#
        func load(_ effects: String) throws -> StudySpecification {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fx-\(UUID().uuidString).json").path
            try base.replacingOccurrences(of: "EFFECTS", with: effects).write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try StudySpecification.load(path: path)
        }
        #expect(try load(#"{"estimators": ["ra", "psmatch"], "estimand": "atet"}"#).effects?.estimators == [.ra, .psmatch])
        for (bad, says) in [(#"{"estimator": ["ra"]}"#, "estimator"), (#"{"estimators": ["rra"]}"#, "rra"),
                            (#"{"estimators": []}"#, "effects.estimators is empty"),
                            (#"{"estimators": ["aipw"], "estimand": "atet"}"#, "aipw estimates the ATE only")] {
            do { _ = try load(bad); Issue.record("accepted \(bad)") } catch {
                #expect(String(describing: error).contains(says), "\(error)")
            }
        }
    }
}
