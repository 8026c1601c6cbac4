import Estimation
import Regression

/// The order in which treated units pick their controls.
public enum MatchingOrder: Sendable, Equatable {
    /// Lowest score first.
    case ascending
    /// Highest score first (MatchIt's `m.order = "largest"`).
    case descending
    /// A random order from a seeded SplitMix64 shuffle (reproducible).
    case random(seed: UInt64)
    /// The order of the rows in the data.
    case data
}

/// The scale a caliper is given in.
public enum CaliperScale: String, StrictOption {
    /// Score units (probability scale): psmatch2's `caliper()`.
    case score
    /// Standard deviations of the score over all units (n-1 SD): MatchIt's default.
    case sd

    public static let optionName = "caliperScale"
}

/// The algorithm that chooses each treated unit's controls.
public enum MatchingAlgorithm: String, Sendable, Equatable {
    /// Global greedy nearest available control, both sides compared, the
    /// lower-score control winning an equal distance (MatchIt).
    case nearestAvailable
    /// psmatch2's sweep through the sorted controls (1:1; see Docs/Matching.md).
    case psmatch2Sweep
}

/// Which control a treated unit takes among controls at an equal distance, with replacement
/// (`nearestAvailable`; without replacement the greedy rule decides).
public enum ReplacementTieBreak: String, Sendable, Equatable {
    /// The lower score, then the first row in data order (DiDKit's default).
    case lowerScoreFirstRow
    /// MatchIt 4.x (`src/nn_matchC_vec.cpp`, `find_control_vec` in `src/internal.cpp`): all units sorted by
    /// (score, row); from the treated unit's position the nearest control on the left and on the right
    /// (walking out, up to `k` each side) are collected, left first, and the `k` closest kept, an equal distance
    /// going to the one collected first (the left one). So a tied control listed before the treated unit wins over
    /// one listed after it, and among tied lower-score controls the one with the highest row wins.
    case matchit
}

/// Convention for standardised mean differences in balance tables.
public enum BalanceConvention: String, Sendable, Equatable {
    /// MatchIt/cobalt (ATT): `(m1 - m0) / SD of the treated before matching`,
    /// `sqrt(p (1 - p))` for 0/1 columns.
    case matchit
    /// pstest: `(m1 - m0) / sqrt((V1 + V0) / 2)` with the unmatched variances.
    case pstest
}

/// Everything that defines a nearest-neighbour match.
///
/// Start from a preset (``psmatch2``, ``matchit``) or ``default`` and change
/// what the study needs. Without a preset DiDKit uses MatchIt's algorithm and
/// balance convention with a score-scale caliper.
public struct MatchingSpecification: Sendable, Equatable {
    /// Controls per treated unit (`k`).
    public var neighbors: Int
    /// Whether a control may serve several treated units.
    public var replacement: Bool
    /// The caliper (nil: none), in `caliperScale` units.
    public var caliper: Double?
    public var caliperScale: CaliperScale
    /// Whether a distance equal to the caliper is accepted (`<=`, MatchIt) or not (`<`, psmatch2).
    public var caliperInclusive: Bool
    public var order: MatchingOrder
    /// Drop treated units whose score lies outside the controls' score range (psmatch2's `common`).
    public var commonSupport: Bool
    public var algorithm: MatchingAlgorithm
    public var balance: BalanceConvention
    /// The preset's name, for reports (`psmatch2`, `matchit`, `default`).
    public var name: String
    /// Equal distances with replacement (``ReplacementTieBreak``): MatchIt's rule under the `matchit` preset.
    public var replacementTieBreak: ReplacementTieBreak
    /// psmatch2's `ties`: every control at the `k`-th nearest distance is matched too, all of a treated unit's
    /// controls sharing its weight equally (`1/#controls` each). Needs replacement (``MatchingError/tiesNeedReplacement``).
    public var ties: Bool

    public init(neighbors: Int = 1, replacement: Bool = false, caliper: Double? = nil, caliperScale: CaliperScale = .score,
                caliperInclusive: Bool = true, order: MatchingOrder = .descending, commonSupport: Bool = false,
                algorithm: MatchingAlgorithm = .nearestAvailable, balance: BalanceConvention = .matchit, name: String = "default",
                replacementTieBreak: ReplacementTieBreak = .lowerScoreFirstRow, ties: Bool = false) {
        self.neighbors = neighbors
        self.replacement = replacement
        self.caliper = caliper
        self.caliperScale = caliperScale
        self.caliperInclusive = caliperInclusive
        self.order = order
        self.commonSupport = commonSupport
        self.algorithm = algorithm
        self.balance = balance
        self.name = name
        self.replacementTieBreak = replacementTieBreak
        self.ties = ties
    }

    /// DiDKit's default: greedy nearest available without replacement, largest score first,
    /// caliper (if any) on the score scale applied with `<=`, MatchIt's balance convention.
    public static let `default` = MatchingSpecification()

    /// Stata psmatch2: with replacement unless told otherwise, the sweep over
    /// sorted scores (ascending), caliper on the raw score with a strict `<`,
    /// pstest's balance convention. (The score model is probit unless logit is asked for.)
    public static let psmatch2 = MatchingSpecification(
        neighbors: 1, replacement: true, caliper: nil, caliperScale: .score, caliperInclusive: false, order: .ascending,
        commonSupport: false, algorithm: .psmatch2Sweep, balance: .pstest, name: "psmatch2")

    /// MatchIt 4.x `method = "nearest"` defaults: without replacement, largest
    /// score first, caliper in SD units applied with `<=`, lower-score control
    /// winning ties, cobalt's balance convention; with replacement, MatchIt's
    /// tie rule (``ReplacementTieBreak/matchit``).
    public static let matchit = MatchingSpecification(
        neighbors: 1, replacement: false, caliper: nil, caliperScale: .sd, caliperInclusive: true, order: .descending,
        commonSupport: false, algorithm: .nearestAvailable, balance: .matchit, name: "matchit", replacementTieBreak: .matchit)
}

/// A named starting point for a ``MatchingSpecification`` (CLI `--preset`, study files' `matching.preset`).
public enum MatchingPreset: String, StrictOption {
    /// Stata's psmatch2 (``MatchingSpecification/psmatch2``).
    case psmatch2
    /// R's MatchIt 4.x nearest-neighbour defaults (``MatchingSpecification/matchit``).
    case matchit
    /// DiDKit's default (``MatchingSpecification/default``).
    case `default`

    public static let optionName = "preset"

    /// The preset's specification.
    public var specification: MatchingSpecification {
        switch self {
        case .psmatch2: return .psmatch2
        case .matchit: return .matchit
        case .default: return .default
        }
    }

    /// The score model's link when none is given: probit for psmatch2 (its default), logit otherwise.
    public var defaultLink: BinaryLink { self == .psmatch2 ? .probit : .logit }
}
