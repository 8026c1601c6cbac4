import Foundation

/// Statistical disclosure control for register outputs: every published
/// count, bin or mean must rest on at least `minimumCellSize` persons
/// (default 5; Statistics Denmark's rule is at least 3).
///
/// - A count below the threshold (but above zero) is suppressed.
/// - A mean is suppressed when its group has fewer persons than the
///   threshold, and for a 0/1 variable also when fewer than the threshold
///   have, or lack, the characteristic (the mean would reveal them).
/// Suppressed cells are `nil` in JSON and `<k` in tables; every output with a
/// suppression carries a note saying so. Model estimates (odds ratios, SEs)
/// rest on the whole estimation sample and are not suppressed, but the
/// persons per group and per event-time cell behind them are checked.
public struct DisclosureControl: Sendable, Equatable {
    public var minimumCellSize: Int

    public init(minimumCellSize: Int = 5) {
        precondition(minimumCellSize >= 1, "DisclosureControl: the minimum cell size must be at least 1")
        self.minimumCellSize = minimumCellSize
    }

    /// A validated threshold, for values from users (flags, study files).
    /// - Throws: ``StudyError/invalidOption(_:)`` for a size below 1.
    public init(validating minimumCellSize: Int) throws {
        guard minimumCellSize >= 1 else {
            throw StudyError.invalidOption("minimumCellSize must be at least 1 (Statistics Denmark's rule is 3, many agencies' 5), got \(minimumCellSize)")
        }
        self.init(minimumCellSize: minimumCellSize)
    }

    /// The count, or nil when it is positive but below the threshold.
    public func count(_ n: Int) -> Int? { n > 0 && n < minimumCellSize ? nil : n }

    /// A count that a contract publishes as a number (`droppedRows`): `n`, or 0 with the note "`what`: <K" when
    /// `0 < n < K` (a false 0 with the truth beside it: JSON keeps its type and the note says what it holds).
    public func zeroingSmall(_ n: Int, as what: String) -> (count: Int, note: String?) {
        count(n) == nil ? (0, "\(what): <\(minimumCellSize)") : (n, nil)
    }

    /// Table text of a count.
    public func countText(_ n: Int) -> String { count(n).map(Format.count) ?? "<\(minimumCellSize)" }

    /// Whether a mean over `persons` with `ones` persons having value 1 (for 0/1 variables) may be shown.
    public func allowsMean(persons: Int, ones: Int?) -> Bool {
        if persons < minimumCellSize { return false }
        if let k = ones, (k > 0 && k < minimumCellSize) || (persons - k > 0 && persons - k < minimumCellSize) { return false }
        return true
    }

    /// The note that goes with any suppression.
    public var note: String {
        "Disclosure control: cells based on fewer than \(minimumCellSize) persons are suppressed (shown as <\(minimumCellSize) or left empty)."
    }

    /// A note with every count of persons, units or rows below the threshold shown as `<K`:
    /// the safety net for notes written in Stata's words by the layers below the gate
    /// ("x != 0 predicts failure perfectly; x dropped and 3 obs not used"), which would
    /// otherwise state a small cell. Counts are numbers followed by what they count, and the per-column counts of a
    /// list in brackets ("3 rows dropped for missing values (x: 3, y: 12)", "(countyreal: 1; ...)").
    public func gatingCounts(in note: String) -> String {
        let counted = #"(?<![\w.=-])(\d[\d,]*)(?=\s+(obs\b|rows?\b|observations\b|failures\b|successes\b|persons?\b|person-years\b|units?\b|treated\b|controls?\b|control persons\b|matched\b|participants\b|of\b))"#
        let listed = #"(?<=\w: )(\d[\d,]*)(?=[;)]|, \w)"#
        var out = note
        for pattern in [counted, listed] {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            for m in regex.matches(in: out, range: NSRange(out.startIndex..., in: out)).reversed() {
                guard let r = Range(m.range(at: 1), in: out), let n = Int(out[r].replacingOccurrences(of: ",", with: "")) else { continue }
                if n > 0 && n < minimumCellSize { out.replaceSubrange(r, with: "<\(minimumCellSize)") }
            }
        }
        return out
    }
}
