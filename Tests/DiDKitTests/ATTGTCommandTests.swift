import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// `didkit attgt` against shared/cli-contract.md (section `didkit attgt`).
@Suite("attgt command")
struct ATTGTCommandTests {
    /// R did's mpdta, shared with the Staggered tests.
    static let mpdta = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../StaggeredTests/Fixtures/data.csv").standardized.path

    func run(_ extra: [String]) throws -> String {
        let args = ["attgt", "--data", Self.mpdta, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"] + extra
        let command = try DidkitCommand.parseAsRoot(args)
        guard let c = command as? any OutputCommand else { Issue.record("not an output command"); return "" }
        return try c.output()
    }

    func object(_ s: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] else { throw CocoaError(.coderReadCorrupt) }
        return o
    }

    @Test func jsonKeysAreTheContracts() throws {
        let doc = try object(try run(["--covariates", "lpop", "--format", "json"]))
        // The contract's keys, and `notes` and `minimumCellSize` beyond them (ATTGTDocument).
        #expect(Set(doc.keys) == ["estimator", "method", "control", "units", "observations", "attgt", "preTest", "aggregates", "notes",
                                  "minimumCellSize"])
        #expect(doc["estimator"] as? String == "callaway-santanna")
        #expect(doc["method"] as? String == "dr")       // the contract's default
        #expect(doc["control"] as? String == "never")
        #expect(doc["units"] as? Int == 500)
        #expect(doc["observations"] as? Int == 2500)
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        #expect(cells.count == 12)
        for c in cells { #expect(Set(c.keys) == ["group", "time", "att", "standardError", "ciLower", "ciUpper", "units"]) }
        // ATT(2004,2004) with lpop, dr: -0.0145 (R did's README with xformla = ~lpop; moderndid -0.01452967).
        let first = try #require(cells.first { $0["group"] as? Int == 2004 && $0["time"] as? Int == 2004 })
        #expect(Swift.abs((first["att"] as? Double ?? 0) + 0.01452967) < 1e-7)
        #expect(first["units"] as? Int == 20)
        let pre = try #require(doc["preTest"] as? [String: Any])
        #expect(Set(pre.keys) == ["statistic", "df", "pValue"])
        #expect(pre["df"] as? Int == 5)
        let aggs = try #require(doc["aggregates"] as? [[String: Any]])
        #expect(aggs.map { $0["type"] as? String } == ["simple", "dynamic", "group", "calendar"])
        for a in aggs {
            #expect(Set(a.keys) == ["type", "overall", "effects", "uniformBand"])
            #expect(Set((a["overall"] as? [String: Any] ?? [:]).keys) == ["att", "standardError"])
            let key = ["dynamic": "event", "group": "group", "calendar": "time"][a["type"] as? String ?? ""]
            for e in a["effects"] as? [[String: Any]] ?? [] {
                #expect(Set(e.keys) == Set([key ?? "?", "att", "standardError", "ciLower", "ciUpper"]))
            }
            #expect(a["uniformBand"] as? Bool == false)
        }
    }

    @Test func bootstrapGivesUniformBandsAndRepeatedAggregatesAreKeptOnce() throws {
        let doc = try object(try run(["--method", "reg", "--aggregate", "dynamic", "--aggregate", "dynamic", "--bootstrap", "99",
                                      "--seed", "5", "--format", "json"]))
        let aggs = try #require(doc["aggregates"] as? [[String: Any]])
        #expect(aggs.count == 1)
        #expect(aggs.first?["uniformBand"] as? Bool == true)
    }

    @Test func suppressionOfSmallGroups() throws {
        // Group 2004 has 20 counties: with a minimum cell size of 25 its cells are suppressed.
        let doc = try object(try run(["--method", "reg", "--minimum-cell-size", "25", "--format", "json"]))
        let cells = try #require(doc["attgt"] as? [[String: Any]])
        let hidden = try #require(cells.first { $0["group"] as? Int == 2004 })
        #expect(hidden["suppressed"] as? Bool == true)
        #expect(hidden["att"] is NSNull)
        let text = try run(["--method", "reg", "--minimum-cell-size", "25"])
        #expect(text.contains("<25"))
        #expect(text.contains("Disclosure control"))
        // A withheld average shows no treated count (it showed "0", which is false) and the tidy
        // file gives the secondary reason.
        let withheldRows = text.split(separator: "\n").filter { $0.hasPrefix("start") || $0.hasPrefix("time ") }
        #expect(!withheldRows.isEmpty)
        for row in withheldRows { #expect(row.trimmingCharacters(in: .whitespaces).hasSuffix("<25"), "\(row)") }
        let csv = try run(["--method", "reg", "--minimum-cell-size", "25", "--format", "csv"])
        #expect(csv.contains("averages a suppressed group-time cell"))
        // Secondary suppression: averages across groups would give the 2004 cells back (their
        // weights follow from the published unit counts), so they are withheld; the other groups'
        // own aggregates stay.
        let aggs = try #require(doc["aggregates"] as? [[String: Any]])
        for a in aggs {
            let overall = a["overall"] as? [String: Any]
            #expect(overall?["att"] is NSNull, "\(a["type"] ?? "") overall published beside a suppressed cell")
            let effects = a["effects"] as? [[String: Any]] ?? []
            if a["type"] as? String == "group" {
                #expect(effects.contains { $0["group"] as? Int == 2006 && !($0["att"] is NSNull) })
            } else {
                #expect(effects.allSatisfy { $0["att"] is NSNull })
            }
        }
    }

    @Test func usageAndDataErrors() throws {
        #expect(throws: (any Error).self) { _ = try run(["--method", "foo"]) }
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["attgt", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--group", "g", "--bootstrap", "5"]) }
        #expect(throws: (any Error).self) { _ = try DidkitCommand.parseAsRoot(["attgt", "--data", "a", "--id", "i", "--time", "t", "--outcome", "y", "--group", "g", "--anticipation", "-1"]) }
        // A data error is a library error (exit 1 in run()), with one sentence.
        do {
            _ = try run(["--group", "treat"])  // `treat` is 0/1: "group 1" is not a period
            Issue.record("expected an error")
        } catch let e as StaggeredError {
            #expect(e.description.contains("not one of the observed periods"))
        }
    }

    @Test func markdownAndTextTables() throws {
        let md = try run(["--format", "markdown", "--aggregate", "group"])
        #expect(md.contains("| g=2004 t=2004 |"))
        #expect(md.contains("ATT by group"))
        let text = try run([])
        #expect(text.contains("Pre-test of parallel trends"))
    }
}
