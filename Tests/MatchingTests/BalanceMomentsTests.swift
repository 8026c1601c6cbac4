import Matching
import Testing

/// The balance table's moments against exact integer arithmetic: with integer values and integer
/// weights every sum is an exact integer, so the exact mean and variance are one correctly rounded
/// division each (the expected numbers are computed here from `Int` sums, not by the code under test).
@Suite("Balance moments against exact integer arithmetic")
struct BalanceMomentsTests {
    /// Two-pass variances are not exact: their sums of squared deviations round. Blocked sums of 4096
    /// rows bound the relative error near (4096 + n / 4096) x 2^-53 = 4.6e-13 at worst; typical errors
    /// are far smaller (1.4e-14 in the ratio below), so the test asks for 1e-13.
    static let varianceTolerance = 1e-13

    struct ExactGroup {
        var w = 0, s = 0, q = 0, units = 0
        mutating func add(_ x: Int, _ weight: Int) { w += weight; s += weight * x; q += weight * x * x; units += 1 }
        /// The correctly rounded mean `s / w`.
        var mean: Double { Double(s) / Double(w) }
        /// `(w q - s^2) / (w (w - 1))`, numerator and denominator exact integers below 2^53.
        var variance: Double { Double(w * q - s * s) / Double(w * (w - 1)) }
    }

    @Test("means of integer covariates over 300,001 rows are the correctly rounded quotients of exact sums; variance ratios agree to 1e-13")
    func integerMomentsAreExact() {
        let n = 300_001
        var x = [Double](), treated = [Bool](), weights = [Double]()
        var groups = [ExactGroup](repeating: ExactGroup(), count: 4)  // treated, control; matched treated, matched control
        for i in 0..<n {
            let v = (i * i + 3 * i) % 10, t = i % 4 == 0
            let w = t ? (i % 8 == 0 ? 1 : 0) : (i / 3) % 4
            x.append(Double(v)); treated.append(t); weights.append(Double(w))
            groups[t ? 0 : 1].add(v, 1)
            if w > 0 { groups[t ? 2 : 3].add(v, w) }
        }
        let values = x
        let table = BalanceTable(names: ["v"], values: { _ in values }, treated: treated, weights: weights, convention: .pstest)
        let row = table.rows[0]
        #expect(row.before.treatedMean == groups[0].mean && row.before.controlMean == groups[1].mean)
        #expect(row.after.treatedMean == groups[2].mean && row.after.controlMean == groups[3].mean)
        for (stats, k) in [(row.before, 0), (row.after, 2)] {
            let ratio = groups[k].variance / groups[k + 1].variance
            #expect(Swift.abs(stats.varianceRatio - ratio) <= Self.varianceTolerance * ratio, "groups \(k), \(k + 1)")
            #expect(stats.treatedPersons == groups[k].units && stats.controlPersons == groups[k + 1].units)
        }
        #expect(!row.isBinary && row.before.treatedOnes == nil)
    }

    @Test("a 0/1 covariate counts its ones by group, and an empty matched group has mean 0 and no variance")
    func binaryCountsAndEmptyGroup() {
        let x: [Double] = [1, 0, 1, 1, 0, 0, 1]
        let treated = [true, true, true, false, false, false, false]
        let weights: [Double] = [0, 0, 0, 1, 0, 2, 0]
        let row = BalanceTable(names: ["b"], values: { _ in x }, treated: treated, weights: weights, convention: .matchit).rows[0]
        #expect(row.isBinary)
        #expect(row.before.treatedOnes == 2 && row.before.controlOnes == 2)
        #expect(row.after.treatedOnes == 0 && row.after.controlOnes == 1 && row.after.controlPersons == 2)
        #expect(row.after.treatedPersons == 0 && row.after.treatedMean == 0 && row.after.varianceRatio.isNaN)
        #expect(row.after.controlMean == 1.0 / 3.0)  // (1 x 1 + 2 x 0) / 3
    }
}
