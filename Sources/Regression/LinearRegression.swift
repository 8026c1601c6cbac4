import Linalg
import Design
import Estimation
import Tabular

/// Ordinary (or weighted) least squares by Householder QR (`dgeqrf`,
/// `dormqr`, `dtrtrs`), with `(X'X)^-1` from `dpotri` on `R`.
///
/// Weights: frequency weights count as replicated rows (`N = sum w`);
/// analytic weights are rescaled to sum to the number of rows (Stata's
/// `aweight`); both solve the weighted problem on `sqrt(w) X`, `sqrt(w) y`.
/// Collinear columns are dropped first with the same rule as the logit.
///
/// Variance estimators (Stata's `regress`):
/// - `oim` (classical): `s^2 (X'X)^-1`, `s^2 = sum w e^2 / (N - k)`;
/// - `robust` (HC1): `N/(N-k) B (sum w e^2 x x') B`;
/// - `cluster` (CR1): `G/(G-1) (N-1)/(N-k) B (sum_g u_g u_g') B`;
/// with t statistics on `N - k` degrees of freedom (`G - 1` when clustered).
public struct LinearRegression: Sendable {
    public var collinearityTolerance: Double

    public init(collinearityTolerance: Double = 1e-9) { self.collinearityTolerance = collinearityTolerance }

    /// Fits a built design (it must carry a response).
    /// - Parameter weightKind: overrides the kind the design was built with (default: the design's).
    public func fit(_ design: DesignMatrix, weightKind: WeightKind? = nil) throws -> LinearModelFit {
        guard let y = design.response else { preconditionFailure("LinearRegression.fit: the design has no response") }
        let clusters = design.clusters.map { ClusterIDs(codes: $0, count: design.clusterCount) }
        return try fit(design.matrix, y: y, names: design.columnNames, weights: design.weights, weightKind: weightKind ?? design.weightKind,
                       rowIndices: design.rowIndices, droppedRows: design.droppedRows, notes: design.notes, clusters: clusters)
    }

    /// Fits `y` on the dense design `x` (columns named `names`, intercept `_cons`).
    public func fit(_ x: Matrix, y: [Double], names: [String], weights: [Double]? = nil, weightKind: WeightKind = .frequency,
                    rowIndices: [Int]? = nil, droppedRows: Int = 0, notes: [String] = [],
                    clusters: ClusterIDs? = nil) throws -> LinearModelFit {
        let n = x.rows
        precondition(y.count == n && names.count == x.columns, "LinearRegression.fit: shape mismatch")
        var notes = notes
        let (kept, dependent) = try keptColumns(x, y: y, names: names)
        notes += dependent.map { "\(names[$0]) omitted because of collinearity" }
        let xk = kept.count == x.columns ? x : x.selecting(columns: kept)  // no copy when nothing is omitted
        let nObs = weights.map { w in weightKind == .frequency ? Int(w.reduce(0, +).rounded()) : n } ?? n
        if nObs <= kept.count { throw RegressionError.tooFewObservations(observations: nObs, parameters: kept.count) }

        var xw = xk
        var yw = y
        if let w = weights {
            let root = w.map { $0.squareRoot() }
            xw.scaleRows(by: root)
            for i in 0..<n { yw[i] *= root[i] }
        }
        let qr = QRFactorization(xw)
        let beta: [Double]
        let bread: Matrix
        do {
            beta = try qr.solve(yw)
            bread = try qr.inverseGram()
        } catch { throw RegressionError.informationNotInvertible }
        let fitted = xk.multiply(beta)
        let (residuals, rss, tss) = Self.sumsOfSquares(y: y, fitted: fitted, weights: weights,
                                                       centred: names.contains(TermName.intercept))
        return LinearModelFit(names: kept.map { names[$0] }, coefficients: beta, bread: bread,
                              omitted: dependent.map { names[$0] }, residualSumOfSquares: rss, totalSumOfSquares: tss,
                              observations: nObs, rowIndices: rowIndices ?? Array(0..<n), droppedRows: droppedRows,
                              notes: notes, fittedValues: fitted,
                              scores: ScoreData(design: xk, residuals: residuals, weights: weights, weightKind: weightKind),
                              designClusters: clusters)
    }
}

