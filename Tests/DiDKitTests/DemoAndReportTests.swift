import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Parses an SVG as XML and collects the `class` attributes of its elements.
final class SVGClasses: NSObject, XMLParserDelegate {
    var classes: [String] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if let c = attributes["class"] { classes.append(c) }
    }
}

func parseSVG(_ text: String) -> (ok: Bool, classes: [String]) {
    let parser = XMLParser(data: Data(text.utf8))
    let d = SVGClasses()
    parser.delegate = d
    return (parser.parse(), d.classes)
}

@Suite("Demo study and reports", .serialized)
struct DemoAndReportTests {
    static let register = DemoRegister(persons: 4000, seed: 7)
    static let result = try! Study.run(.referenceStudy(), table: register.table)

    @Test("the pipeline runs on a small register and every table is present")
    func tablesPresent() throws {
        let report = StudyReport(Self.result)
        let text = report.text()
        for title in ["Who is in the study", "Balance before and after matching", "Logit DiD event study", "Event study (Model 2)",
                      "Predicted probability"] {
            #expect(text.contains(title), "missing \(title)")
        }
        #expect(Self.result.models.count == 2)
        #expect(Self.result.models.allSatisfy { $0.result.converged })
    }

    @Test("the report folder holds every format, and the JSON agrees with the tables")
    func reportFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try StudyReport(Self.result).write(to: dir)
        for ext in ["md", "csv", "tex", "txt"] { #expect(files.contains("tables/models.\(ext)")) }
        #expect(files.contains("index.md") && files.contains("results.json"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/results.json"))) as! [String: Any]
        let models = json["models"] as! [String: Any]
        let m2 = models["Model 2"] as! [String: Any]
        let es = (m2["eventStudy"] as! [[String: Any]]).first { ($0["eventTime"] as! Int) == 0 }!
        let or = (es["estimate"] as! NSNumber).doubleValue
        let table = try String(contentsOfFile: dir + "/tables/event-study-model-2.csv", encoding: .utf8)
        // The data file is tidy with raw numbers (issue #19): the event-time 0 row holds the JSON's odds ratio
        // at full precision (JSONSerialization may read a 17-digit double one ulp off, hence 1e-12).
        let startRow = try #require(tidyRecords(table).first { $0["component"] == "event-study" && $0["event"] == "0" })
        #expect(Swift.abs((Double(startRow["estimate"] ?? "") ?? .nan) - or) <= 1e-12 * Swift.abs(or))
        #expect((startRow["estimate"] ?? "").count > 6)
        #expect((m2["persons"] as! [String: Int])["treated"] == Self.result.models[1].result.treatedPersons)
        let tex = try String(contentsOfFile: dir + "/tables/models.tex", encoding: .utf8)
        #expect(tex.contains("\\toprule") && tex.contains("\\bottomrule"))
        // No person id anywhere in the aggregate outputs.
        for f in files where !f.hasSuffix(".svg") {
            let s = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
            #expect(!s.contains("P0000"), "\(f) contains a person id")
        }
    }

    @Test("every SVG parses as XML and has its series")
    func svgs() throws {
        let report = StudyReport(Self.result)
        let hist = parseSVG(report.histogramSVG())
        #expect(hist.ok)
        #expect(hist.classes.contains("bar treated") && hist.classes.contains("bar control"))
        let (name, r) = Self.result.models[1]
        let es = parseSVG(report.eventStudySVG(r, name: name))
        #expect(es.ok)
        #expect(es.classes.filter { $0 == "point estimate" }.count == 4)
        #expect(es.classes.contains("point reference") && es.classes.contains("null-line"))
        let pr = parseSVG(report.predictedSVG(r, name: name))
        #expect(pr.ok && pr.classes.contains("line treated") && pr.classes.contains("line control"))
        #expect(pr.classes.filter { $0 == "point treated" }.count == 5)
    }

    @Test("cells below the minimum size are suppressed and say so")
    func suppression() throws {
        let report = StudyReport(Self.result, disclosure: DisclosureControl(minimumCellSize: 40))
        let (balance, suppressed) = report.balanceTable()
        #expect(suppressed > 0)
        #expect(balance.text.contains("<40"))
        #expect(balance.notes.contains { $0.hasPrefix("Disclosure control: cells based on fewer than 40 persons") })
        let svg = report.histogramSVG()
        #expect(parseSVG(svg).classes.contains { $0.hasSuffix("suppressed") })
        let json = try JSONSerialization.jsonObject(with: Data(report.resultsJSON().utf8)) as! [String: Any]
        let hist = (json["match"] as! [String: Any])["histogram"] as! [String: Any]
        let counts = (hist["treatedAfter"] as! [Any]) + (hist["controlBefore"] as! [Any])
        #expect(counts.contains { $0 is NSNull })
        #expect(counts.compactMap { ($0 as? NSNumber)?.intValue }.allSatisfy { $0 == 0 || $0 >= 40 })
        let dc = DisclosureControl(minimumCellSize: 3)
        #expect(dc.count(2) == nil && dc.count(0) == 0 && dc.count(3) == 3)
        #expect(!dc.allowsMean(persons: 100, ones: 2) && !dc.allowsMean(persons: 100, ones: 99) && dc.allowsMean(persons: 100, ones: 50))
    }
}

