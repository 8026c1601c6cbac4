import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The installed pdflatex, if any (the LaTeX compile test runs only where it is).
let pdflatexPath: String? = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex", "/Library/TeX/texbin/pdflatex"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// `didkit table` and ``ModelTable``: results saved as JSON side by side (etable/esttab).
@Suite("model table")
struct ModelTableTests {
    static let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-model-table-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    /// Saves a command's JSON under `name` and returns the path.
    static func save(_ args: [String], _ name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try cliOutput(args + ["--format", "json"]).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let full = Result { try save(TidyCSVTests.logitArgs, "full.json") }
    static let small = Result {
        try save(["logit", "--data", TidyCSVTests.birthwt, "--outcome", "low", "--covariates", "lwt,race", "--factors", "race"], "small.json")
    }
    static let attgt = Result {
        try save(["attgt", "--data", TidyCSVTests.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat",
                  "--aggregate", "dynamic"], "attgt.json")
    }

    func terms(_ path: String) throws -> [String: [String: Any]] {
        let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let list = try #require(o["terms"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func oddsRatiosWithStarsAndSEsBelowOneColumnPerModel() throws {
        let (a, b) = (try Self.full.get(), try Self.small.get())
        let table = try ModelTable.load(paths: [a, b])
        let report = table.reportTable(eform: true)
        #expect(report.columns == ["", "full", "small"])
        let t = try terms(a)
        // The cells are the JSON's odds ratios (Hosmer & Lemeshow Table 2.2: race2 b = 1.0039, checked in TidyCSVTests)
        // at 3 decimals with esttab's stars (* 0.10, ** 0.05, *** 0.01), the delta-method SE below.
        let race2 = try #require(report.rows.firstIndex { $0[0] == "race=2" })
        let or = try #require(t["race=2"]?["oddsRatio"] as? Double), p = try #require(t["race=2"]?["pValue"] as? Double)
        #expect(report.rows[race2][1] == Format.fixed(or, 3) + StarConvention.regression.stars(p))
        #expect(report.rows[race2][1].hasSuffix("**"))   // p = 0.044 in H&L's table (Wald 1.0039 / 0.4979)
        #expect(report.rows[race2 + 1][1] == "(" + Format.fixed(try #require(t["race=2"]?["oddsRatioStandardError"] as? Double), 3) + ")")
        // A term absent from a model is empty; the intercept is the last term row; N below the rule.
        let age = try #require(report.rows.firstIndex { $0[0] == "age" })
        #expect(report.rows[age][2] == "")
        let cons = try #require(report.rows.firstIndex { $0[0] == "_cons" })
        let rule = try #require(report.rulesAfter.first)
        #expect(cons == rule - 1)
        #expect(report.rows.first { $0[0] == "N" } == ["N", "189", "189"])
        // Coefficients, not odds ratios, without --eform; intervals with --ci.
        let plain = table.reportTable(below: .confidenceInterval)
        let b2 = try #require(t["race=2"]?["coefficient"] as? Double)
        let lo = try #require(t["race=2"]?["ciLower"] as? Double), hi = try #require(t["race=2"]?["ciUpper"] as? Double)
        let r2 = try #require(plain.rows.firstIndex { $0[0] == "race=2" })
        #expect(plain.rows[r2][1].hasPrefix(Format.fixed(b2, 3)))
        #expect(plain.rows[r2 + 1][1] == "[\(Format.fixed(lo, 3)), \(Format.fixed(hi, 3))]")
    }

    @Test func everyFormatRendersAndHTMLIsWellFormed() throws {
        let paths = [try Self.full.get(), try Self.small.get()]
        for format in ["text", "markdown", "latex", "html", "csv"] {
            let out = try cliOutput(["table"] + paths + ["--eform", "--format", format])
            #expect(out.contains("race=2"), "\(format)")
        }
        let html = try cliOutput(["table"] + paths + ["--format", "html"])
        let parser = XMLParser(data: Data(("<div>" + html + "</div>").utf8))
        #expect(parser.parse(), "the HTML table is not well-formed")
        let csv = tidyRecords(try cliOutput(["table"] + paths + ["--format", "csv"]))
        #expect(Set(csv.map { $0["model"] ?? "" }) == ["full", "small"])
        #expect(csv.contains { $0["component"] == "counts" && $0["term"] == "N" && $0["estimate"] == "189" })
    }

    @Test func groupTimeColumnsShowTheATTAndEventTimes() throws {
        let path = try Self.attgt.get()
        let report = try ModelTable.load(paths: [path]).reportTable()
        #expect(report.rows.contains { $0[0] == "start" })
        #expect(report.rows.contains { $0[0] == "Persons" && $0[1] == "500" })   // mpdta: 500 counties
        #expect(report.rows.contains { $0[0] == "Pre-trend p" })
    }

    @Test func aReportsResultsJSONGivesOneColumnPerModelWithPersonsAndPreTrend() throws {
        let report = StudyReport(DemoAndReportTests.result)
        let path = Self.dir.appendingPathComponent("results.json").path
        try report.resultsJSON().write(toFile: path, atomically: true, encoding: .utf8)
        let table = try ModelTable.load(paths: [path], disclosure: report.disclosure)
        let names = report.modelDocuments.map(\.name).sorted()
        #expect(table.columns.map(\.title) == names)
        let rendered = table.reportTable(eform: true)
        for (k, name) in names.enumerated() {
            let doc = try #require(report.modelDocuments.first { $0.name == name }?.document)
            let treated = try #require(rendered.rows.first { $0[0] == "Persons, treated" })
            #expect(treated[k + 1] == (doc.persons.treated.map(Format.count) ?? "<\(report.disclosure.minimumCellSize)"))
            if let p = doc.preTrend?.pValue {
                #expect(rendered.rows.first { $0[0] == "Pre-trend p" }?[k + 1] == Format.fixed(p, 3))
            }
            // The treated x start+1 odds ratio is the event study's (the same gated number).
            if let point = doc.eventStudy.first(where: { $0.eventTime == 1 }), let or = point.estimate {
                let row = try #require(rendered.rows.first { $0[0] == TermName.treatedEvent(1) })
                #expect(row[k + 1].hasPrefix(Format.fixed(or, 3)))
            }
        }
        // A stricter gate than the file's is refused, not silently applied to counts only.
        #expect {
            _ = try ModelTable.load(paths: [path], disclosure: DisclosureControl(minimumCellSize: report.disclosure.minimumCellSize + 5))
        } throws: { e in String(describing: e).contains(path) && String(describing: e).contains("--minimum-cell-size") }
    }

