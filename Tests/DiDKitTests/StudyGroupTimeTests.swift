import DiDKit
import Foundation
import Testing

/// The study pipeline's group-time section: Callaway & Sant'Anna on the matched sample, in the
/// report as tables, a plot with the uniform band and JSON (the estimator itself is validated
/// against R did and moderndid in StaggeredTests).
@Suite("Study: group-time ATTs beside the event studies", .serialized)
struct StudyGroupTimeTests {
    static let result: Result<StudyResult, any Error> = Result {
        var spec = StudySpecification.referenceStudy()
        spec.groupTime = .init(method: .reg, bootstrap: 99, seed: 3)
        return try Study.run(spec, table: DemoRegister(persons: 4_000, seed: 7).table)
    }

    @Test("the matched participants are grouped by start year and the matched controls are never treated")
    func sample() throws {
        let r = try Self.result.get()
        let gt = try #require(r.groupTime)
        // Every matched treated unit and every matched control (fixed pseudo start: none dropped) is a unit.
        #expect(gt.units == (r.match.result.matchedTreated + r.match.result.matchedControls))
        #expect(gt.unitGroups.filter { $0 == 0 }.count == r.match.result.matchedControls)
        #expect(Set(gt.unitGroups.filter { $0 != 0 }).isSubset(of: [2012, 2013, 2014, 2015]))
    }

    @Test("the report carries the group-time tables, the plot with its uniform band, and the JSON cells as gated")
    func report() throws {
        let report = StudyReport(try Self.result.get())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try report.write(to: folder)
        #expect(files.contains("tables/group-time.md") && files.contains("tables/group-time-dynamic.csv"))
        #expect(files.contains("plots/group-time-event-study.svg"))
        let svg = try String(contentsOfFile: folder + "/plots/group-time-event-study.svg", encoding: .utf8)
        #expect(svg.contains("class=\"band uniform\""))
        #expect(parseSVG(svg).ok)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json"))) as? [String: Any])
        let cells = try #require((json["groupTime"] as? [String: Any])?["attgt"] as? [[String: Any]])
        let gt = try #require(try Self.result.get().groupTime)
        #expect(cells.count == gt.attgtTable().rows.count)
        for cell in cells where (cell["suppressed"] as? Bool) != true {
            let row = gt.attgtTable().row(group: cell["group"] as? Int, time: cell["time"] as? Int)
            // 1e-12 relative: Foundation's JSON number parsing on Linux is not always correctly rounded.
            let published = (cell["att"] as? NSNumber)?.doubleValue ?? .nan, estimate = row?.estimate ?? .nan
            #expect(Swift.abs(published - estimate) <= 1e-12 * Swift.max(1, Swift.abs(estimate)))
        }
        #expect(try String(contentsOfFile: folder + "/index.md", encoding: .utf8).contains("Group-time ATTs"))
    }

    @Test("a misspelt key inside groupTime is an error naming it")
    func strict() throws {
        let json = #"{"id": "pnr", "time": "year", "treatment": {"column": "participant", "start": "start_year"}, "controlPool": {"pseudoStart": "fixed", "pseudoStartYear": 2014}, "matching": {"covariates": ["age"]}, "outcome": "leisure_job", "window": [-3, 1], "models": [{"name": "M"}], "groupTime": {"methd": "dr"}}"#
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gt-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: StudyError.self) { _ = try StudySpecification.load(path: path) }
        do { _ = try StudySpecification.load(path: path) } catch {
            #expect(String(describing: error).contains("groupTime.methd") && String(describing: error).contains("did you mean 'method'"))
        }
    }
}

@Suite("Study: the matched DiD with matching weights and pair clusters", .serialized)
struct StudyMatchedDiDTests {
    @Test("clusterBy pair clusters the event studies by matched pair; with replacement it is refused")
    func pairs() throws {
        var spec = StudySpecification.referenceStudy()
        spec.clusterBy = .pair
        spec.weights = .matching
        let r = try Study.run(spec, table: DemoRegister(persons: 4_000, seed: 7).table)
        let model = try #require(r.models.last?.result)
        // 1:1 without replacement and a fixed pseudo start: every matched pair is in the sample.
        #expect(model.table.clusters == r.match.result.pairs.count)
        spec.matching.replacement = true
        #expect(throws: StudyError.self) { try spec.validate() }
    }
}

@Suite("The report as one page")
struct HTMLReportTests {
    @Test("index.html is well-formed, self-contained, and holds every table and plot of the report with the key odds ratios")
    func page() throws {
        let report = StudyReport(try StudyGroupTimeTests.result.get())
        let html = report.html()
        // Well-formed as XML once the HTML5 doctype line is set aside.
        let xml = html.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""
        #expect(parseSVG(xml).ok)
        // Every table: exclusions, balance, propensity model, models, two tables per model, the group-time tables.
        let tables = 4 + 2 * report.modelDocuments.count + report.groupTimeTables().count
        #expect(html.components(separatedBy: "<table>").count - 1 == tables)
        // Every plot inline: the score histogram (one document of two panels), the love plot, two per model, the group-time plot.
        #expect(html.components(separatedBy: "<figure>").count - 1 == 2 + 2 * report.modelDocuments.count + 1)
        // No network and no scripts.
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("<script") && !html.contains("<img"))
        // The key odds ratios as the event-study table prints them.
        let doc = try #require(report.modelDocuments.last?.document)
        for p in doc.eventStudy where !p.reference && p.suppressed != true {
            #expect(html.contains(Format.fixed(p.estimate ?? .nan, 3)))
        }
    }
}
