import Design
import _DiDKitParallel
import Estimation
import Distributions

/// Balance statistics of one variable in one sample (before or after matching).
public struct BalanceStatistics: Sendable, Equatable {
    public let treatedMean: Double
    public let controlMean: Double
    /// Standardised mean difference (per ``BalanceConvention``; the denominator is always the before-matching one).
    public let smd: Double
    /// Treated variance over (weighted) control variance.
    public let varianceRatio: Double
    /// Two-sided p-value of equal means: pooled t-test before; weighted regression after.
    public let pValue: Double
    /// Persons behind the treated and control means (units, not weights).
    public let treatedPersons: Int
    public let controlPersons: Int
    /// For 0/1 variables: persons with value 1 in each group (for disclosure control).
    public let treatedOnes: Int?
    public let controlOnes: Int?
}

/// One row of a balance table.
public struct BalanceRow: Sendable, Equatable {
    /// Term-style name (`age`, `race=black`, `_score`).
    public let name: String
    public let before: BalanceStatistics
    public let after: BalanceStatistics
    /// Whether the variable is 0/1.
    public let isBinary: Bool
    /// The factor this row is a level of (its levels' shares sum to 1: the disclosure gate
    /// treats them together), or nil.
    public var factor: String? = nil
}

/// Balance of covariates between treated and controls before and after matching.
///
/// Formulas (`x` a covariate; `1` treated, `0` controls; `w` matching weights):
/// - means: before, plain means of all treated and all controls; after, the
///   mean of matched treated and the `w`-weighted mean of the controls;
/// - SMD, `matchit`: `(m1 - m0) / s1` with `s1` the SD of the treated before
///   matching (n-1), or `sqrt(p (1 - p))` for a 0/1 variable;
///   `pstest`: `(m1 - m0) / sqrt((V1 + V0) / 2)` with the unmatched variances;
/// - variance ratio `V1 / V0` (after: weighted control variance `sum w (x - m0)^2 / (sum w - 1)`);
/// - p-value: before, the pooled-variance two-sample t-test (df `n1 + n0 - 2`);
///   after, the t-test of the treatment coefficient in the regression of `x`
///   on the treatment over the matched sample with weights 1 (treated) and `w`
///   (controls), `N = sum of weights` (pstest's weighted regression; identical to
///   the plain t-test for 1:1 matching without replacement).
public struct BalanceTable: Sendable {
    public private(set) var rows: [BalanceRow]
    public let convention: BalanceConvention
    /// Units before matching, and matched units after.
    public let treatedBefore: Int
    public let controlBefore: Int
    public let treatedAfter: Int
    public let controlAfter: Int

    /// Computes the table for named variables.
    /// - Parameters:
    ///   - variables: (name, values per row) for the rows of the match.
    ///   - treated: treatment per row.
    ///   - weights: matching weights per row (0 = not in the matched sample).
    ///   - factors: per variable, the factor it is a level of (nil for other variables).
    public init(variables: [(String, [Double])], treated: [Bool], weights: [Double], convention: BalanceConvention,
                factors: [String?]? = nil) {
        self.init(names: variables.map(\.0), values: { variables[$0].1 }, treated: treated, weights: weights,
                  convention: convention, factors: factors)
    }

    /// Computes the table for named variables whose values `values(k)` gives on demand (variable `k`
    /// of `names`), the variables on all cores: only the variables being summarised are held, not
    /// all of them (on the whole-country baseline, 6M persons x 30 variables as `Double` were 1.4 GB
    /// at once). The rows do not depend on the number of cores.
    /// - Complexity: O(n x variables) time; O(n x cores) memory beyond the inputs.
    public init(names: [String], values: @Sendable (Int) -> [Double], treated: [Bool], weights: [Double],
                convention: BalanceConvention, factors: [String?]? = nil) {
        self.convention = convention
        let n = treated.count
        treatedBefore = treated.filter { $0 }.count
        controlBefore = n - treatedBefore
        treatedAfter = (0..<n).filter { treated[$0] && weights[$0] > 0 }.count
        controlAfter = (0..<n).filter { !treated[$0] && weights[$0] > 0 }.count
        rows = parallelMap(count: names.count) { k in
            Self.row(name: names[k], values: values(k), treated: treated, weights: weights, convention: convention)
        }
        if let factors {
            for k in rows.indices where k < factors.count { rows[k].factor = factors[k] }
        }
    }

