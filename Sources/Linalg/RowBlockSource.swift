/// A design matrix that writes contiguous blocks of its rows into a buffer.
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
    /// Writes the rows in `range`, all columns, into rows `0..<range.count`
    /// of `block` (whose ``RowBlock/columns`` equals ``columns`` and whose
    /// capacity is at least `range.count`), and makes them the rows in use.
    func fill(_ block: inout RowBlock, rows range: Range<Int>)
}

extension RowBlockSource {
    /// The rows in `range`, all columns, as a new `range.count x columns` matrix.
    public func rowBlock(_ range: Range<Int>) -> Matrix {
        var b = RowBlock(capacity: Swift.max(1, range.count), columns: columns)
        fill(&b, rows: range)
        return b.matrix()
    }

    /// The whole design as a dense matrix (`rows x columns`; only for small designs or rare paths).
    public func materialized() -> Matrix {
        (self as? Matrix) ?? rowBlock(0..<rows)
    }

    /// One parallel pass over fixed row blocks (see ``RowBlocks``): every
    /// stripe starts from `stripeState(rows of the stripe)`, keeps one ``RowBlock`` buffer, and
    /// calls `body` on each of its blocks in order (the block is the stripe's
    /// own buffer, so `body` may scale it in place); the stripes' states are
    /// folded in stripe order with `combine`, so results do not depend on the
    /// number of cores.
    public func reduceRowBlocks<T: Sendable>(
        blockSize: Int = RowBlocks.defaultBlockSize,
        stripeState: @Sendable (_ stripeRows: Range<Int>) -> T,
        body: @Sendable (inout T, inout RowBlock, Range<Int>) -> Void,
        combine: (inout T, T) -> Void
    ) -> T {
        let blocks = RowBlocks(count: rows, blockSize: blockSize)
        let p = columns
        let states = blocks.stripes { ranges -> T in
            var state = stripeState((ranges.first?.lowerBound ?? 0)..<(ranges.last?.upperBound ?? 0))
            var block = RowBlock(capacity: blockSize, columns: p)
            for r in ranges {
                fill(&block, rows: r)
                body(&state, &block, r)
            }
            return state
        }
        var total = stripeState(0..<0)
        for s in states { combine(&total, s) }
        return total
    }

    /// Column means and the centred Gram `(X - 1 m')' (X - 1 m')`, in one
    /// parallel pass of `dsyrk` on row blocks.
    ///
    /// The pass accumulates the Gram of `X - 1 c'` for a shift `c` (the means
    /// of the first block, close to the means), then corrects it exactly:
    /// `(X - 1 m')'(X - 1 m') = S'S - n d d'` with `S = X - 1 c'`, `d = m - c`.
    /// Because `d` is small against the spread, the correction loses no
    /// precision that matters (the textbook `X'X - n m m'` would, for columns
    /// such as years or incomes whose means dwarf their spread).
    public func meansAndCenteredGram() -> (means: [Double], gram: Matrix) {
        let r = meansAndCenteredGram(inspecting: { () }, inspect: { _, _, _ in }, combine: { _, _ in })
        return (r.means, r.gram)
    }

    /// ``meansAndCenteredGram()`` in the same pass as another reduction:
    /// `inspect` sees every block (as filled, before the shift) with its
    /// stripe's state, and the states are folded in stripe order by `combine`.
    public func meansAndCenteredGram<T: Sendable>(
        inspecting initial: @Sendable () -> T,
        inspect: @Sendable (inout T, RowBlock, Range<Int>) -> Void,
        combine: (inout T, T) -> Void
    ) -> (means: [Double], gram: Matrix, inspected: T) {
        let p = columns, n = rows
        if n == 0 { return ([Double](repeating: 0, count: p), Matrix(rows: p, columns: p), initial()) }
        var first = RowBlock(capacity: Swift.min(n, RowBlocks.defaultBlockSize), columns: p)
        fill(&first, rows: 0..<first.capacity)
        var firstSums = [Double](repeating: 0, count: p)
        first.accumulateColumnSums(into: &firstSums)
        let shift = firstSums.map { $0 / Double(first.rows) }
        let total = reduceRowBlocks(stripeState: { _ in SumsAndGram(sums: [Double](repeating: 0, count: p), gram: Matrix(rows: p, columns: p), other: initial()) },
                                    body: { part, block, r in
            inspect(&part.other, block, r)
            block.subtractFromColumns(shift)
            block.accumulateColumnSums(into: &part.sums)
            block.accumulateGram(into: &part.gram)
        }, combine: { total, part in
            for j in 0..<p { total.sums[j] += part.sums[j] }
            total.gram = total.gram + part.gram
            combine(&total.other, part.other)
        })
        let d = total.sums.map { $0 / Double(n) }
        var g = total.gram
        for j in 0..<p { for i in 0...j { g[i, j] -= Double(n) * d[i] * d[j] } }
        g.symmetrizeFromUpper()
        return (zip(shift, d).map { $0 + $1 }, g, total.other)
    }
}

extension Matrix: RowBlockSource {
    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        precondition(block.columns == columns && range.lowerBound >= 0 && range.upperBound <= rows,
                     "Matrix.fill: shape mismatch")
        block.reset(rows: range.count, zeroed: false)
        for j in 0..<columns {
            block.setColumn(j, from: storage, range: (range.lowerBound + j * rows)..<(range.upperBound + j * rows))
        }
    }
}

/// A source restricted to some of its columns (e.g. after dropping collinear terms).
public struct ColumnSubset: RowBlockSource {
    public let base: any RowBlockSource
    public let columnIndices: [Int]
    private let isIdentity: Bool

    public init(_ base: any RowBlockSource, columns: [Int]) {
        self.base = base
        self.columnIndices = columns
        self.isIdentity = columns.count == base.columns && columns.elementsEqual(0..<base.columns)
    }

    public var rows: Int { base.rows }
    public var columns: Int { columnIndices.count }

    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        if isIdentity { return base.fill(&block, rows: range) }
        if let m = base as? Matrix {
            block.reset(rows: range.count, zeroed: false)
            for (jj, j) in columnIndices.enumerated() {
                block.setColumn(jj, from: m.storage, range: (range.lowerBound + j * m.rows)..<(range.upperBound + j * m.rows))
            }
            return
        }
        // A generated design: build all its columns, keep the chosen ones.
        var full = RowBlock(capacity: Swift.max(1, range.count), columns: base.columns)
        base.fill(&full, rows: range)
        block.reset(rows: range.count, zeroed: false)
        // Column by column, one bulk copy each (element by element, each write checked the block's storage
        // for uniqueness: 1 % of a 1.5M study's samples).
        for (jj, j) in columnIndices.enumerated() {
            block.setColumn(jj, from: full._storage, range: (j * full.capacity)..<(j * full.capacity + range.count))
        }
    }
}

/// A stripe's column sums and Gram (for ``RowBlockSource/meansAndCenteredGram()``).
struct SumsAndGram<T: Sendable>: Sendable {
    var sums: [Double]
    var gram: Matrix
    var other: T
}