    @Test func badInputIsOneSentenceNamingTheFile() throws {
        let notJSON = Self.dir.appendingPathComponent("notes.json").path
        try "hello".write(toFile: notJSON, atomically: true, encoding: .utf8)
        let other = Self.dir.appendingPathComponent("other.json").path
        try #"{"name": "not a result"}"#.write(toFile: other, atomically: true, encoding: .utf8)
        let missing = Self.dir.appendingPathComponent("absent.json").path
        for (path, words) in [(notJSON, "is not JSON"), (other, "is not a DiDKit result"), (missing, "cannot read")] {
            #expect {
                _ = try ModelTable.load(paths: [try Self.full.get(), path])
            } throws: { e in
                let s = String(describing: e)
                return s.contains(path) && s.contains(words) && !s.contains("\n")
            }
        }
        let att = try Self.attgt.get()
        #expect {
            _ = try ModelTable.load(paths: [try Self.full.get(), att])
        } throws: { e in
            let s = String(describing: e)
            return s.contains(att) && s.contains("group-time") && s.contains("one kind")
        }
        let full = try Self.full.get()
        #expect { _ = try DidkitCommand.parseAsRoot(["table", full, "--se", "--ci"]) } throws: { e in
            DidkitCommand.message(for: e).contains("--se and --ci exclude each other")
        }
    }

    @Test(.enabled(if: pdflatexPath != nil, "pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended): LaTeX compile check skipped"))
    func latexCompilesWithPdflatex() throws {
        let latex = try cliOutput(["table", try Self.full.get(), try Self.small.get(), "--eform", "--ci", "--format", "latex"])
        let doc = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n" + latex + "\\end{document}\n"
        let work = Self.dir.appendingPathComponent("latex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try doc.write(to: work.appendingPathComponent("t.tex"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(pdflatexPath))
        p.arguments = ["-interaction=nonstopmode", "-halt-on-error", "t.tex"]
        p.currentDirectoryURL = work
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let log = (try? String(contentsOf: work.appendingPathComponent("t.log"), encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0, "pdflatex failed: \(log.suffix(1500))")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("t.pdf").path))
    }
}