    /// One variable's row: its moments before and after matching, by group.
    static func row(name: String, values x: [Double], treated: [Bool], weights: [Double], convention: BalanceConvention) -> BalanceRow {
        let n = treated.count
        let binary = x.allSatisfy { $0 == 0 || $0 == 1 }
        var t = WeightedMoments(), c = WeightedMoments(), ta = WeightedMoments(), ca = WeightedMoments()
        for i in 0..<n {
            if treated[i] {
                t.add(x[i], 1)
                if weights[i] > 0 { ta.add(x[i], 1) }
            } else {
                c.add(x[i], 1)
                if weights[i] > 0 { ca.add(x[i], weights[i]) }
            }
        }
        var ones = [0, 0, 0, 0]   // treated before, control before, treated after, control after
        var units = [0, 0, 0, 0]
        for i in 0..<n {
            let g = treated[i] ? 0 : 1
            units[g] += 1
            if x[i] == 1 { ones[g] += 1 }
            if weights[i] > 0 {
                units[g + 2] += 1
                if x[i] == 1 { ones[g + 2] += 1 }
            }
        }
        let denominator: Double
        switch convention {
        case .matchit:
            denominator = binary ? (t.mean * (1 - t.mean)).squareRoot() : t.variance.squareRoot()
        case .pstest:
            denominator = ((t.variance + c.variance) / 2).squareRoot()
        }
        func stats(_ a: WeightedMoments, _ b: WeightedMoments, _ k: Int) -> BalanceStatistics {
            BalanceStatistics(treatedMean: a.mean, controlMean: b.mean, smd: (a.mean - b.mean) / denominator,
                              varianceRatio: a.variance / b.variance, pValue: pooledTTest(a, b),
                              treatedPersons: units[k], controlPersons: units[k + 1],
                              treatedOnes: binary ? ones[k] : nil, controlOnes: binary ? ones[k + 1] : nil)
        }
        return BalanceRow(name: name, before: stats(t, c, 0), after: stats(ta, ca, 2), isBinary: binary)
    }
}

/// Weighted mean and variance by Welford's update (frequency-like weights: variance divides by `sum w - 1`).
struct WeightedMoments {
    var weight = 0.0
    var mean = 0.0
    var m2 = 0.0

    mutating func add(_ x: Double, _ w: Double) {
        weight += w
        let d = x - mean
        mean += w / weight * d
        m2 += w * d * (x - mean)
    }

    var variance: Double { weight > 1 ? m2 / (weight - 1) : .nan }
}

/// Two-sided p-value of the pooled-variance t-test between two (weighted) samples.
func pooledTTest(_ a: WeightedMoments, _ b: WeightedMoments) -> Double {
    let df = a.weight + b.weight - 2
    guard df > 0 else { return .nan }
    let s2 = (a.m2 + b.m2) / df
    let se = (s2 * (1 / a.weight + 1 / b.weight)).squareRoot()
    guard se > 0 else { return a.mean == b.mean ? 1 : 0 }
    return StudentT(degreesOfFreedom: df).twoSidedPValue((a.mean - b.mean) / se)
}

/// Histogram data of the score by group, before and after matching, ready for plotting.
public struct ScoreHistogram: Sendable, Equatable {
    /// `bins + 1` edges; bin `k` is `[edges[k], edges[k+1])`, the last one closed.
    public let edges: [Double]
    public let treatedBefore: [Int]
    public let controlBefore: [Int]
    /// Matched treated units per bin.
    public let treatedAfter: [Int]
    /// Matched (distinct) control units per bin.
    public let controlAfter: [Int]
    /// Matching-weighted control counts per bin (what the after-matching means use).
    public let controlAfterWeighted: [Double]

    /// Equal-width bins over the range of all scores.
    public init(scores: [Double], treated: [Bool], weights: [Double], bins: Int = 20) {
        let lo = scores.min() ?? 0, hi = scores.max() ?? 1
        let width = hi > lo ? (hi - lo) / Double(bins) : 1
        edges = (0...bins).map { lo + Double($0) * width }
        var tb = [Int](repeating: 0, count: bins), cb = tb, ta = tb, ca = tb
        var caw = [Double](repeating: 0, count: bins)
        for i in scores.indices {
            let k = Swift.min(bins - 1, Swift.max(0, Int((scores[i] - lo) / width)))
            if treated[i] {
                tb[k] += 1
                if weights[i] > 0 { ta[k] += 1 }
            } else {
                cb[k] += 1
                if weights[i] > 0 { ca[k] += 1; caw[k] += weights[i] }
            }
        }
        treatedBefore = tb
        controlBefore = cb
        treatedAfter = ta
        controlAfter = ca
        controlAfterWeighted = caw
    }
}
