/// One treated-control pair (row indices of the matching input) and the
/// absolute score distance between them.
public struct MatchedPair: Sendable, Equatable {
    public let treated: Int
    public let control: Int
    public let distance: Double
}

/// Why a treated unit has no match.
public enum UnmatchedReason: String, Sendable, Equatable, CaseIterable {
    /// Its score lies outside the controls' score range (common support).
    case offSupport = "off support"
    /// No available control within the caliper.
    case noControlWithinCaliper = "no control within caliper"
    /// Matching without replacement ran out of controls (psmatch2's sweep stops).
    case noControlsLeft = "no controls left"
}

/// The outcome of a nearest-neighbour match.
public struct MatchResult: Sendable {
    /// Pairs in the order they were made.
    public let pairs: [MatchedPair]
    /// Per input row: treated 1 if matched (else 0); control `sum of 1/k` over
    /// the treated units it serves (times used, for 1:1); unused 0.
    public let weights: [Double]
    /// Unmatched treated rows with their reasons.
    public let unmatched: [(row: Int, reason: UnmatchedReason)]
    /// Treated and control units before matching.
    public let treatedCount: Int
    public let controlCount: Int
    /// The caliper in score units (after SD scaling), or nil.
    public let caliper: Double?

    /// Treated units with at least one match.
    public var matchedTreated: Int { Set(pairs.map(\.treated)).count }
    /// Distinct controls used.
    public var matchedControls: Int { Set(pairs.map(\.control)).count }
    /// Number of unmatched treated units.
    public var unmatchedTreated: Int { unmatched.count }
    /// Unmatched treated by reason.
    public func unmatchedCount(_ reason: UnmatchedReason) -> Int { unmatched.filter { $0.reason == reason }.count }
}
