@testable import DiDKit
import Foundation
import Testing

/// Several outcomes in one study (per-model `outcome`, `derivedOutcomes`), the outcomes side by
/// side, the balance table's p-values and variance ratios, the love plot, the propensity model
/// table and the variants in the report.
@Suite("Several outcomes, balance columns, love plot and variants in a study report", .serialized)
struct StudyOutcomesTests {
    static let register = DemoRegister(persons: 3000, seed: 11)

    static func spec() -> StudySpecification {
        var s = StudySpecification.referenceStudy()
        s.derivedOutcomes = [DerivedOutcome(name: "hours51", from: "paid_hours", rule: .greaterOrEqual, value: 51),
                             DerivedOutcome(name: "q3_work", from: "paid_hours_q3", rule: .greater, value: 0)]
        s.models = [
            .init(name: "Leisure job", controls: [], factors: nil, baseLevels: nil, model: .logit),
            .init(name: "51 hours", controls: [], factors: nil, baseLevels: nil, model: .logit, outcome: "hours51"),
            .init(name: "51 hours LPM", controls: [], factors: nil, baseLevels: nil, model: .ols, outcome: "hours51"),
            .init(name: "Hours OLS", controls: [], factors: nil, baseLevels: nil, model: .ols, outcome: "paid_hours"),
        ]
        return s
    }

    static let result = try! Study.run(spec(), table: register.table)

    /// The same study with one model on `outcome` as the study's outcome.
    static func single(_ outcome: String, _ model: EventStudyModel, derived: Bool) throws -> EventStudyResult {
        var s = spec()
        s.outcome = outcome
        if !derived { s.derivedOutcomes = nil }
        s.models = [.init(name: "M", controls: [], factors: nil, baseLevels: nil, model: model)]
        return try Study.run(s, table: register.table).models[0].result
    }

