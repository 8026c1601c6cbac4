import Foundation
import Matching
import Regression

/// The JSON result of `didkit match` (keys of the CLI contract, plus
/// `preset`, `unmatchedByReason`, `histogram`).
public struct MatchDocument: Codable, Sendable, Equatable {
    public struct Stats: Codable, Sendable, Equatable {
        public var treatedMean: Double?
        public var controlMean: Double?
        public var smd: Double?
        public var varianceRatio: Double?
        public var pValue: Double?

        init(_ s: BalanceStatistics) {
            treatedMean = finite(s.treatedMean)
            controlMean = finite(s.controlMean)
            smd = finite(s.smd)
            varianceRatio = finite(s.varianceRatio)
            pValue = finite(s.pValue)
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var name: String
        public var before: Stats
        public var after: Stats
    }

    public struct Histogram: Codable, Sendable, Equatable {
        public var edges: [Double]
        public var treatedBefore: [Int?]
        public var controlBefore: [Int?]
        public var treatedAfter: [Int?]
        public var controlAfter: [Int?]
    }

    public var preset: String
    public var treated: Int
    public var controls: Int
    public var matchedTreated: Int
    public var matchedControls: Int
    public var unmatchedTreated: Int
    public var offSupport: Int
    public var unmatchedByReason: [String: Int]
    public var caliper: Double?
    public var propensityModel: ModelResultDocument
    public var balance: [Row]
    public var histogram: Histogram

    public init(_ m: PropensityScoreMatch) throws {
        let r = m.result
        preset = m.specification.name
        treated = r.treatedCount
        controls = r.controlCount
        matchedTreated = r.matchedTreated
        matchedControls = r.matchedControls
        unmatchedTreated = r.unmatchedTreated
        offSupport = r.unmatchedCount(.offSupport)
        // Every reason a DiDKit matcher gives (0 included); a match made elsewhere only when it occurs.
        unmatchedByReason = Dictionary(uniqueKeysWithValues: UnmatchedReason.allCases.compactMap { reason in
            let n = r.unmatchedCount(reason)
            return reason == .external && n == 0 ? nil : (reason.rawValue, n)
        })
        caliper = r.caliper
        propensityModel = ModelResultDocument(m.model, try m.model.inference())
        balance = m.balance.rows.map { Row(name: $0.name, before: Stats($0.before), after: Stats($0.after)) }
        let h = m.histogram
        histogram = Histogram(edges: h.edges, treatedBefore: h.treatedBefore, controlBefore: h.controlBefore,
                              treatedAfter: h.treatedAfter, controlAfter: h.controlAfter)
    }

    public func json() -> String { encodeJSON(self) }

    /// The balance table in the reference study's layout (appendix table 7.1):
    /// after matching | before matching, means with t-test stars, then SMDs.
    public func balanceTable(stars: StarConvention = .balance, title: String = "Balance before and after matching") -> ReportTable {
        let smdName = preset == "psmatch2" ? "%bias" : "SMD"
        func smd(_ v: Double?) -> String {
            guard let v else { return "." }
            return preset == "psmatch2" ? Format.fixed(100 * v, 1) : Format.fixed(v, 3)
        }
        func mean(_ v: Double?) -> String {
            guard let v else { return "." }
            return Swift.abs(v) >= 1000 ? Format.count(Int(v.rounded())) : Format.fixed(v, 2)
        }
        var rows = balance.map { b -> [String] in
            [b.name, mean(b.after.treatedMean), mean(b.after.controlMean), stars.stars(b.after.pValue ?? .nan),
             mean(b.before.treatedMean), mean(b.before.controlMean), stars.stars(b.before.pValue ?? .nan),
             smd(b.after.smd), smd(b.before.smd)]
        }
        rows.append(["N", Format.count(matchedTreated), Format.count(matchedControls), "", Format.count(treated),
                     Format.count(controls), "", "", ""])
        var notes = ["t-test of equal means: \(stars.legend); \(stars.notSignificant) = not significant. After matching, control means and tests are weighted by the matching weights."]
        notes.append(preset == "psmatch2"
            ? "%bias = 100 (m1 - m0) / sqrt((V1 + V0) / 2) with the unmatched variances (pstest)."
            : "SMD = (m1 - m0) / SD of the treated before matching; sqrt(p(1-p)) for 0/1 variables (MatchIt/cobalt).")
        notes.append("Matched \(Format.count(matchedTreated)) of \(Format.count(treated)) treated with \(Format.count(matchedControls)) controls"
                     + (caliper.map { "; caliper \(Format.fixed($0, 4)) in score units" } ?? "") + ".")
        for (reason, n) in unmatchedByReason.sorted(by: { $0.key < $1.key }) where n > 0 {
            notes.append("\(n) treated unmatched: \(reason).")
        }
        return ReportTable(title: title, columns: ["Covariate", "After: treated", "control", "", "Before: treated", "control", "",
                                                   "\(smdName) after", "\(smdName) before"],
                           rows: rows, notes: notes, rulesAfter: [rows.count - 2])
    }
}
