import CLAPACK

// Row-block operations for estimators whose rows fall into groups (the arms of a treatment effect): reorder a
// block's rows by group, and the Gram of one group's rows with a sign.

extension RowBlock {
    /// Makes the rows in use `0..<indices.count` equal to rows `indices[k]` of `other`'s rows in use (all columns;
    /// same number of columns): a row gather within a block, e.g. to order a block's rows by group.
    /// - Complexity: `O(indices.count * columns)`.
    public mutating func gatherRows(of other: RowBlock, at indices: ArraySlice<Int>) {
        precondition(other.columns == columns && indices.count <= capacity, "RowBlock.gatherRows: shape mismatch")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < other.rows }, "RowBlock.gatherRows: row index out of range")
        other._storage.withUnsafeBufferPointer { gatherRows(from: $0, columnStride: other.capacity, at: indices) }
    }

    /// `C += alpha X[rows, :]' X[rows, :]` on the upper triangle (`dsyrk`, all columns; `C` is `columns x columns`;
    /// call ``Matrix/symmetrizeFromUpper()`` when the accumulation is done). With `alpha = -1` this is
    /// `X' diag(-1) X` with the same products as a `dgemm` against the negated rows, at half the flops.
    /// Cost: `rows.count * columns^2` flops.
    public func accumulateGram(rows r: Range<Int>, alpha: Double, into c: inout Matrix) {
        precondition(c.rows == columns && c.columns == columns && r.lowerBound >= 0 && r.upperBound <= rows,
                     "RowBlock.accumulateGram(rows:alpha:): shape mismatch")
        if r.isEmpty || columns == 0 { return }
        let cap = capacity, ld = c.rows
        _storage.withUnsafeBufferPointer { a in
            c.storage.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, lapackInt(columns), lapackInt(r.count), alpha,
                            a.baseAddress! + r.lowerBound, lapackInt(cap), 1.0, cp.baseAddress!, lapackInt(ld))
            }
        }
    }
}
