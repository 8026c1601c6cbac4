import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// Minimal RFC 4180 reader for the tests (quoted fields with "" escapes, no embedded newlines).
func parseCSV(_ text: String) -> [[String]] {
    text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
        var fields: [String] = [], cur = "", quoted = false
        var chars = Array(line)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" { if chars.first == "\"" { cur.append("\""); chars.removeFirst() } else { quoted = false } } else { cur.append(ch) }
            } else if ch == "\"" { quoted = true } else if ch == "," { fields.append(cur); cur = "" } else { cur.append(ch) }
        }
        fields.append(cur)
        return fields
    }
}

/// Tidy CSV rows as dictionaries keyed by the header.
func tidyRecords(_ text: String) -> [[String: String]] {
    let rows = parseCSV(text)
    guard let header = rows.first else { return [] }
    return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

/// Whether the JSON text holds `"key" : field` verbatim: the CSV number is the JSON's double in the
/// same shortest round-trip spelling. (Text, because Foundation's JSONSerialization on Linux may
/// read a 17-digit double back one ulp off.)
func jsonHas(_ json: String, _ key: String, _ field: String?) -> Bool {
    guard let field, !field.isEmpty else { return false }
    return json.contains("\"\(key)\" : \(field),") || json.contains("\"\(key)\" : \(field)\n")
}

func cliOutput(_ args: [String]) throws -> String {
    guard let c = try DidkitCommand.parseAsRoot(args) as? any OutputCommand else { throw CocoaError(.featureUnsupported) }
    return try c.output()
}

/// `--format csv` is tidy and raw: Docs/CommandLine.md, "Tidy CSV".
@Suite("tidy CSV")
struct TidyCSVTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("..").standardized
    static let birthwt = fixtures.appendingPathComponent("RegressionTests/Fixtures/hl-alr-table2-2-birthwt-logit/data.csv").path
    static let mpdta = fixtures.appendingPathComponent("StaggeredTests/Fixtures/data.csv").path

    static let logitArgs = ["logit", "--data", birthwt, "--outcome", "low", "--covariates", "age,lwt,race,ftv", "--factors", "race"]

    func json(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    @Test func logitCSVHasTheFixedHeaderOneRowPerTermAndScaleAndTheJSONNumbersExactly() throws {
        let csv = try cliOutput(Self.logitArgs + ["--format", "csv"])
        #expect(!csv.contains("#"))
        #expect(parseCSV(csv).first == TidyTable.columns)
        let rows = tidyRecords(csv)
        let text = try cliOutput(Self.logitArgs + ["--format", "json"])
        let terms = try #require(try json(text)["terms"] as? [[String: Any]])
        #expect(rows.count == 2 * terms.count)   // log-odds and odds-ratio rows
        for t in terms {
            let name = try #require(t["name"] as? String)
            let b = try #require(rows.first { $0["term"] == name && $0["scale"] == "log-odds" })
            let o = try #require(rows.first { $0["term"] == name && $0["scale"] == "odds-ratio" })
            // Full precision: the CSV field reads back to the JSON's double exactly.
            for (field, key) in [("estimate", "coefficient"), ("std_error", "standardError"), ("statistic", "statistic"),
                                 ("p_value", "pValue"), ("conf_low", "ciLower"), ("conf_high", "ciUpper")] {
                #expect(jsonHas(text, key, b[field]), "\(name) \(field)")
            }
            for (field, key) in [("estimate", "oddsRatio"), ("std_error", "oddsRatioStandardError"), ("conf_low", "oddsRatioCILower"),
                                 ("conf_high", "oddsRatioCIUpper"), ("p_value", "pValue"), ("statistic", "statistic")] {
                #expect(jsonHas(text, key, o[field]), "\(name) OR \(field)")
            }
            #expect(b["model"] == "logit" && b["component"] == "coefficients" && b["conf_level"] == "95" && b["suppressed"] == "")
        }
        // Hosmer & Lemeshow (2000) Table 2.2: race2 (black) 1.0039 (SE 0.4979), lwt -0.0142 (SE 0.00654).
        let race2 = try #require(rows.first { $0["term"] == "race=2" && $0["scale"] == "log-odds" })
        #expect(Swift.abs((Double(race2["estimate"] ?? "") ?? 0) - 1.0039) < 1e-4)
        #expect(Swift.abs((Double(race2["std_error"] ?? "") ?? 0) - 0.4979) < 1e-4)
        let lwt = try #require(rows.first { $0["term"] == "lwt" && $0["scale"] == "log-odds" })
        #expect(Swift.abs((Double(lwt["std_error"] ?? "") ?? 0) - 0.00654) < 1e-5)
    }

    @Test func attgtCSVHoldsEveryCellAndAggregateWithRawNumbers() throws {
        let args = ["attgt", "--data", Self.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat",
                    "--covariates", "lpop"]
        let rows = tidyRecords(try cliOutput(args + ["--format", "csv"]))
        let cell = try #require(rows.first { $0["component"] == "attgt" && $0["group"] == "2004" && $0["time"] == "2004" })
        // R did README (xformla = ~lpop, dr): ATT(2004,2004) = -0.0145; moderndid -0.01452967.
        #expect(Swift.abs((Double(cell["estimate"] ?? "") ?? 0) + 0.01452967) < 1e-7)
        #expect(cell["persons"] == "20")
        let text = try cliOutput(args + ["--format", "json"])
        let doc = try json(text)
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        #expect(rows.filter { $0["component"] == "attgt" }.count == cells.count)
        for c in cells {
            let r = try #require(rows.first { $0["component"] == "attgt" && $0["group"] == "\(c["group"] as? Int ?? 0)" && $0["time"] == "\(c["time"] as? Int ?? 0)" })
            #expect(jsonHas(text, "att", r["estimate"]) && jsonHas(text, "standardError", r["std_error"]))
        }
        #expect(Set(rows.map { $0["component"] ?? "" }) == ["attgt", "pre-trend", "simple", "dynamic", "group", "calendar"])
        let overall = try #require(rows.first { $0["component"] == "simple" })
        #expect(overall["term"] == "overall")
        let simple = try #require((doc["aggregates"] as? [[String: Any]])?.first { $0["type"] as? String == "simple" }?["overall"] as? [String: Any])
        #expect(Swift.abs((Double(overall["estimate"] ?? "") ?? 0) - (simple["att"] as? Double ?? 1)) < 1e-15)
        #expect(jsonHas(text, "att", overall["estimate"]))
    }

    @Test func suppressedValuesAreEmptyWithAReasonAndNeverPrinted() throws {
        // Group 2004 has 20 counties: with K = 25 its cells are withheld (and, secondarily, every cross-group average).
        let args = ["attgt", "--data", Self.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"]
        let open = tidyRecords(try cliOutput(args + ["--format", "csv"]))
        let csv = try cliOutput(args + ["--format", "csv", "--minimum-cell-size", "25"])
        let rows = tidyRecords(csv)
        let hidden = rows.filter { $0["component"] == "attgt" && $0["group"] == "2004" }
        #expect(hidden.count == 4)
        for r in hidden {
            #expect(r["estimate"] == "" && r["std_error"] == "" && r["p_value"] == "" && r["conf_low"] == "" && r["persons"] == "")
            #expect(r["suppressed"]?.contains("fewer than 25 persons") == true)
            let value = try #require(open.first { $0["component"] == "attgt" && $0["group"] == "2004" && $0["time"] == r["time"] }?["estimate"])
            #expect(!value.isEmpty && !csv.contains(value))
        }
        let shown = rows.filter { $0["component"] == "attgt" && $0["group"] == "2006" }
        #expect(shown.allSatisfy { !($0["estimate"] ?? "").isEmpty && $0["suppressed"] == "" })
    }

    @Test func reportDataFilesAreTidyAndMatchResultsJSON() throws {
        let report = StudyReport(DemoAndReportTests.result)
        let data = Dictionary(report.tidyTables(), uniquingKeysWith: { a, _ in a })
        let resultsText = try report.resultsJSON()
        let results = try json(resultsText)
        let models = try #require(results["models"] as? [String: [String: Any]])
        var compared = 0
        for (name, doc) in report.modelDocuments {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            let csv = try #require(data["event-study-\(slug)"]).csv
            #expect(!csv.contains("#") && parseCSV(csv).first == TidyTable.columns)
            let rows = tidyRecords(csv)
            let points = try #require(models[name]?["eventStudy"] as? [[String: Any]])
            for p in points {
                let r = try #require(rows.first { $0["component"] == "event-study" && $0["event"] == "\(p["eventTime"] as? Int ?? 99)" })
                if p["reference"] as? Bool == true { #expect(r["reference"] == "true" && r["estimate"] == "1"); continue }
                if p["suppressed"] as? Bool == true { #expect(r["estimate"] == "" && r["suppressed"] != ""); continue }
                #expect(Swift.abs((Double(r["estimate"] ?? "") ?? 0) - (p["estimate"] as? Double ?? 1)) < 1e-12)
                #expect(jsonHas(resultsText, "estimate", r["estimate"]) && jsonHas(resultsText, "ciLower", r["conf_low"]))
                #expect(r["scale"] == "odds-ratio")
                compared += 1
            }
            #expect(doc.eventStudy.count == points.count)
        }
        #expect(compared >= 4)
        // Counts without thousands separators.
        let exclusions = try #require(data["exclusions"]).csv
        #expect(!exclusions.contains("#"))
        for r in tidyRecords(exclusions) where r["suppressed"] == "" { #expect(Int(r["estimate"] ?? "") != nil) }
        #expect(Set(data.keys).isSuperset(of: ["exclusions", "balance", "models"]))
    }

    @Test func everyCommandWritesTheSameTidyHeaderAndNoCommentLines() throws {
        // did on the demo register (controls at the pseudo start year 2014, as CommandLineTests does).
        let reg = DemoRegister(persons: 3000, seed: 3)
        var t = reg.table
        try t.setColumn("start_year", .numeric(try t.numeric("start_year").map { $0.isNaN ? 2014 : $0 }))
        let panel = try CommandLineTests().write(t, "tidy-panel")
        defer { try? FileManager.default.removeItem(atPath: panel) }
        let did = ["did", "--data", panel, "--id", "pnr", "--time", "year", "--outcome", "leisure_job", "--treatment", "participant",
                   "--start", "start_year", "--window=-3:1", "--reference", "-1", "--controls", "age,age2"]
        let effectsData = try EffectsCommandTests.csv()
        defer { try? FileManager.default.removeItem(atPath: effectsData) }
        let commands: [[String]] = [
            did,
            ["match", "--data", Self.birthwt, "--id", "id", "--treatment", "smoke", "--covariates", "age,lwt"],
            ["etwfe", "--data", Self.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"],
            ["effects", "--data", effectsData, "--outcome", "y", "--treatment", "t", "--method", "aipw", "--outcome-covariates", "x",
             "--treatment-covariates", "x"],
        ]
        for args in commands {
            let csv = try cliOutput(args + ["--format", "csv"])
            let rows = parseCSV(csv)
            #expect(rows.first == TidyTable.columns, "\(args[0])")
            #expect(rows.count > 2 && rows.allSatisfy { $0.count == TidyTable.columns.count }, "\(args[0])")
            #expect(!csv.contains("#"), "\(args[0])")
        }
        // did: the event-study rows are the JSON's odds ratios, the reference row says so.
        let text = try cliOutput(did + ["--format", "json"])
        let rows = tidyRecords(try cliOutput(did + ["--format", "csv"]))
        let es = rows.filter { $0["component"] == "event-study" && $0["event"] != "" }
        #expect(es.count == 5)
        for r in es where r["reference"] == "false" {
            #expect(r["scale"] == "odds-ratio" && jsonHas(text, "estimate", r["estimate"]) && jsonHas(text, "ciUpper", r["conf_high"]))
        }
        #expect(es.first { $0["event"] == "-1" }?["reference"] == "true")
        #expect(rows.contains { $0["component"] == "pre-trend" && $0["df"] == "2" })
        #expect(rows.filter { $0["component"] == "predicted" }.count == 10)   // 5 event times x 2 arms
    }

    @Test func numbersAreShortestRoundTrip() {
        #expect(TidyTable.number(14641) == "14641")
        #expect(TidyTable.number(0.1 + 0.2) == "0.30000000000000004")
        #expect(TidyTable.number(1e-5) == "1e-05")
        #expect(Double(TidyTable.number(0.635)) == 0.635)
    }
}
