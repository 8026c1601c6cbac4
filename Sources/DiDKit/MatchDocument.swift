import Foundation
import Matching
import Regression

/// The JSON result of `didkit match` (keys of the CLI contract, plus
/// `preset`, `unmatchedByReason`, `histogram`), after the disclosure gate:
/// it can only be made through ``init(_:disclosure:suppressedCounts:)``, so
/// every output of a match passes the gate. A suppressed number is `null` and
/// its object carries `"suppressed": true`.
public struct MatchDocument: Codable, Sendable, Equatable, EncodesNulls {
    public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

    public struct Stats: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var treatedMean: Double?
        public var controlMean: Double?
        public var smd: Double?
        public var varianceRatio: Double?
        public var pValue: Double?
        public var suppressed: Bool?

        init(_ s: BalanceStatistics, showTreated: Bool, showControl: Bool) {
            let both = showTreated && showControl
            treatedMean = showTreated ? finite(s.treatedMean) : nil
            controlMean = showControl ? finite(s.controlMean) : nil
            // SMD, variance ratio and test are functions of both means: shown only with both.
            smd = both ? finite(s.smd) : nil
            varianceRatio = both ? finite(s.varianceRatio) : nil
            pValue = both ? finite(s.pValue) : nil
            suppressed = both ? nil : true
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var name: String
        public var before: Stats
        public var after: Stats
        /// True for a 0/1 variable (its variance ratio is not shown in tables, as MatchIt,
        /// cobalt and pstest leave it blank); absent otherwise.
        public var binary: Bool? = nil
    }

    /// Score histograms: per series and bin, the share of the group's total (small bins merged
    /// with their neighbours first) and the count where a bin stands alone.
    public struct Histogram: Codable, Sendable, Equatable {
        public var edges: [Double]
        public var treatedBefore: [Int?]
        public var controlBefore: [Int?]
        public var treatedAfter: [Int?]
        public var controlAfter: [Int?]
        public var treatedBeforeShare: [Double?]
        public var controlBeforeShare: [Double?]
        public var treatedAfterShare: [Double?]
        public var controlAfterShare: [Double?]
        /// Per series (`treatedBefore`, ...): the bins merged with a neighbour.
        public var merged: [String: [Int]]
    }

    public var preset: String
    public var treated: Int?
    public var controls: Int?
    public var matchedTreated: Int?
    public var matchedControls: Int?
    public var unmatchedTreated: Int?
    public var offSupport: Int?
    public var unmatchedByReason: [String: Int?]
    public var caliper: Double?
    /// Matched treated units with fewer controls than asked for (k > 1 only).
    public var treatedWithFewerControls: Int?
    public var minimumCellSize: Int
    public var suppressed: Bool?
    public var propensityModel: ModelResultDocument
    public var balance: [Row]
    public var histogram: Histogram

    /// The count cells of a match and how they add up (`entering = matched + unmatched`), for
    /// ``CellSuppression``: `entering.treated`, `entering.control`, `matched.treated`,
    /// `matched.control`, `unmatched.treated`, `unmatched[reason]`, and the unpublished
    /// `notMatched.control` a reader gets by subtraction.
    public static func addCountCells(of r: MatchResult, to cells: inout CellSuppression) {
        cells.add("entering.treated", r.treatedCount)
        cells.add("entering.control", r.controlCount)
        cells.add("matched.treated", r.matchedTreated)
        cells.add("matched.control", r.matchedControls)
        cells.add("unmatched.treated", r.unmatchedTreated)
        cells.add("notMatched.control", r.controlCount - r.matchedControls, published: false)
        let reasons = UnmatchedReason.allCases.map { "unmatched[\($0.rawValue)]" }
        for (reason, key) in zip(UnmatchedReason.allCases, reasons) { cells.add(key, r.unmatchedCount(reason)) }
        cells.relate(total: "entering.treated", parts: ["matched.treated", "unmatched.treated"])
        cells.relate(total: "unmatched.treated", parts: reasons)
        cells.relate(total: "entering.control", parts: ["matched.control", "notMatched.control"])
        // k:1 without replacement, every treated person with its k controls (or any match where the counts stand in
        // that ratio): a reader who knows the design reads one count off the other, so they are one cell for
        // suppression (a relation with two unknowns is safe).
        if r.matchedControls == r.neighbors * r.matchedTreated { cells.relate(total: "matched.control", parts: ["matched.treated"]) }
    }