/// The synthetic register against the reference study's appendix table 7.1
/// (before-matching means, treated | control; shared/study/reference-study.md).
@Suite("Demo register calibration")
struct DemoRegisterCalibrationTests {
    @Test("before-matching means are within 4 sampling SEs of appendix table 7.1")
    func tableSevenOne() throws {
        let reg = DemoRegister()
        #expect(reg.treatedPersons == 289 && reg.persons == 14_930)
        let t = reg.table
        let year = try t.numeric("year"), treated = try t.numeric("participant")
        let rows = year.indices.filter { year[$0] == 2010 }
        // (column, published treated mean, published control mean)
        let published: [(String, Double, Double)] = [
            ("age", 10.85, 11.53), ("nonwestern", 0.86, 0.26), ("mother_young", 0.21, 0.15), ("father_young", 0.03, 0.04),
            ("mother_24_30", 0.47, 0.41), ("couple", 0.65, 0.48), ("no_father", 0.33, 0.48), ("children", 3.40, 2.19),
            ("father_employed", 0.33, 0.36), ("mother_employed", 0.24, 0.60), ("father_benefit_weeks", 10.92, 6.51),
            ("mother_benefit_weeks", 28.30, 16.11), ("income", 279_784, 295_591), ("gp", 0.80, 0.78), ("specialist", 0.24, 0.23),
        ]
        for (name, pt, pc) in published {
            let v = try t.numeric(name)
            for (group, want) in [(1.0, pt), (0.0, pc)] {
                let x = rows.filter { treated[$0] == group }.map { v[$0] }.filter { !$0.isNaN }
                let n = Double(x.count)
                let mean = x.reduce(0, +) / n
                let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                let se = sd / n.squareRoot()
                #expect(Swift.abs(mean - want) <= 4 * se + 1e-9, "\(name) (\(group == 1 ? "treated" : "control")): \(mean) vs published \(want), SE \(se)")
            }
        }
        let starts = Dictionary(grouping: rows.filter { treated[$0] == 1 }.map { try! t.numeric("start_year")[$0] }, by: { $0 }).mapValues(\.count)
        #expect(starts == [2012: 8, 2013: 29, 2014: 110, 2015: 142])
    }

    @Test("the pipeline recovers the published model-2 interaction odds ratios at a large size")
    func recoversOddsRatios() throws {
        let reg = DemoRegister(persons: 60_000, seed: 11)
        let result = try Study.run(.referenceStudy(), table: reg.table)
        let m2 = result.models[1].result
        // Every matched participant is observed in all nine years, so all of them are in the model's sample.
        #expect(m2.treatedPersons == result.matchDocument.matchedTreated)
        #expect(m2.controlPersons == result.matchDocument.matchedControls)
        for p in m2.eventStudy where !p.isReference {
            let truth = DemoRegister.interactionOddsRatios[p.eventTime]!
            let row = try m2.table.row("treated:event=\(p.eventTime)")
            // Tolerance from the SE: |log OR - log truth| <= 3.5 SE(log OR) (four tests, overall level about 0.002).
            let z = Swift.abs(row.coefficient - Foundation.log(truth)) / row.standardError
            #expect(z <= 3.5, "start\(p.eventTime): OR \(p.estimate) vs true \(truth), z = \(z)")
        }
    }
}

@Suite("Command line")
struct CommandLineTests {

