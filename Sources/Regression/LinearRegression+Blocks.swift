import Design
import Linalg

/// Some rows of a dense matrix, in the given order, as a row-block source (a gather per block; no copy of the rows).
public struct RowSubset: RowBlockSource {
    public let base: Matrix
    public let rowIndices: [Int]

    public init(_ base: Matrix, rows: [Int]) {
        self.base = base
        self.rowIndices = rows
    }

    public var rows: Int { rowIndices.count }
    public var columns: Int { base.columns }

    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        block.gatherRows(of: base, at: rowIndices[range])
    }
}

extension LinearRegression {
    /// The (weighted) least-squares coefficients of `y` on the rows `rows` of `x`, streamed over row blocks: the
    /// coefficients of ``fit(_:y:names:weights:weightKind:rowIndices:droppedRows:notes:clusters:)`` on those rows,
    /// without copying them or holding an `n x p` factor.
    ///
    /// Collinear columns are dropped first with the same rule (the same survey of the same rows). Then a
    /// tall-skinny QR: each row block of `[sqrt(w) X | sqrt(w) y]` is stacked under the running `R` factor of its
    /// stripe and reduced by Householder QR (`dgeqrf`); the stripes' factors are stacked in stripe order and reduced
    /// once more. With `R = [[R11, r], [0, rho]]`, `b = R11^-1 r` (`dtrtrs`-style back substitution). Householder QR
    /// of the stacked factors is backward stable like the QR of the whole design, so the coefficients agree with
    /// the dense fit to rounding (relative `~cond(X) eps`), and do not depend on the number of cores.
    ///
    /// - Parameters: `y` and `weights` (analytic: only their ratios matter) are indexed like `x`'s rows.
    /// - Returns: the kept columns' names and their coefficients.
    /// - Throws: ``RegressionError`` as the dense fit: `noEstimableTerms`, `tooFewObservations`, `informationNotInvertible`.
    /// - Complexity: `O(n p^2)` flops in one pass (plus the survey's pass); `O(blockSize p)` memory per core.
    public func fitCoefficients(_ x: Matrix, y: [Double], names: [String], weights: [Double]?, rows: [Int]) throws
        -> (names: [String], coefficients: [Double]) {
        precondition(y.count == x.rows && names.count == x.columns && (weights?.count ?? x.rows) == x.rows,
                     "LinearRegression.fitCoefficients: shape mismatch")
        let source = RowSubset(x, rows: rows)
        let ySub = rows.map { y[$0] }
        let kept = try keptColumns(source, y: ySub, names: names).kept
        let n = rows.count
        if n <= kept.count { throw RegressionError.tooFewObservations(observations: n, parameters: kept.count) }
        let root = weights.map { w in rows.map { w[$0].squareRoot() } }
        let r = Self.stackedFactor(ColumnSubset(source, columns: kept), y: ySub, root: root)
        let b = try Self.solveUpper(r, columns: kept.count)
        return (kept.map { names[$0] }, b)
    }

    /// The `(p + 1) x (p + 1)` upper-triangular `R` of a QR of `[sqrt(w) X | sqrt(w) y]` over `source`'s rows
    /// (`y`, `root` = `sqrt(w)` indexed like them), by tall-skinny QR: each row block is stacked under the
    /// running factor of its stripe and reduced (`dgeqrf`), then the stripes' factors, in stripe order, once
    /// more; so the result does not depend on the number of cores. `R'R = [X y]' W [X y]`.
    /// - Complexity: `O(n p^2)` flops in one pass; `O(blockSize p)` memory per core.
    static func stackedFactor(_ source: any RowBlockSource, y: [Double], root: [Double]?) -> Matrix {
        let p1 = source.columns + 1
        let stripeFactors = source.reduceRowBlocks(
            stripeState: { _ in [Matrix]() },
            body: { factors, block, r in
                factors = [QRFactorization(Self.stacked(on: factors.last, block: block, y: y, root: root, rows: r, columns: p1)).r]
            },
            combine: { total, part in total.append(contentsOf: part) })
        guard !stripeFactors.isEmpty else { return Matrix(rows: p1, columns: p1) }
        let count = stripeFactors.count * p1
        var all = [Double](repeating: 0, count: count * p1)
        for (s, f) in stripeFactors.enumerated() { for j in 0..<p1 { for i in 0..<p1 { all[j * count + s * p1 + i] = f[i, j] } } }
        return QRFactorization(Matrix(rows: count, columns: p1, columnMajor: all)).r
    }

    /// `b` with `R11 b = r` for `R = [[R11, r], [0, rho]]` (``stackedFactor(_:y:root:)``, `columns` = `p`):
    /// back substitution, the least-squares coefficients.
    /// - Throws: ``RegressionError/informationNotInvertible`` for a zero or non-finite pivot (a singular design,
    ///   as `dtrtrs` reports it).
    static func solveUpper(_ r: Matrix, columns p: Int) throws -> [Double] {
        var b = (0..<p).map { r[$0, p] }
        for i in stride(from: p - 1, through: 0, by: -1) {
            guard r[i, i] != 0, r[i, i].isFinite else { throw RegressionError.informationNotInvertible }
            var s = b[i]
            for j in (i + 1)..<p { s -= r[i, j] * b[j] }
            b[i] = s / r[i, i]
        }
        return b
    }

    /// `[R; sqrt(w) X_block | sqrt(w) y_block]` (`R` the running factor, zeros before the first block, so that the
    /// stack always has at least `p1` rows): `p1` columns.
    private static func stacked(on factor: Matrix?, block: RowBlock, y: [Double], root: [Double]?, rows r: Range<Int>,
                                columns p1: Int) -> Matrix {
        let top = p1
        let m = block.rows, total = top + m
        var out = [Double](repeating: 0, count: total * p1)
        if let f = factor { for j in 0..<p1 { for i in 0...j { out[j * total + i] = f[i, j] } } }
        for j in 0..<(p1 - 1) {
            block.readColumn(j) { col in
                if let root { for k in 0..<m { out[j * total + top + k] = root[r.lowerBound + k] * col[k] } }
                else { for k in 0..<m { out[j * total + top + k] = col[k] } }
            }
        }
        for k in 0..<m {
            let i = r.lowerBound + k
            out[(p1 - 1) * total + top + k] = root.map { $0[i] * y[i] } ?? y[i]
        }
        return Matrix(rows: total, columns: p1, columnMajor: out)
    }
}
