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
        let m = GroupMoments(x, treated: treated, weights: weights)
        let binary = m.isBinary
        let (t, c, ta, ca) = (m.moments[0], m.moments[1], m.moments[2], m.moments[3])
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
                              treatedPersons: m.units[k], controlPersons: m.units[k + 1],
                              treatedOnes: binary ? m.ones[k] : nil, controlOnes: binary ? m.ones[k + 1] : nil)
        }
        return BalanceRow(name: name, before: stats(t, c, 0), after: stats(ta, ca, 2), isBinary: binary)
    }
}

/// One variable's moments in the four groups of a balance row: treated and controls before matching
/// (weight 1 each), matched treated (weight 1) and matched controls (their matching weights), in that
/// order; with the units and the units whose value is 1 in each group.
///
/// Two passes over the rows, each a loop over raw buffers with scalar accumulators: the weights and
/// weighted sums, then the weighted squared deviations from the means, corrected for the rounding of
/// the mean (`m2 = sum w d^2 - (sum w d)^2 / sum w`, `d = x - mean`: the corrected two-pass formula,
/// more accurate than Welford's running update and without its division per value). Sums
/// are taken in blocks of ``block`` rows and the blocks' sums added, so the rounding error grows with
/// the number of blocks, not of rows.
/// - Complexity: O(n) time, O(1) memory.
struct GroupMoments {
    /// Rows per partial sum.
    static let block = 4096
    private(set) var moments = [WeightedMoments](repeating: WeightedMoments(), count: 4)
    private(set) var units = [0, 0, 0, 0]
    private(set) var ones = [0, 0, 0, 0]
    private(set) var isBinary = true

    /// Calls `body` with the three buffers and each block of ``block`` rows in order.
    @inline(__always)
    private static func forEachBlock(_ x: [Double], _ treated: [Bool], _ weights: [Double],
                                     _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Bool>, UnsafeBufferPointer<Double>, Range<Int>) -> Void) {
        let n = treated.count
        x.withUnsafeBufferPointer { xv in
            treated.withUnsafeBufferPointer { tv in
                weights.withUnsafeBufferPointer { wv in
                    for lo in stride(from: 0, to: n, by: block) { body(xv, tv, wv, lo..<Swift.min(lo + block, n)) }
                }
            }
        }
    }

    init(_ x: [Double], treated: [Bool], weights: [Double]) {
        let n = treated.count
        precondition(x.count == n && weights.count == n, "BalanceTable: values, treatment and weights differ in length")
        var weight = (0.0, 0.0, 0.0, 0.0), sum = (0.0, 0.0, 0.0, 0.0)
        var units = (0, 0, 0, 0), ones = (0, 0, 0, 0), nonBinary = 0
        Self.forEachBlock(x, treated, weights) { xv, tv, wv, rows in
            var s = (0.0, 0.0, 0.0, 0.0), w = (0.0, 0.0, 0.0, 0.0)
            for i in rows {
                let xi = xv[i], wi = wv[i], one = xi == 1 ? 1 : 0
                if xi != 0 && xi != 1 { nonBinary += 1 }
                if tv[i] {
                    s.0 += xi; units.0 += 1; ones.0 += one
                    if wi > 0 { s.2 += xi; w.2 += 1; units.2 += 1; ones.2 += one }
                } else {
                    s.1 += xi; units.1 += 1; ones.1 += one
                    if wi > 0 { s.3 += wi * xi; w.3 += wi; units.3 += 1; ones.3 += one }
                }
            }
            sum.0 += s.0; sum.1 += s.1; sum.2 += s.2; sum.3 += s.3
            weight.2 += w.2; weight.3 += w.3
        }
        weight.0 = Double(units.0); weight.1 = Double(units.1)
        let mean = (sum.0 / weight.0, sum.1 / weight.1, sum.2 / weight.2, sum.3 / weight.3)
        var m2 = (0.0, 0.0, 0.0, 0.0), c = (0.0, 0.0, 0.0, 0.0)
        Self.forEachBlock(x, treated, weights) { xv, tv, wv, rows in
            var q = (0.0, 0.0, 0.0, 0.0), e = (0.0, 0.0, 0.0, 0.0)
            for i in rows {
                let xi = xv[i], wi = wv[i]
                if tv[i] {
                    let d = xi - mean.0
                    q.0 += d * d; e.0 += d
                    if wi > 0 { let d = xi - mean.2; q.2 += d * d; e.2 += d }
                } else {
                    let d = xi - mean.1
                    q.1 += d * d; e.1 += d
                    if wi > 0 { let d = xi - mean.3; q.3 += wi * d * d; e.3 += wi * d }
                }
            }
            m2.0 += q.0; m2.1 += q.1; m2.2 += q.2; m2.3 += q.3
            c.0 += e.0; c.1 += e.1; c.2 += e.2; c.3 += e.3
        }
        // The corrected two-pass formula (Chan, Golub and LeVeque 1983): `sum w d` is zero in exact
        // arithmetic; subtracting its square over the weight removes the error of the rounded mean.
        m2.0 -= c.0 * c.0 / weight.0; m2.1 -= c.1 * c.1 / weight.1
        m2.2 -= c.2 * c.2 / weight.2; m2.3 -= c.3 * c.3 / weight.3
        // An empty group keeps Welford's empty state (weight 0, mean 0, m2 0): its mean and variance
        // are then reported as before (0 and NaN), not as 0 / 0.
        func moments(_ w: Double, _ mu: Double, _ q: Double) -> WeightedMoments {
            w > 0 ? WeightedMoments(weight: w, mean: mu, m2: q) : WeightedMoments()
        }
        self.moments = [moments(weight.0, mean.0, m2.0), moments(weight.1, mean.1, m2.1),
                        moments(weight.2, mean.2, m2.2), moments(weight.3, mean.3, m2.3)]
        self.units = [units.0, units.1, units.2, units.3]
        self.ones = [ones.0, ones.1, ones.2, ones.3]
        self.isBinary = nonBinary == 0
    }
}

/// A group's weight (`sum w`), weighted mean and `m2 = sum w (x - mean)^2` (frequency-like weights:
/// the variance divides by `sum w - 1`).
struct WeightedMoments {
    var weight = 0.0
    var mean = 0.0
    var m2 = 0.0

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