extension LinearRegression {
    /// The columns a least-squares fit keeps, in order, and those it drops: a column the survey of `x`
    /// (with `y`) finds collinear with the columns before it is dropped (the logit's rule, at
    /// `collinearityTolerance`). Shared by the dense, row-subset and streamed fits.
    /// - Throws: ``RegressionError/noEstimableTerms`` when no column is left.
    /// - Complexity: one pass over `x`'s row blocks (the survey).
    func keptColumns(_ x: any RowBlockSource, y: [Double], names: [String]) throws -> (kept: [Int], dropped: [Int]) {
        let interceptColumn = names.firstIndex(of: TermName.intercept)
        let dropped = LogisticRegression.collinearColumns(DesignSurvey(x, y: y, interceptColumn: interceptColumn),
                                                          interceptColumn: interceptColumn, tolerance: collinearityTolerance)
        let kept = (0..<names.count).filter { !dropped.contains($0) }
        if kept.isEmpty { throw RegressionError.noEstimableTerms }
        return (kept, dropped)
    }

    /// The residuals `y - fitted`, the residual sum of squares `sum w e^2` and the total sum of squares
    /// `sum w (y - ybar)^2` (`ybar` the weighted mean), or `sum w y^2` when not `centred` (a model
    /// without an intercept); `w = 1` without weights. `O(n)`.
    static func sumsOfSquares(y: [Double], fitted: [Double], weights: [Double]?, centred: Bool)
        -> (residuals: [Double], residual: Double, total: Double) {
        let n = y.count
        let residuals = zip(y, fitted).map { $0 - $1 }
        var rss = 0.0, sw = 0.0, swy = 0.0
        for i in 0..<n {
            let f = weights?[i] ?? 1
            rss += f * residuals[i] * residuals[i]
            sw += f
            swy += f * y[i]
        }
        let ybar = swy / sw
        var tss = 0.0
        for i in 0..<n {
            let f = weights?[i] ?? 1
            let d = centred ? y[i] - ybar : y[i]
            tss += f * d * d
        }
        return (residuals, rss, tss)
    }
}

/// A fitted linear model; inference is chosen afterwards.
public struct LinearModelFit: Sendable {
    public let names: [String]
    public let coefficients: [Double]
    /// `(X'WX)^-1`.
    public let bread: Matrix
    public let omitted: [String]
    public let residualSumOfSquares: Double
    public let totalSumOfSquares: Double
    public let observations: Int
    public let rowIndices: [Int]
    public let droppedRows: Int
    public let notes: [String]
    public let fittedValues: [Double]
    let scores: ScoreData
    let designClusters: ClusterIDs?

    /// Number of estimated coefficients `k`.
    public var parameterCount: Int { coefficients.count }
    /// Residual degrees of freedom `N - k`.
    public var residualDF: Int { observations - parameterCount }
    /// `1 - RSS/TSS`.
    public var rSquared: Double { 1 - residualSumOfSquares / totalSumOfSquares }
    /// Root mean squared error `sqrt(RSS / (N - k))`.
    public var rootMSE: Double { (residualSumOfSquares / Double(residualDF)).squareRoot() }
    /// Always converged (a direct solve); present so every printer can show it.
    public var converged: Bool { true }
    /// Cluster ids carried by the design, aligned with the fit's rows.
    public var designClusterIDs: ClusterIDs? { designClusters }

    /// The covariance of the estimates under `vce` (see ``LinearRegression``).
    public func covariance(_ vce: VarianceEstimator) throws -> Matrix {
        let nn = Double(observations), k = Double(parameterCount)
        switch vce {
        case .oim:
            return (residualSumOfSquares / (nn - k)) * bread
        case .robust:
            return sandwich(bread: bread, meat: scores.robustMeat(), multiplier: nn / (nn - k))
        case .cluster(let ids):
            guard ids.codes.count == scores.residuals.count else {
                throw RegressionError.clusterLengthMismatch(expected: scores.residuals.count, found: ids.codes.count)
            }
            guard ids.count >= 2 else { throw RegressionError.tooFewClusters(ids.count) }
            let g = Double(ids.count)
            return sandwich(bread: bread, meat: scores.clusterMeat(ids), multiplier: g / (g - 1) * (nn - 1) / (nn - k))
        }
    }

    /// The coefficient table under `vce` with t statistics.
    public func inference(vce: VarianceEstimator = .oim, level: Double = 95) throws -> CoefficientTable {
        let df: Double
        if case .cluster(let ids) = vce { df = Double(ids.count - 1) } else { df = Double(residualDF) }
        return CoefficientTable(names: names, coefficients: coefficients, covariance: try covariance(vce), vce: vce.name,
                                clusters: vce.clusterCount, level: level, distribution: .studentT(degreesOfFreedom: df),
                                reportsOddsRatios: false)
    }
}