    func write(_ table: Table, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-cli-\(name)-\(UUID().uuidString).csv").path
        var s = table.columnNames.joined(separator: ",") + "\n"
        let cols = try table.columnNames.map { try table.column($0) }
        for i in 0..<table.rowCount {
            s += cols.map { c -> String in
                switch c {
                case .numeric(let v): return v[i].isNaN ? "NA" : "\(v[i])"
                case .text(let t): return t[i] ?? "NA"
                }
            }.joined(separator: ",") + "\n"
        }
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("logit, match and did JSON carry the contract's keys")
    func jsonKeys() throws {
        let reg = DemoRegister(persons: 3000, seed: 3)
        let path = try write(reg.table, "demo")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logit = try JSONSerialization.jsonObject(with: Data(try run(["logit", "--data", path, "--outcome", "leisure_job",
                                                                        "--covariates", "age,male,municipality", "--factors", "municipality",
                                                                        "--vce", "cluster", "--cluster", "pnr", "--format", "json"]).utf8)) as! [String: Any]
        for k in ["model", "observations", "converged", "iterations", "logLikelihood", "vce", "clusters", "omitted", "droppedRows", "notes", "terms"] {
            #expect(logit[k] != nil, "logit JSON lacks \(k)")
        }
        let term = (logit["terms"] as! [[String: Any]])[0]
        for k in ["name", "coefficient", "standardError", "statistic", "pValue", "ciLower", "ciUpper", "oddsRatio",
                  "oddsRatioStandardError", "oddsRatioCILower", "oddsRatioCIUpper"] { #expect(term[k] != nil, "term lacks \(k)") }
        #expect((logit["terms"] as! [[String: Any]]).contains { $0["name"] as? String == "municipality=2" })
        // did: controls get the study's pseudo start year 2014 in the start column.
        var t = reg.table
        let start = try t.numeric("start_year").map { $0.isNaN ? 2014 : $0 }
        try t.setColumn("start_year", .numeric(start))
        let panelPath = try write(t, "panel")
        defer { try? FileManager.default.removeItem(atPath: panelPath) }
        let did = try JSONSerialization.jsonObject(with: Data(try run(["did", "--data", panelPath, "--id", "pnr", "--time", "year",
                                                                      "--outcome", "leisure_job", "--treatment", "participant",
                                                                      "--start", "start_year", "--window=-3:1", "--reference", "-1",
                                                                      "--controls", "age,age2", "--format", "json"]).utf8)) as! [String: Any]
        for k in ["persons", "eventStudy", "preTrend", "predicted", "terms", "observations", "vce"] { #expect(did[k] != nil, "did JSON lacks \(k)") }
        // Every participant of the register (3,000 x 289 / 14,930 = 58.07, rounded: 58) is in the sample:
        // everybody is observed 2008-2016, so nobody lacks the reference period.
        #expect((did["persons"] as! [String: Int])["treated"] == reg.treatedPersons)
        #expect(reg.treatedPersons == 58)
        #expect((did["eventStudy"] as! [[String: Any]]).count == 5)
        #expect(did["vce"] as? String == "cluster")
        let pre = did["preTrend"] as! [String: Any]
        #expect(pre["df"] as? Int == 2 && pre["statistic"] != nil && pre["pValue"] != nil)
        for p in did["predicted"] as! [[String: Any]] { #expect(p["eventTime"] != nil && p["treated"] != nil && p["control"] != nil) }
        // match: contract keys, pairs file with its header.
        let baseline = t.selectingRows((0..<t.rowCount).filter { try! t.numeric("year")[$0] == 2010 })
        let basePath = try write(baseline, "baseline")
        let pairsPath = basePath + ".pairs.csv"
        defer { try? FileManager.default.removeItem(atPath: basePath); try? FileManager.default.removeItem(atPath: pairsPath) }
        let match = try JSONSerialization.jsonObject(with: Data(try run(["match", "--data", basePath, "--id", "pnr", "--treatment", "participant",
                                                                        "--covariates", "age,nonwestern,children,father_edu", "--factors", "father_edu",
                                                                        "--preset", "psmatch2", "--model", "logit", "--caliper", "0.05",
                                                                        "--no-replacement", "--pairs-out", pairsPath, "--format", "json"]).utf8)) as! [String: Any]
        for k in ["treated", "controls", "matchedTreated", "matchedControls", "unmatchedTreated", "offSupport", "caliper", "propensityModel", "balance"] {
            #expect(match[k] != nil, "match JSON lacks \(k)")
        }
        let names = (match["balance"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(names.contains("father_edu=1") && names.contains("father_edu=9") && names.last == "_score")
        let row = (match["balance"] as! [[String: Any]])[0]
        for k in ["treatedMean", "controlMean", "smd", "varianceRatio", "pValue"] { #expect((row["before"] as! [String: Any])[k] != nil) }
        let pairs = try String(contentsOfFile: pairsPath, encoding: .utf8).split(separator: "\n")
        #expect(pairs.first == "treated_id,control_id,distance,weight")
        #expect(pairs.count - 1 == match["matchedTreated"] as! Int)
    }

    @Test("bad data is a thrown error (exit 1); bad usage a validation error (exit 64)")
    func errors() throws {
        #expect(throws: DataError.fileNotFound(path: "/no/such.csv")) {
            _ = try run(["logit", "--data", "/no/such.csv", "--outcome", "y", "--covariates", "x"])
        }
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["logit", "--data", "a.csv", "--outcome", "y", "--covariates", "x", "--vce", "cluster"]) }
        do {
            _ = try DidkitCommand.parseAsRoot(["did", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--treatment", "d",
                                               "--start", "s", "--window", "-3:1", "--reference", "2"])
            Issue.record("a reference outside the window must be rejected")
        } catch {
            #expect(DidkitCommand.exitCode(for: error) == ExitCode(64))
        }
        // The spaced negative form parses.
        let ok = try DidkitCommand.parseAsRoot(["did", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--treatment", "d",
                                                "--start", "s", "--window", "-2:1", "--reference", "-1"])
        #expect((ok as? DiDCommand)?.window == "-2:1")
    }
}
