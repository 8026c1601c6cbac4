import Design
import Linalg

extension LinearRegression {
    /// Ordinary least squares on a design read in row blocks and never held: the fit
    /// ``fit(_:y:names:weights:weightKind:rowIndices:droppedRows:notes:clusters:)`` gives on
    /// `x.materialized()` (unweighted), equal to rounding, for designs whose `N x p` doubles would not
    /// fit in memory (the linear ETWFE on a whole country: 54M person-years x 59 terms, 25 GB).
    ///
    /// - Collinear columns are dropped by the dense fit's rule, on the same survey of the design.
    /// - Coefficients: the tall-skinny QR of `[X | y]` (``stackedFactor(_:y:root:)``), then back
    ///   substitution. Householder QR of stacked factors is backward stable as the dense QR is, so the
    ///   estimates agree to `~cond(X) eps` relative.
    /// - The bread `(X'X)^{-1}` from the factor's leading `p x p` block (`dpotri`), as the dense fit
    ///   takes it from its `R`.
    /// - Fitted values and residuals in one more pass; the scores behind the robust and cluster SEs keep
    ///   the source and read it again per meat (cell-structured sources by their cells).
    /// - Throws: ``RegressionError`` as the dense fit (`noEstimableTerms`, `tooFewObservations`,
    ///   `informationNotInvertible`).
    /// - Complexity: `O(N p^2)` flops in three passes (survey, QR, fitted values); memory `O(N)` for the
    ///   outcome, fitted values and residuals plus `O(blockSize p)` per core, against the dense fit's `16 N p` bytes.
    public func fit(streaming x: any RowBlockSource, y: [Double], names: [String], clusters: ClusterIDs? = nil) throws
        -> LinearModelFit {
        let n = x.rows
        precondition(y.count == n && names.count == x.columns, "LinearRegression.fit(streaming:): shape mismatch")
        let (kept, dependent) = try keptColumns(x, y: y, names: names)
        let notes = dependent.map { "\(names[$0]) omitted because of collinearity" }
        if n <= kept.count { throw RegressionError.tooFewObservations(observations: n, parameters: kept.count) }
        let p = kept.count
        let source: any RowBlockSource = p == x.columns ? x : ColumnSubset(x, columns: kept)
        let r = Self.stackedFactor(source, y: y, root: nil)
        let beta = try Self.solveUpper(r, columns: p)
        var leading = Matrix(rows: p, columns: p)
        for j in 0..<p { for i in 0...j { leading[i, j] = r[i, j] } }
        let bread: Matrix
        do { bread = try leading.inverseGramOfUpperFactor() } catch { throw RegressionError.informationNotInvertible }
        let fitted = Self.fittedValues(source, beta)
        let (residuals, rss, tss) = Self.sumsOfSquares(y: y, fitted: fitted, weights: nil,
                                                       centred: names.contains(TermName.intercept))
        return LinearModelFit(names: kept.map { names[$0] }, coefficients: beta, bread: bread,
                              omitted: dependent.map { names[$0] }, residualSumOfSquares: rss, totalSumOfSquares: tss,
                              observations: n, rowIndices: Array(0..<n), droppedRows: 0, notes: notes, fittedValues: fitted,
                              scores: ScoreData(design: source, residuals: residuals, weights: nil, weightKind: .frequency),
                              designClusters: clusters)
    }

    /// `X b` over `source`'s rows, a block at a time on all cores (each stripe's values in order).
    static func fittedValues(_ source: any RowBlockSource, _ b: [Double]) -> [Double] {
        source.reduceRowBlocks(stripeState: { _ in [Double]() }, body: { values, block, r in
            var part = [Double](repeating: 0, count: r.count)
            block.multiply(b, into: &part)
            values.append(contentsOf: part)
        }, combine: { $0.append(contentsOf: $1) })
    }
}
