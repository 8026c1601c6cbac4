/// A design matrix that can hand out contiguous blocks of rows.
///
/// Estimators make one pass over the rows per iteration and only ever need a
/// block at a time, so a design need not be materialised: a panel can build
/// each block from columnar storage on the fly. A dense ``Matrix`` is the
/// simplest source (each block is a copy of its rows).
public protocol RowBlockSource: Sendable {
    /// Number of rows.
    var rows: Int { get }
    /// Number of columns.
    var columns: Int { get }
    /// The rows in `range`, all columns, as a new `range.count x columns` matrix.
    func rowBlock(_ range: Range<Int>) -> Matrix
}

extension Matrix: RowBlockSource {}

/// A source restricted to some of its columns (e.g. after dropping collinear terms).
public struct ColumnSubset: RowBlockSource {
    public let base: any RowBlockSource
    public let columnIndices: [Int]

    public init(_ base: any RowBlockSource, columns: [Int]) {
        self.base = base
        self.columnIndices = columns
    }

    public var rows: Int { base.rows }
    public var columns: Int { columnIndices.count }

    public func rowBlock(_ range: Range<Int>) -> Matrix {
        let b = base.rowBlock(range)
        if columnIndices.count == base.columns && columnIndices.elementsEqual(0..<base.columns) { return b }
        return b.selecting(columns: columnIndices)
    }
}

extension RowBlockSource {
    /// Column means, in one parallel pass.
    public func columnMeans() -> [Double] {
        let p = columns
        let blocks = RowBlocks(count: rows)
        let sums = blocks.reduce([Double](repeating: 0, count: p), partial: { ranges in
            var s = [Double](repeating: 0, count: p)
            for r in ranges {
                let b = self.rowBlock(r)
                let part = b.multiply([Double](repeating: 1, count: b.rows), transposed: true)
                for j in 0..<p { s[j] += part[j] }
            }
            return s
        }, combine: { total, s in for j in 0..<p { total[j] += s[j] } })
        return sums.map { $0 / Double(Swift.max(1, rows)) }
    }

    /// `(X - 1 m')' (X - 1 m')` for the given centres `m` (zeros for an
    /// uncentred Gram), in one parallel pass of `dsyrk` on row blocks.
    public func centeredGram(centers m: [Double]) -> Matrix {
        let p = columns
        let blocks = RowBlocks(count: rows)
        var g = blocks.reduce(Matrix(rows: p, columns: p), partial: { ranges in
            var acc = Matrix(rows: p, columns: p)
            for r in ranges {
                var b = self.rowBlock(r)
                b.subtractFromColumns(m)
                acc.addGram(of: b)
            }
            return acc
        }, combine: { total, part in total = total + part })
        g.symmetrizeFromUpper()
        return g
    }
}

extension Matrix {
    /// Subtracts `m[j]` from every element of column `j`.
    public mutating func subtractFromColumns(_ m: [Double]) {
        precondition(m.count == columns, "subtractFromColumns: shape mismatch")
        let r = rows
        for j in 0..<columns where m[j] != 0 {
            let c = m[j]
            for i in 0..<r { storage[i + j * r] -= c }
        }
    }
}
