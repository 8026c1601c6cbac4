import _DiDKitTestSupport
import Foundation
import Matching
import Tabular
import Testing

/// Balance of a weighted match (k = 1 or 2, controls reused, some treated unmatched) on lalonde
/// against NumPy/SciPy/statsmodels: Fixtures/balance-weighted/expected.json, made by
/// balance_weighted_reference.py beside it (the pairs are in the same file, so the test does not
/// depend on any matcher). Every expected number comes from that script.
@Suite("Balance statistics of a weighted match against NumPy/SciPy/statsmodels")
struct BalanceWeightedTests {
    struct Expected {
        let pairs: [[Int]]
        let variables: [(name: String, before: [String: Double], after: [String: Double])]
    }

    static func expected() throws -> Expected {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/balance-weighted/expected.json")
        let json = try loadJSON(url)
        let pairs = try #require(json["pairs"] as? [[Int]])
        let vars = try #require(json["variables"] as? [[String: Any]]).map { v in
            (name: v["name"] as? String ?? "",
             before: (v["before"] as? [String: NSNumber] ?? [:]).mapValues(\.doubleValue),
             after: (v["after"] as? [String: NSNumber] ?? [:]).mapValues(\.doubleValue))
        }
        return Expected(pairs: pairs, variables: vars)
    }

    static func balance(_ convention: BalanceConvention) throws -> BalanceTable {
        let table = try CSVReader.read(path: lalondePath, kinds: ["id": .text])
        let treat = try table.numeric("treat").doubles.map { $0 == 1 }
        let e = try expected()
        let match = MatchResult(pairs: e.pairs.map { MatchedPair(treated: $0[0], control: $0[1], distance: 0) }, treated: treat)
        return try BalanceTable(table: table, treatment: "treat", covariates: ["age", "educ", "race", "married", "nodegree", "re74", "re75"],
                                factors: ["race"], match: match, convention: convention)
    }

    /// `|a - b| <= 1e-10 * max(1, |b|)`: absolute for p-values, SMDs and ratios; relative for
    /// earnings means in the thousands.
    func close(_ a: Double, _ b: Double) -> Bool { Swift.abs(a - b) <= 1e-10 * Swift.max(1, Swift.abs(b)) }

    @Test("means, weighted t-test p-values, variance ratios and pstest SMDs agree to 1e-10")
    func pstestConvention() throws {
        let b = try Self.balance(.pstest)
        let e = try Self.expected()
        var checked = 0, maxDiff = 0.0
        for v in e.variables {
            let row = try #require(b.rows.first { $0.name == v.name }, "\(v.name) missing")
            for (label, got, want) in [("before", row.before, v.before), ("after", row.after, v.after)] {
                let pairs: [(String, Double, Double?)] = [
                    ("treatedMean", got.treatedMean, want["treatedMean"]), ("controlMean", got.controlMean, want["controlMean"]),
                    ("pValue", got.pValue, want["pValue"]), ("varianceRatio", got.varianceRatio, want["varianceRatio"]),
                    ("smd", got.smd, want["smdPstest"]),
                ]
                for (key, g, w) in pairs {
                    let w = try #require(w, "\(v.name) \(label) \(key) not in the fixture")
                    #expect(close(g, w), "\(v.name) \(label) \(key): \(g) vs \(w)")
                    maxDiff = Swift.max(maxDiff, Swift.abs(g - w) / Swift.max(1, Swift.abs(w)))
                    checked += 1
                }
            }
        }
        #expect(checked == 9 * 2 * 5)
        #expect(maxDiff <= 1e-10)
    }

    @Test("MatchIt SMDs (SD of the treated; sqrt(p(1-p)) for 0/1) agree to 1e-10")
    func matchitConvention() throws {
        let b = try Self.balance(.matchit)
        for v in try Self.expected().variables {
            let row = try #require(b.rows.first { $0.name == v.name })
            #expect(close(row.before.smd, try #require(v.before["smdMatchit"])), "\(v.name) before")
            #expect(close(row.after.smd, try #require(v.after["smdMatchit"])), "\(v.name) after")
        }
    }

    @Test("the weighted after-matching test differs from the unweighted one when controls are reused")
    func weightsMatter() throws {
        let b = try Self.balance(.pstest)
        let e = try Self.expected()
        // The fixture's match reuses controls: some weight is neither 0 nor 1.
        let treat = try CSVReader.read(path: lalondePath, kinds: ["id": .text]).numeric("treat").doubles.map { $0 == 1 }
        let w = MatchResult(pairs: e.pairs.map { MatchedPair(treated: $0[0], control: $0[1], distance: 0) }, treated: treat).weights
        #expect(w.contains { $0 != 0 && $0 != 1 })
        #expect(b.rows.first { $0.name == "age" }.map { $0.after.varianceRatio != $0.before.varianceRatio } == true)
    }
}
