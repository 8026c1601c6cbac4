import Distributions
import Linalg
@testable import Staggered
import Regression
import Testing

/// The propensity logit on the design's distinct rows (``CovariatePatterns``) against the logit on every unit.
@Suite struct CovariatePatternTests {
    /// Tolerances: the two fits sum the same terms in a different order and grouping, so they agree to
    /// rounding of sums over a few thousand rows (observed about 1e-15; the bound leaves room for the
    /// Newton iterations' amplification of it).
    static let coefficientTolerance = 1e-12
    static let scoreTolerance = 1e-13

    /// `n` units with an intercept and three 0/1 covariates (at most 8 patterns) and a treated indicator drawn
    /// from a logit in them (SplitMix64, seed 11), so no covariate predicts it perfectly.
    static func design(n: Int) -> (x: Matrix, treated: [Double], names: [String]) {
        var rng = SplitMix64(seed: 11)
        var columns = [[Double]](repeating: [], count: 4)
        var treated: [Double] = []
        for _ in 0..<n {
            let z = (0..<3).map { _ in rng.uniform() < 0.4 ? 1.0 : 0.0 }
            let eta = -1.0 + 0.8 * z[0] - 0.5 * z[1] + 0.3 * z[2]
            treated.append(rng.uniform() < 1 / (1 + Double.exp(-eta)) ? 1 : 0)
            for j in 0..<3 { columns[j].append(z[j]) }
            columns[3].append(1)
        }
        return (Matrix(columns: columns), treated, ["a", "b", "c", "_cons"])
    }

    @Test func everyUnitMapsToItsOwnRow() throws {
        let d = Self.design(n: 2_000)
        let patterns = try req(CovariatePatterns(d.x, limit: 100))
        #expect(patterns.count == 8)
        for i in 0..<d.x.rows {
            for j in 0..<d.x.columns { #expect(patterns.rows[Int(patterns.ofUnit[i]), j] == d.x[i, j]) }
        }
        let distinct = Set((0..<patterns.count).map { r in (0..<d.x.columns).map { patterns.rows[r, $0] } })
        #expect(distinct.count == patterns.count)
        // More patterns than the limit: no compression.
        #expect(CovariatePatterns(d.x, limit: 7) == nil)
    }

    @Test func theCompressedLogitEqualsTheLogitOnEveryUnit() throws {
        let d = Self.design(n: 4_000)
        let patterns = try req(CovariatePatterns(d.x, limit: 500)).subset(Array(0..<d.x.rows))
        let compressed = try req(PropensityModel.compressedLogit(treated: d.treated, names: d.names, patterns: patterns))
        let full = try PropensityModel.logit(treated: d.treated, x: d.x, names: d.names)
        #expect(compressed.columns == full.columns)
        #expect(compressed.notes.isEmpty && full.notes.isEmpty)
        for (a, b) in zip(compressed.coefficients, full.coefficients) {
            #expect(Swift.abs(a - b) <= Self.coefficientTolerance * Swift.max(1, Swift.abs(b)))
        }
        for (a, b) in zip(compressed.score, full.score) { #expect(Swift.abs(a - b) <= Self.scoreTolerance) }
        for (a, b) in zip(compressed.bread.storage, full.bread.storage) {
            #expect(Swift.abs(a - b) <= Self.coefficientTolerance * Swift.max(1e-3, Swift.abs(b)))
        }
    }

    /// A covariate whose value 1 occurs only among treated units: the compressed fit is not clean, so the fit on
    /// every unit is made and its error (with its count of units) is the one reported.
    @Test func aPerfectPredictorGetsTheErrorOfTheFitOnEveryUnit() throws {
        var d = Self.design(n: 3_000)
        var a = d.x.column(0)
        for i in a.indices where d.treated[i] == 0 { a[i] = 0 }
        d.x = Matrix(columns: [a, d.x.column(1), d.x.column(2), d.x.column(3)])
        let patterns = try req(CovariatePatterns(d.x, limit: 500)).subset(Array(0..<d.x.rows))
        #expect(PropensityModel.compressedLogit(treated: d.treated, names: d.names, patterns: patterns) == nil)
        func message(_ body: () throws -> PropensityModel) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        let withPatterns = message { try PropensityModel.logit(treated: d.treated, x: d.x, names: d.names, patterns: patterns) }
        let without = message { try PropensityModel.logit(treated: d.treated, x: d.x, names: d.names) }
        #expect(withPatterns == without)
        #expect(withPatterns.contains("perfectly predicted"))
    }
}
