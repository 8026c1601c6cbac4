import CLAPACK

// Row-block products over a sub-range of the rows in use (and, for the Gram, of the columns), for
// estimating equations whose blocks of rows play different parts (e.g. the two arms of a treatment
// effect, each arm's rows contiguous within the block). All BLAS; no per-element loops over pairs of columns.

extension RowBlock {
    /// Makes the rows in use `0..<indices.count` equal to rows `indices[k]` of `m` (all columns): a row gather.
    /// - Complexity: `O(indices.count * columns)`.
    public mutating func gatherRows(of m: Matrix, at indices: ArraySlice<Int>) {
        precondition(m.columns == columns && indices.count <= capacity, "RowBlock.gatherRows: shape mismatch")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < m.rows }, "RowBlock.gatherRows: row index out of range")
        m.storage.withUnsafeBufferPointer { gatherRows(from: $0, columnStride: m.rows, at: indices) }
    }

    /// The gather behind both ``gatherRows(of:at:)``: column `j` of the column-major source starts at
    /// `j * columnStride`; the indices are already checked.
    mutating func gatherRows(from src: UnsafeBufferPointer<Double>, columnStride: Int, at indices: ArraySlice<Int>) {
        reset(rows: indices.count, zeroed: false)
        let cap = capacity
        indices.withUnsafeBufferPointer { idx in
            _storage.withUnsafeMutableBufferPointer { dst in
                for j in 0..<columns {
                    let s = src.baseAddress! + j * columnStride, d = dst.baseAddress! + j * cap
                    for k in 0..<idx.count { d[k] = s[idx[k]] }
                }
            }
        }
    }

    /// Makes this block `diag(s) other` over `other`'s rows in use (same columns; `s` holds at least `other.rows` values).
    public mutating func setScaledRows(of other: RowBlock, by s: [Double]) {
        precondition(other.columns == columns && other.rows <= capacity && s.count >= other.rows,
                     "RowBlock.setScaledRows: shape mismatch")
        reset(rows: other.rows, zeroed: false)
        let cap = capacity, ocap = other.capacity, m = other.rows
        other._storage.withUnsafeBufferPointer { src in
            s.withUnsafeBufferPointer { sp in
                _storage.withUnsafeMutableBufferPointer { dst in
                    for j in 0..<columns {
                        let a = src.baseAddress! + j * ocap, d = dst.baseAddress! + j * cap
                        for i in 0..<m { d[i] = sp[i] * a[i] }
                    }
                }
            }
        }
    }

    /// `C += alpha X[rows, :]' Y[rows, :]` (`dgemm`), `X` this block, `Y` another block over the same rows
    /// (`C` is `columns x other.columns`). Cost: `2 rows.count * columns * other.columns` flops.
    public func accumulateCrossProduct(rows r: Range<Int>, with other: RowBlock, alpha: Double = 1, into c: inout Matrix) {
        precondition(r.lowerBound >= 0 && r.upperBound <= Swift.min(rows, other.rows) && c.rows == columns && c.columns == other.columns,
                     "RowBlock.accumulateCrossProduct: shape mismatch")
        if r.isEmpty || columns == 0 || other.columns == 0 { return }
        let cap = capacity, ocap = other.capacity, m = columns, n = other.columns
        _storage.withUnsafeBufferPointer { a in
            other._storage.withUnsafeBufferPointer { b in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, lapackInt(m), lapackInt(n), lapackInt(r.count), alpha,
                                a.baseAddress! + r.lowerBound, lapackInt(cap), b.baseAddress! + r.lowerBound, lapackInt(ocap),
                                1.0, cp.baseAddress, lapackInt(m))
                }
            }
        }
    }

    /// `g += X[rows, :]' v[rows]` (`dgemv`; `v` indexed by the block's rows).
    public func accumulateTransposedProduct(_ v: [Double], rows r: Range<Int>, into g: inout [Double]) {
        precondition(g.count == columns && r.lowerBound >= 0 && r.upperBound <= rows && v.count >= r.upperBound,
                     "RowBlock.accumulateTransposedProduct(rows:): shape mismatch")
        if r.isEmpty || columns == 0 { return }
        let cap = capacity
        _storage.withUnsafeBufferPointer { a in
            v.withUnsafeBufferPointer { vp in
                g.withUnsafeMutableBufferPointer { gp in
                    cblas_dgemv(CblasColMajor, CblasTrans, lapackInt(r.count), lapackInt(columns), 1.0,
                                a.baseAddress! + r.lowerBound, lapackInt(cap), vp.baseAddress! + r.lowerBound, 1, 1.0, gp.baseAddress, 1)
                }
            }
        }
    }

    /// `C[cols, cols] += X[rows, cols]' X[rows, cols]` on the upper triangle (`dsyrk`; `C` is `columns x columns`;
    /// call ``Matrix/symmetrizeFromUpper()`` when the accumulation is done). Cost: `rows.count * cols.count^2` flops.
    public func accumulateGram(rows r: Range<Int>, columns cols: Range<Int>, into c: inout Matrix) {
        precondition(c.rows == columns && c.columns == columns && r.lowerBound >= 0 && r.upperBound <= rows
                     && cols.lowerBound >= 0 && cols.upperBound <= columns, "RowBlock.accumulateGram(rows:columns:): shape mismatch")
        if r.isEmpty || cols.isEmpty { return }
        let cap = capacity, ld = c.rows
        _storage.withUnsafeBufferPointer { a in
            c.storage.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, lapackInt(cols.count), lapackInt(r.count), 1.0,
                            a.baseAddress! + cols.lowerBound * cap + r.lowerBound, lapackInt(cap), 1.0,
                            cp.baseAddress! + cols.lowerBound * (ld + 1), lapackInt(ld))
            }
        }
    }

    /// Column `j`'s rows in use as a mutable buffer, for filling a computed column in place.
    public mutating func updateColumn<R>(_ j: Int, _ body: (UnsafeMutableBufferPointer<Double>) throws -> R) rethrows -> R {
        precondition(j >= 0 && j < columns, "RowBlock.updateColumn: index out of range")
        let cap = capacity, m = rows
        return try _storage.withUnsafeMutableBufferPointer { s in
            try body(UnsafeMutableBufferPointer(start: s.baseAddress! + j * cap, count: m))
        }
    }

    /// The whole buffer, for a source that writes scattered elements (indicator columns): `body(base,
    /// capacity)`, element `(i, j)` at `base[i + j * capacity]`, `i < capacity`, `j < columns`. One access
    /// for the whole block, where a subscript per element checks the buffer's uniqueness each time.
    public mutating func withUnsafeMutableElements<R>(_ body: (UnsafeMutablePointer<Double>, Int) throws -> R) rethrows -> R {
        let cap = capacity
        return try _storage.withUnsafeMutableBufferPointer { s in try body(s.baseAddress!, cap) }
    }

    /// Column `j`'s rows in use, read-only.
    public func readColumn<R>(_ j: Int, _ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        precondition(j >= 0 && j < columns, "RowBlock.readColumn: index out of range")
        let cap = capacity, m = rows
        return try _storage.withUnsafeBufferPointer { s in
            try body(UnsafeBufferPointer(start: s.baseAddress! + j * cap, count: m))
        }
    }
}
