import Design
import Estimation
import Distributions
import Estimation
import Linalg

/// One row of a coefficient table.
public struct CoefficientRow: Sendable, Equatable {
    public let name: String
    public let coefficient: Double
    public let standardError: Double
    /// `b / SE(b)`: z for ML models, t for OLS.
    public let statistic: Double
    public let pValue: Double
    public let ciLower: Double
    public let ciUpper: Double
    /// Odds ratio `exp(b)` (logit only).
    public let oddsRatio: Double?
    /// `exp(b) SE(b)` (delta method, Stata's `logistic`).
    public let oddsRatioStandardError: Double?
    /// `exp` of the coefficient interval.
    public let oddsRatioCILower: Double?
    public let oddsRatioCIUpper: Double?
}

/// Estimates with a chosen covariance: standard errors, tests, intervals and
/// (for logit) odds ratios. Made by `inference(...)` on a fit.
public struct CoefficientTable: Sendable {
    /// Coefficient names, `_cons` last.
    public let names: [String]
    public let coefficients: [Double]
    /// The covariance matrix of the estimates.
    public let covariance: Matrix
    /// The estimator used (`oim`, `robust`, `cluster`).
    public let vce: String
    /// Number of clusters (cluster-robust only).
    public let clusters: Int?
    /// Confidence level in percent (default 95).
    public let level: Double
    public let distribution: ReferenceDistribution
    /// Whether to report odds ratios (logit).
    public let reportsOddsRatios: Bool
    /// All rows, in `names` order (computed once: each needs the critical value and a p-value).
    public let rows: [CoefficientRow]

    public init(names: [String], coefficients: [Double], covariance: Matrix, vce: String, clusters: Int?,
                level: Double, distribution: ReferenceDistribution, reportsOddsRatios: Bool) {
        precondition(names.count == coefficients.count && covariance.rows == names.count, "CoefficientTable: shape mismatch")
        self.names = names
        self.coefficients = coefficients
        self.covariance = covariance
        self.vce = vce
        self.clusters = clusters
        self.level = level
        self.distribution = distribution
        self.reportsOddsRatios = reportsOddsRatios
        self.rows = Self.makeRows(names: names, coefficients: coefficients, covariance: covariance, level: level,
                                  distribution: distribution, reportsOddsRatios: reportsOddsRatios)
    }

    static func makeRows(names: [String], coefficients: [Double], covariance: Matrix, level: Double,
                         distribution: ReferenceDistribution, reportsOddsRatios: Bool) -> [CoefficientRow] {
        // A negative, zero or NaN variance (a degenerate covariance) gives no SE, test or interval
        // (NaN, printed '.', null in JSON), never SE 0 with three stars.
        let se = covariance.diagonal.map { $0 > 0 ? $0.squareRoot() : Double.nan }
        let crit = distribution.critical(level: level)
        return names.indices.map { k in
            let b = coefficients[k], s = se[k]
            let stat = b / s
            let lo = b - crit * s, hi = b + crit * s
            let or = reportsOddsRatios ? Double.exp(b) : nil
            return CoefficientRow(name: names[k], coefficient: b, standardError: s, statistic: stat,
                                  pValue: distribution.pValue(stat), ciLower: lo, ciUpper: hi, oddsRatio: or,
                                  oddsRatioStandardError: or.map { $0 * s },
                                  oddsRatioCILower: reportsOddsRatios ? Double.exp(lo) : nil,
                                  oddsRatioCIUpper: reportsOddsRatios ? Double.exp(hi) : nil)
        }
    }

    /// `sqrt(diag V)`.
    public var standardErrors: [Double] { rows.map(\.standardError) }

    /// The row of a named term.
    /// - Throws: ``RegressionError/unknownTerm(_:available:)``.
    public func row(_ name: String) throws -> CoefficientRow {
        guard let k = names.firstIndex(of: name) else { throw RegressionError.unknownTerm(name, available: names) }
        return rows[k]
    }