    @Test("the demo's paid hours agree with leisure_job (>= 26 hours exactly when 1) and are sometimes missing")
    func demoHours() throws {
        let t = Self.register.table
        let job = try t.numeric("leisure_job"), hours = try t.numeric("paid_hours"), q3 = try t.numeric("paid_hours_q3")
        var missing = 0
        for i in 0..<t.rowCount {
            if hours[i].isNaN { missing += 1; #expect(q3[i].isNaN); continue }
            #expect((hours[i] >= 26) == (job[i] == 1), "row \(i)")
            #expect(q3[i] >= 0 && q3[i] <= hours[i])
        }
        // 0.2 % of 27,000 person-years: 54 expected; the binomial SD is about 7.
        #expect(missing > 20 && missing < 100)
    }

    @Test("each model uses its own outcome: identical to a study whose outcome it is")
    func perModelOutcome() throws {
        let models = Self.result.models
        #expect(models.map { $0.result.specification.outcome } == ["leisure_job", "hours51", "hours51", "paid_hours"])
        for (k, outcome, model, derived) in [(1, "hours51", EventStudyModel.logit, true), (3, "paid_hours", .ols, false)] {
            let alone = try Self.single(outcome, model, derived: derived)
            #expect(models[k].result.table.rows.map(\.coefficient) == alone.table.rows.map(\.coefficient), "\(outcome)")
            #expect(models[k].result.table.standardErrors == alone.table.standardErrors, "\(outcome)")
            #expect(models[k].result.observations == alone.observations)
        }
        // The derived outcome is the rule applied to the source, missing where it is missing.
        let d = DerivedOutcome(name: "h", from: "paid_hours", rule: .greaterOrEqual, value: 51)
        let hours = try Self.register.table.numeric("paid_hours")
        var t = Self.register.table
        var s = Self.spec()
        s.derivedOutcomes = [d]
        t = try s.addingDerivedOutcomes(to: t).table
        let h = try t.numeric("h")
        for i in 0..<t.rowCount { #expect(hours[i].isNaN ? h[i].isNaN : h[i] == (hours[i] >= 51 ? 1 : 0)) }
        let missing = (0..<hours.count).filter { hours[$0].isNaN }.count
        #expect(Self.result.notes.contains { $0.contains("outcome hours51 = paid_hours >= 51: \(missing) person-years") })
    }

    @Test("derived outcomes are decoded strictly, with errors naming the key, the column and the nearest valid value")
    func badDerivedOutcomes() throws {
        func load(_ derived: String) -> String {
            let json = #"{"id": "pnr", "time": "year", "treatment": {"column": "participant", "start": "start_year"}, "controlPool": {"pseudoStart": "fixed", "pseudoStartYear": 2014}, "matching": {"covariates": ["age"]}, "outcome": "h", "window": [-3, 1], "models": [{"name": "M"}], "derivedOutcomes": \#(derived)}"#
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("outcomes-\(UUID().uuidString).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(FileManager.default.createFile(atPath: path, contents: Data(json.utf8)))
            do {
                let spec = try StudySpecification.load(path: path)
                _ = try Study.run(spec, table: Self.register.table)
                return "no error"
            } catch { return String(describing: error) }
        }
        let rule = load(#"[{"name": "h", "from": "paid_hours", "rule": "=>", "value": 26}]"#)
        #expect(rule.contains("derivedOutcomes.rule '=>' is not valid") && rule.contains(">="), "\(rule)")
        let key = load(#"[{"name": "h", "from": "paid_hours", "rule": ">=", "value": 26, "threshold": 26}]"#)
        #expect(key.contains("threshold"), "\(key)")
        let column = load(#"[{"name": "h", "from": "paid_hour", "rule": ">=", "value": 26}]"#)
        #expect(column.contains("'paid_hour' is not in the data") && column.contains("paid_hours"), "\(column)")
        let clash = load(#"[{"name": "h", "from": "paid_hours", "rule": ">=", "value": 26}, {"name": "h", "from": "paid_hours", "rule": ">", "value": 0}]"#)
        #expect(clash.contains("'h' is defined twice"), "\(clash)")
        // A column of the data the study does not otherwise use, then one it uses (a matching covariate): refused
        // before any data are read, naming the role (it emptied the sample once, reported as 'no rows').
        let existing = load(#"[{"name": "h", "from": "paid_hours", "rule": ">=", "value": 26}, {"name": "income", "from": "paid_hours", "rule": ">", "value": 0}]"#)
        #expect(existing.contains("already have a column of that name"), "\(existing)")
        let used = load(#"[{"name": "h", "from": "paid_hours", "rule": ">=", "value": 26}, {"name": "age", "from": "paid_hours", "rule": ">", "value": 0}]"#)
        #expect(used.contains("the study also uses 'age' as a data column"), "\(used)")
    }

    @Test("the report sets the outcomes side by side in one table and one plot, linked from both indexes")
    func outcomesSection() throws {
        let report = StudyReport(Self.result)
        #expect(report.comparesOutcomes)
        let table = report.outcomesTable()
        #expect(table.columns.count == 5)
        #expect(table.columns[1].contains("leisure_job (logit, odds ratio)"))
        #expect(table.columns[3].contains("hours51 (linear probability)"))
        #expect(table.columns[4].contains("paid_hours (OLS, outcome units)"))
        // Cells are the gated documents' estimates.
        let doc = report.modelDocuments[3].document
        let start = try #require(doc.eventStudy.first { $0.eventTime == 0 })
        let row = try #require(table.rows.first { $0[0] == "treated x start" })
        #expect(row[4].hasPrefix(Format.fixed(start.estimate ?? .nan, 3)))
        let svg = report.outcomesSVG()
        #expect(parseSVG(svg).ok)
        #expect(svg.components(separatedBy: "<g transform=\"translate(").count - 1 == 3)   // logit, LPM, OLS hours
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-outcomes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try report.write(to: dir)
        #expect(files.contains("plots/outcomes.svg") && files.contains("tables/outcomes.csv") && files.contains("plots/love-plot.svg"))
        #expect(files.contains("tables/propensity-model.md"))
        let md = try String(contentsOfFile: dir + "/index.md", encoding: .utf8)
        for link in ["[Outcomes side by side](#outcomes-side-by-side)", "[Propensity-score model](#propensity-score-model)",
                     "![Love plot](plots/love-plot.svg)", "![Event studies side by side](plots/outcomes.svg)"] {
            #expect(md.contains(link), "\(link)")
        }
        let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        #expect(html.contains("<a href=\"#outcomes\">") && html.contains("<a href=\"#propensity-model\">"))
        #expect(html.contains("<section id=\"outcomes\">"))
    }

    @Test("the balance table prints p-values and variance ratios from the gated document (blank ratio for 0/1 variables)")
    func balanceColumns() throws {
        let report = StudyReport(Self.result)
        let table = report.balanceTable().table
        #expect(table.columns.count == 11)
        #expect(table.columns[3] == "p" && table.columns[9] == "Var. ratio after")
        for doc in report.matchDocument.balance {
            let row = try #require(table.rows.first { $0[0] == doc.name })
            if doc.binary == true {
                #expect(row[9] == "." && row[10] == ".", "\(doc.name)")
            } else if let vr = doc.before.varianceRatio {
                #expect(row[10] == Format.fixed(vr, 2), "\(doc.name)")
            }
            if let p = doc.before.pValue {
                #expect(row[6].hasPrefix(p < 0.001 ? "<0.001" : Format.fixed(p, 3)), "\(doc.name): \(row[6]) vs \(p)")
            }
        }
        #expect(report.matchDocument.balance.contains { $0.binary == true } && report.matchDocument.balance.contains { $0.binary == nil })
        let model = report.propensityModelTable()
        #expect(model.title.contains("Pseudo R2") && model.title.contains("Log likelihood"))
        #expect(model.columns.contains("Odds ratio"))
    }

    @Test("the love plot draws each covariate before and after, with threshold lines at +-0.1 around zero")
    func lovePlot() throws {
        let report = StudyReport(Self.result)
        let svg = report.lovePlotSVG()
        let parsed = parseSVG(svg)
        #expect(parsed.ok)
        let rows = report.matchDocument.balance
        #expect(parsed.classes.filter { $0 == "point before" }.count == rows.filter { $0.before.smd != nil }.count)
        #expect(parsed.classes.filter { $0 == "point after" }.count == rows.filter { $0.after.smd != nil }.count)
        #expect(parsed.classes.filter { $0 == "threshold" }.count == 2)
        func xs(_ cls: String) -> [Double] {
            svg.split(separator: "\n").filter { $0.contains("class=\"\(cls)\"") }.compactMap { line in
                line.range(of: "x1=\"").flatMap { r in Double(line[r.upperBound...].prefix { $0 != "\"" }) }
            }
        }
        let zero = try #require(xs("zero-line").first), t = xs("threshold")
        #expect(t.count == 2 && Swift.abs((t[0] + t[1]) / 2 - zero) < 0.02)
    }

    @Test("a variant's report is written in its subfolder and linked from the index with the pseudo start comparison")
    func variants() throws {
        var partnerSpec = StudySpecification.referenceStudy(pseudoStart: .partner)
        partnerSpec.minimumCellSize = 5
        let partner = StudyReport(try Study.run(partnerSpec, table: Self.register.table))
        var report = StudyReport(try Study.run(.referenceStudy(), table: Self.register.table))
        report.variants = [StudyReportVariant(title: "Controls inherit their partner's start year", folder: "partner-start", report: partner)]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-variants-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try report.write(to: dir)
        #expect(files.contains("partner-start/index.html") && files.contains("partner-start/results.json"))
        #expect(files.contains("tables/pseudo-start-comparison.csv"))
        let md = try String(contentsOfFile: dir + "/index.md", encoding: .utf8)
        #expect(md.contains("[Variants](#variants)") && md.contains("(partner-start/index.md)"))
        #expect(md.contains("Controls start 2014") && md.contains("Controls inherit partner's start"))
        let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
        #expect(html.contains("<a href=\"partner-start/index.html\">") && html.contains("<a href=\"#variants\">"))
        #expect(FileManager.default.fileExists(atPath: dir + "/partner-start/plots/love-plot.svg"))
    }
}