    /// The gated document of a match.
    /// - Parameters:
    ///   - suppressedCounts: the count cells suppressed by a wider set of relations (the study's
    ///     exclusion flow); nil: the match's own relations (``addCountCells(of:to:)``).
    public init(_ m: PropensityScoreMatch, disclosure: DisclosureControl, suppressedCounts: Set<String>? = nil) {
        let r = m.result
        let k = disclosure.minimumCellSize
        let hidden = suppressedCounts ?? {
            var cells = CellSuppression()
            Self.addCountCells(of: r, to: &cells)
            return cells.suppressed(minimumCellSize: k)
        }()
        func count(_ key: String, _ n: Int) -> Int? { hidden.contains(key) ? nil : n }
        preset = m.specification.name
        minimumCellSize = k
        treated = count("entering.treated", r.treatedCount)
        controls = count("entering.control", r.controlCount)
        matchedTreated = count("matched.treated", r.matchedTreated)
        matchedControls = count("matched.control", r.matchedControls)
        unmatchedTreated = count("unmatched.treated", r.unmatchedTreated)
        offSupport = count("unmatched[\(UnmatchedReason.offSupport.rawValue)]", r.unmatchedCount(.offSupport))
        // Every reason a DiDKit matcher gives (0 included); a match made elsewhere only when it occurs.
        unmatchedByReason = Dictionary(uniqueKeysWithValues: UnmatchedReason.allCases.compactMap { reason in
            let n = r.unmatchedCount(reason)
            return reason == .external && n == 0 ? nil : (reason.rawValue, count("unmatched[\(reason.rawValue)]", n))
        })
        caliper = r.caliper.flatMap(finite)
        treatedWithFewerControls = r.neighbors > 1 ? disclosure.count(r.treatedWithFewerControls) : 0
        let balanceRows = Self.gatedBalance(m.balance, disclosure: disclosure)
        balance = balanceRows
        let before = Dictionary(uniqueKeysWithValues: balanceRows.map { ($0.name, $0.before) })
        propensityModel = ModelResultDocument(m.model, m.model.oimTable).suppressingTerms { name in
            // A 0/1 or factor-level term rests on the persons with and without it, by group:
            // shown only where its before-matching shares are.
            before[name]?.suppressed == true
        }
        propensityModel.notes = propensityModel.notes.map(disclosure.gatingCounts)
        histogram = Self.gatedHistogram(m.histogram, k: k)
        let anyHidden = [treated, controls, matchedTreated, matchedControls, unmatchedTreated, offSupport].contains { $0 == nil }
            || unmatchedByReason.values.contains { $0 == nil }
        suppressed = anyHidden ? true : nil
    }

