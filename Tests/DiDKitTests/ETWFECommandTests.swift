import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// `didkit etwfe` against shared/cli-contract.md (section `didkit etwfe`).
@Suite("etwfe command")
struct ETWFECommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../ETWFETests/Fixtures")
    static let mpdta = fixtures.appendingPathComponent("mpdta.csv").standardized.path
    static let logitPanel = fixtures.appendingPathComponent("etwfe_logit_panel.csv").standardized.path

    func run(_ args: [String]) throws -> String { try DiDKitTests.run(["etwfe"] + args) }
    func mpdta(_ extra: [String]) throws -> String {
        try run(["--data", Self.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"] + extra)
    }
    func logit(_ extra: [String]) throws -> String {
        try run(["--data", Self.logitPanel, "--id", "id", "--time", "year", "--outcome", "y", "--group", "cohort"] + extra)
    }
    func object(_ s: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        return o
    }

    @Test func linearJSONHasTheContractsKeysAndEtwfesNumbers() throws {
        let doc = try object(try mpdta(["--covariates", "lpop", "--format", "json"]))
        // The contract's keys, and `notes` and `minimumCellSize` beyond them (ETWFEDocument).
        #expect(Set(doc.keys) == ["estimator", "family", "method", "control", "units", "observations", "attgt", "preTest", "aggregates",
                                  "notes", "minimumCellSize"])
        #expect(doc["estimator"] as? String == "etwfe" && doc["family"] as? String == "linear" && doc["control"] as? String == "notyet")
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        #expect(cells.count == 7)
        #expect(cells.allSatisfy { $0["oddsRatio"] == nil })   // linear: no odds ratios
        let aggs = try #require(doc["aggregates"] as? [[String: Any]])
        #expect(aggs.map { $0["type"] as? String } == ["simple", "group", "calendar", "event"])
        let overall = try #require(aggs.first?["overall"] as? [String: Any])
        // R etwfe's README: simple ATT -0.0506, SE 0.0125.
        #expect(Swift.abs((overall["att"] as? Double ?? 0) - -0.0506) < 0.00005)
        #expect(Swift.abs((overall["standardError"] as? Double ?? 0) - 0.0125) < 0.00005)
    }

    @Test func logitCellsCarryOddsRatiosAndTheGateSuppresses() throws {
        let doc = try object(try logit(["--format", "json", "--minimum-cell-size", "250"]))
        #expect(doc["family"] as? String == "logit")   // the default for a 0/1 outcome
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        for c in cells { #expect(c["oddsRatio"] != nil && c["oddsRatioCILower"] != nil && c["oddsRatioCIUpper"] != nil) }
        // Cohorts 2004 and 2006 hold fewer than 250 persons in the seeded panel: suppressed, numbers null.
        let small = cells.filter { ($0["suppressed"] as? Bool) == true }
        #expect(!small.isEmpty)
        #expect(small.allSatisfy { $0["att"] is NSNull && $0["oddsRatio"] is NSNull && $0["units"] is NSNull })
        let shown = cells.filter { $0["suppressed"] == nil }
        #expect(shown.allSatisfy { ($0["units"] as? Int ?? 0) >= 250 && $0["oddsRatio"] as? Double != nil })
        let text = try logit(["--minimum-cell-size", "250"])
        #expect(text.contains("<250") && text.contains("Odds ratio"))
        // The averages across cohorts are withheld beside a suppressed cell: no treated count in the
        // table (it showed "0", which is false), and the tidy file says why.
        let withheld = text.split(separator: "\n").filter { $0.hasPrefix("overall") || $0.hasPrefix("time ") }
        #expect(!withheld.isEmpty)
        for row in withheld { #expect(row.trimmingCharacters(in: .whitespaces).hasSuffix("<250"), "\(row)") }
        let csv = try logit(["--minimum-cell-size", "250", "--format", "csv"])
        #expect(csv.contains("averages a suppressed group-time cell"))
    }

    @Test func neverControlsCarryPlaceboCellsAndAPreTest() throws {
        let doc = try object(try mpdta(["--covariates", "lpop", "--control", "never", "--aggregate", "event", "--format", "json"]))
        #expect(doc["control"] as? String == "never")
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        #expect(cells.contains { ($0["time"] as? Int ?? 0) < ($0["group"] as? Int ?? 0) })
        let pre = try #require(doc["preTest"] as? [String: Any])
        #expect(pre["df"] as? Int == 5)   // pre cells: 2006 at 2004-2005, 2007 at 2004-2006 (2003 is the reference period)
        #expect((pre["pValue"] as? Double).map { $0 >= 0 && $0 <= 1 } == true)
    }

    @Test func oneColumnInTwoRolesIsAUsageError() throws {
        do {
            _ = try DidkitCommand.parseAsRoot(["etwfe", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--group", "i"])
            Issue.record("expected a usage error")
        } catch {
            #expect(DidkitCommand.exitCode(for: error).rawValue == 64)
            #expect(DidkitCommand.message(for: error).contains("given two roles"))
        }
    }

    @Test func usageErrorsAreValidationErrors() throws {
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["etwfe", "--data", "a", "--id", "i", "--time", "t", "--outcome", "t", "--group", "g"]) }
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["etwfe", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--group", "g", "--family", "probit"]) }
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["etwfe", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--group", "g", "--level", "120"]) }
    }

    @Test func dataErrorsAreOneSentence() throws {
        do {
            _ = try mpdta(["--family", "logit"])
            Issue.record("expected an error")
        } catch let e as ETWFEError {
            #expect(e == .outcomeNotBinary)
            #expect(!e.description.contains("\n"))
        }
        do {
            _ = try mpdta(["--covariates", "nosuchcolumn"])
            Issue.record("expected an error")
        } catch {
            #expect(!(error is ValidationError))
            #expect(!String(describing: error).contains("\n"))
        }
    }
}