    /// The joint Wald test that the named coefficients are all zero (``waldTest(_:value:)`` with `R` selecting them;
    /// `R V R'` is read off `V` directly, so a non-finite variance of a term outside the test cannot reach it).
    /// - Throws: ``RegressionError/unknownTerm(_:available:)``, and as ``waldTest(_:value:)``.
    public func waldTest(_ terms: [String]) throws -> WaldTest {
        let idx = try terms.map { t -> Int in
            guard let k = names.firstIndex(of: t) else { throw RegressionError.unknownTerm(t, available: names) }
            return k
        }
        return try waldTest(difference: idx.map { coefficients[$0] }, variance: covariance.selecting(rows: idx, columns: idx))
    }

    /// The Wald test of `R b = r`: `W = (Rb - r)' (R V R')^-1 (Rb - r)`, chi-square with
    /// `rank(R V R')` degrees of freedom (dependent constraints are dropped, as Stata does);
    /// `F = W / df` is reported beside it for OLS.
    /// - Throws: ``RegressionError/noIndependentConstraints(tested:)`` when no constraint is left (every one has
    ///   zero or non-finite variance, or depends on the others: Stata reports `chi2(0) = .`),
    ///   ``RegressionError/informationNotInvertible`` when the kept block cannot be factored.
    public func waldTest(_ r: Matrix, value: [Double]) throws -> WaldTest {
        precondition(r.columns == names.count && value.count == r.rows, "waldTest: shape mismatch")
        let diff = zip(r.multiply(coefficients), value).map { $0 - $1 }
        let rv = Matrix.multiply(r, covariance)
        return try waldTest(difference: diff, variance: Matrix.multiply(rv, r, transposeB: true))
    }

    /// The test from `Rb - r` and `R V R'`: constraints whose variance is not positive and finite are left out, then
    /// any whose covariance with another kept one is not finite, then those dependent on earlier ones (correlation
    /// scale, tolerance 1e-12).
    private func waldTest(difference diff: [Double], variance rvr: Matrix) throws -> WaldTest {
        let positive = (0..<rvr.rows).filter { rvr[$0, $0] > 0 && rvr[$0, $0].isFinite }
        let usable = positive.filter { i in positive.allSatisfy { rvr[i, $0].isFinite } }
        let block = rvr.selecting(rows: usable, columns: usable)
        // Keep independent constraints (Stata's test drops the dependent ones).
        let scale = block.diagonal.map { 1 / $0.squareRoot() }
        var corr = block
        for i in 0..<corr.rows { for j in 0..<corr.columns { corr[i, j] *= scale[i] * scale[j] } }
        let dependent = Set(corr.dependentColumnsInOrder(tolerance: 1e-12))
        let keep = (0..<block.rows).filter { !dependent.contains($0) }
        if keep.isEmpty { throw RegressionError.noIndependentConstraints(tested: rvr.rows) }
        let sub = block.selecting(rows: keep, columns: keep)
        let d = keep.map { diff[usable[$0]] }
        let w: Double
        do { w = dot(d, try CholeskyFactor(sub).solve(d)) } catch { throw RegressionError.informationNotInvertible }
        let df = keep.count
        let residualDF: Double? = { if case .studentT(let v) = distribution { return v }; return nil }()
        return WaldTest(chi2: w, df: df, pValue: ChiSquared(degreesOfFreedom: Double(df)).sf(w),
                        f: residualDF.map { _ in w / Double(df) },
                        fPValue: residualDF.map { FDistribution(d1: Double(df), d2: $0).sf(w / Double(df)) },
                        residualDF: residualDF)
    }
}

/// A joint Wald test.
public struct WaldTest: Sendable, Equatable {
    /// The chi-square statistic.
    public let chi2: Double
    /// Degrees of freedom (independent constraints).
    public let df: Int
    /// `P(chi2_df > chi2)`.
    public let pValue: Double
    /// `chi2 / df`, for models with a t reference distribution (OLS).
    public let f: Double?
    /// `P(F_{df, residual df} > f)`.
    public let fPValue: Double?
    public let residualDF: Double?

    /// Whether the test rejects at level `alpha` (default 0.05).
    public func rejects(at alpha: Double = 0.05) -> Bool { (fPValue ?? pValue) < alpha }
}