    /// Balance rows after the gate. Primary: a mean over fewer than K persons, or a share of a
    /// 0/1 variable whose 1s or 0s number fewer than K, is suppressed with the statistics built
    /// on it. Secondary: the persons who leave at matching are the difference of before and
    /// after, so an after-matching share is suppressed when the 1s or 0s among those who left
    /// number fewer than K, and every after-matching mean of a group when fewer than K of its persons left (the
    /// before and after means and counts give the mean of those who left: one unmatched person's age); and the
    /// levels of a factor share one total, so one suppressed level suppresses the next smallest level too.
    static func gatedBalance(_ b: BalanceTable, disclosure: DisclosureControl) -> [Row] {
        let k = disclosure.minimumCellSize
        var hidden = Set<String>()
        func key(_ row: BalanceRow, _ period: String, _ group: String) -> String { "\(row.name)|\(period)|\(group)" }
        for group in ["treated", "control"] {
            for row in b.rows {
                for (period, s) in [("before", row.before), ("after", row.after)] {
                    let persons = group == "treated" ? s.treatedPersons : s.controlPersons
                    let ones = group == "treated" ? s.treatedOnes : s.controlOnes
                    if !disclosure.allowsMean(persons: persons, ones: ones) { hidden.insert(key(row, period, group)) }
                }
                // Those who left at matching: before minus after.
                let (pb, pa) = group == "treated" ? (row.before.treatedPersons, row.after.treatedPersons)
                                                  : (row.before.controlPersons, row.after.controlPersons)
                let (ob, oa) = group == "treated" ? (row.before.treatedOnes, row.after.treatedOnes)
                                                  : (row.before.controlOnes, row.after.controlOnes)
                let left = pb - pa
                if left > 0 && left < k { hidden.insert(key(row, "after", group)) }
                if left > 0, let ob, let oa {
                    let onesLeft = ob - oa, zerosLeft = left - onesLeft
                    if (onesLeft > 0 && onesLeft < k) || (zerosLeft > 0 && zerosLeft < k) { hidden.insert(key(row, "after", group)) }
                }
            }
            // Factor levels: never exactly one suppressed level per factor, period and group.
            let byFactor = Dictionary(grouping: b.rows.filter { $0.factor != nil }, by: { $0.factor ?? "" })
            for (_, levels) in byFactor {
                for period in ["before", "after"] {
                    let keys = levels.map { key($0, period, group) }
                    guard keys.filter({ hidden.contains($0) }).count == 1 else { continue }
                    let visible = levels.filter { !hidden.contains(key($0, period, group)) }
                    func smallness(_ r: BalanceRow) -> Int {
                        let s = period == "before" ? r.before : r.after
                        let persons = group == "treated" ? s.treatedPersons : s.controlPersons
                        let ones = (group == "treated" ? s.treatedOnes : s.controlOnes) ?? 0
                        return Swift.min(ones, persons - ones)
                    }
                    if let next = visible.min(by: { (smallness($0), $0.name) < (smallness($1), $1.name) }) {
                        hidden.insert(key(next, period, group))
                    }
                }
            }
        }
        return b.rows.map { row in
            Row(name: row.name,
                before: Stats(row.before, showTreated: !hidden.contains(key(row, "before", "treated")),
                              showControl: !hidden.contains(key(row, "before", "control"))),
                after: Stats(row.after, showTreated: !hidden.contains(key(row, "after", "treated")),
                             showControl: !hidden.contains(key(row, "after", "control"))),
                binary: row.isBinary ? true : nil)
        }
    }

    static func gatedHistogram(_ h: ScoreHistogram, k: Int) -> Histogram {
        let series = [("treatedBefore", h.treatedBefore), ("controlBefore", h.controlBefore),
                      ("treatedAfter", h.treatedAfter), ("controlAfter", h.controlAfter)]
            .map { ($0.0, GatedHistogramSeries(counts: $0.1, minimumCellSize: k)) }
        let g = Dictionary(uniqueKeysWithValues: series)
        func get(_ name: String) -> GatedHistogramSeries { g[name] ?? GatedHistogramSeries(counts: [], minimumCellSize: k) }
        return Histogram(edges: h.edges, treatedBefore: get("treatedBefore").counts, controlBefore: get("controlBefore").counts,
                         treatedAfter: get("treatedAfter").counts, controlAfter: get("controlAfter").counts,
                         treatedBeforeShare: get("treatedBefore").shares, controlBeforeShare: get("controlBefore").shares,
                         treatedAfterShare: get("treatedAfter").shares, controlAfterShare: get("controlAfter").shares,
                         merged: Dictionary(uniqueKeysWithValues: series.map { name, s in (name, s.merged.indices.filter { s.merged[$0] }) }))
    }

    public func json() throws -> String { try encodeJSON(self) }
}
