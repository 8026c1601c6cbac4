/// One treated-control pair (row indices of the matching input) and the
/// absolute score distance between them.
public struct MatchedPair: Sendable, Equatable {
    public let treated: Int
    public let control: Int
    public let distance: Double

    public init(treated: Int, control: Int, distance: Double) {
        self.treated = treated
        self.control = control
        self.distance = distance
    }
}

/// Why a treated unit has no match.
public enum UnmatchedReason: String, Sendable, Equatable, CaseIterable {
    /// Its score lies outside the controls' score range (common support).
    case offSupport = "off support"
    /// No available control within the caliper.
    case noControlWithinCaliper = "no control within caliper"
    /// Matching without replacement ran out of controls (psmatch2's sweep stops).
    case noControlsLeft = "no controls left"
    /// Its exact-matching stratum has no controls at all.
    case noControlInStratum = "no control in its exact-matching stratum"
    /// Not matched by a match made elsewhere (the reason is not known here).
    case external = "not matched (external match)"
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
    /// Controls asked for per treated unit (`k`).
    public var neighbors: Int = 1
    /// Treated units with at least one match.
    public let matchedTreated: Int
    /// Distinct controls used.
    public let matchedControls: Int

    /// Matched treated units that got fewer than `k` controls (a pool or stratum smaller than
    /// `k`, or the caliper): matched, but on fewer neighbours than asked for.
    public var treatedWithFewerControls: Int {
        guard neighbors > 1 else { return 0 }
        var per: [Int: Int] = [:]
        for p in pairs { per[p.treated, default: 0] += 1 }
        return per.values.filter { $0 < neighbors }.count
    }

    public init(pairs: [MatchedPair], weights: [Double], unmatched: [(row: Int, reason: UnmatchedReason)], treatedCount: Int,
                controlCount: Int, caliper: Double?) {
        self.pairs = pairs
        self.weights = weights
        self.unmatched = unmatched
        self.treatedCount = treatedCount
        self.controlCount = controlCount
        self.caliper = caliper
        matchedTreated = Self.distinctCount(pairs.map(\.treated), below: weights.count)
        matchedControls = Self.distinctCount(pairs.map(\.control), below: weights.count)
    }

    /// The number of distinct rows in `rows`, counted once here: the report and the disclosure
    /// cells ask for the matched counts several times, and a `Set` of a whole-country match's rows
    /// cost 0.1-0.4 s each time. A flag per row of the matching input (`rows` are its indices, below
    /// `bound`, the number of weights): O(pairs + bound). Rows outside that range, which no matcher
    /// makes, are counted by a `Set` as before.
    private static func distinctCount(_ rows: [Int], below bound: Int) -> Int {
        guard let low = rows.min(), let high = rows.max() else { return 0 }
        guard low >= 0 && high < bound else { return Set(rows).count }
        var seen = [Bool](repeating: false, count: high + 1)
        var count = 0
        for r in rows where !seen[r] {
            seen[r] = true
            count += 1
        }
        return count
    }

    /// A match made elsewhere (another program, a hand-made list of pairs): the weights follow
    /// from the pairs as ``weights`` documents (treated 1, each use of a control `1/k`); treated
    /// units without a pair are unmatched with an unknown reason (``UnmatchedReason/external``).
    public init(pairs: [MatchedPair], treated: [Bool]) {
        let (weights, perTreated) = Self.weights(of: pairs, rows: treated.count)
        let unmatched = treated.indices.filter { treated[$0] && perTreated[$0] == 0 }.map { (row: $0, reason: UnmatchedReason.external) }
        let t = treated.filter { $0 }.count
        self.init(pairs: pairs, weights: weights, unmatched: unmatched, treatedCount: t, controlCount: treated.count - t, caliper: nil)
    }

    /// The weights of ``weights`` for `pairs` over `rows` input rows (treated 1, each use of a control
    /// `1/k_t`), and each row's number of pairs as the treated unit.
    static func weights(of pairs: [MatchedPair], rows: Int) -> (weights: [Double], perTreated: [Int]) {
        var perTreated = [Int](repeating: 0, count: rows)
        for p in pairs { perTreated[p.treated] += 1 }
        var weights = [Double](repeating: 0, count: rows)
        for p in pairs {
            weights[p.treated] = 1
            weights[p.control] += 1 / Double(perTreated[p.treated])
        }
        return (weights, perTreated)
    }

    /// Number of unmatched treated units.
    public var unmatchedTreated: Int { unmatched.count }
    /// Unmatched treated by reason.
    public func unmatchedCount(_ reason: UnmatchedReason) -> Int { unmatched.filter { $0.reason == reason }.count }
}
