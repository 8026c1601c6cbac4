import CLAPACK
import RealModule

/// A reusable, column-major buffer for one block of design rows.
///
/// Estimators make one pass over the rows per iteration, a block at a time;
/// each core keeps one `RowBlock` for the whole pass, so a pass allocates
/// nothing per block (allocating a 1 MB block per call costs an `mmap`, page
/// faults and an `munmap` each time). The buffer has room for `capacity` rows
/// (its leading dimension); the first ``rows`` of them are in use. Element
/// `(i, j)` lives at `storage[i + j * capacity]`.
///
/// The BLAS operations on the block (`dgemv`, `dsyrk`) read only the rows in
/// use; sizes reach BLAS through `Int32(exactly:)`.
public struct RowBlock: Sendable {
    /// Rows the buffer can hold (the leading dimension).
    public let capacity: Int
    /// Number of columns.
    public let columns: Int
    /// Rows in use (`0...capacity`).
    public private(set) var rows: Int
    @usableFromInline internal var _storage: [Double]

    /// An empty block with room for `capacity` rows of `columns` columns.
    public init(capacity: Int, columns: Int) {
        precondition(capacity > 0 && columns >= 0, "RowBlock: bad sizes")
        self.capacity = capacity
        self.columns = columns
        self.rows = 0
        self._storage = [Double](repeating: 0, count: capacity * columns)
    }

    /// Makes the first `rows` rows the block's rows and sets them all to zero
    /// (sources that write only the non-zero elements of indicator columns start here).
    public mutating func reset(rows m: Int, zeroed: Bool) {
        precondition(m >= 0 && m <= capacity, "RowBlock.reset: \(m) rows exceed the capacity \(capacity)")
        rows = m
        if zeroed {
            let cap = capacity
            _storage.withUnsafeMutableBufferPointer { s in
                for j in 0..<columns { (s.baseAddress! + j * cap).update(repeating: 0, count: m) }
            }
        }
    }

    /// Element `(i, j)` (`i < capacity`; no check against ``rows``, so that
    /// sources can fill the block before or after ``reset(rows:zeroed:)``).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { _storage[row + column * capacity] }
        set { _storage[row + column * capacity] = newValue }
    }

    /// Copies `values[range]` into column `j` (rows `0..<range.count`).
    public mutating func setColumn(_ j: Int, from values: [Double], range: Range<Int>) {
        precondition(j >= 0 && j < columns && range.count <= capacity, "RowBlock.setColumn: shape mismatch")
        let cap = capacity
        values.withUnsafeBufferPointer { v in
            _storage.withUnsafeMutableBufferPointer { s in
                (s.baseAddress! + j * cap).update(from: v.baseAddress! + range.lowerBound, count: range.count)
            }
        }
    }

    /// Column `j`, rows `0..<indices.count`: `values[indices[k]]` (a gather;
    /// indices are checked against `values`).
    public mutating func gatherColumn(_ j: Int, from values: [Double], at indices: ArraySlice<Int>) {
        gather(j, values, indices) { $0 }
    }

    /// ``gatherColumn(_:from:at:)`` with 32-bit indices (person numbers).
    public mutating func gatherColumn(_ j: Int, from values: [Double], at indices: ArraySlice<Int32>) {
        gather(j, values, indices) { $0 }
    }

    /// ``gatherColumn(_:from:at:)`` from integers (compactly stored register
    /// columns), each converted exactly to `Double`. The caller gathers only
    /// non-missing rows: a storage sentinel would be read as its number.
    public mutating func gatherColumn(_ j: Int, from values: [Int8], at indices: ArraySlice<Int>) {
        gather(j, values, indices) { Double($0) }
    }

    /// ``gatherColumn(_:from:at:)`` from 2-byte integers.
    public mutating func gatherColumn(_ j: Int, from values: [Int16], at indices: ArraySlice<Int>) {
        gather(j, values, indices) { Double($0) }
    }

    /// ``gatherColumn(_:from:at:)`` from 4-byte integers.
    public mutating func gatherColumn(_ j: Int, from values: [Int32], at indices: ArraySlice<Int>) {
        gather(j, values, indices) { Double($0) }
    }

    /// The gather behind the public overloads; always inlined, so each is
    /// specialised (a generic call per element costs more than the load).
    @inline(__always)
    private mutating func gather<V, I: BinaryInteger>(_ j: Int, _ values: [V], _ indices: ArraySlice<I>,
                                                      _ convert: (V) -> Double) {
        precondition(j >= 0 && j < columns && indices.count <= capacity, "RowBlock.gatherColumn: shape mismatch")
        let cap = capacity
        values.withUnsafeBufferPointer { v in
            indices.withUnsafeBufferPointer { ix in
                _storage.withUnsafeMutableBufferPointer { s in
                    let col = s.baseAddress! + j * cap
                    let n = v.count
                    for k in 0..<ix.count {
                        let i = Int(ix[k])
                        precondition(i >= 0 && i < n, "RowBlock.gatherColumn: index out of range")
                        col[k] = convert(v[i])
                    }
                }
            }
        }
    }

    /// Sets every row in use of column `j` to `value`.
    public mutating func fillColumn(_ j: Int, with value: Double) {
        precondition(j >= 0 && j < columns, "RowBlock.fillColumn: index out of range")
        let cap = capacity, m = rows
        _storage.withUnsafeMutableBufferPointer { s in (s.baseAddress! + j * cap).update(repeating: value, count: m) }
    }

    /// Copies the rows in use, all columns, into a new matrix.
    public func matrix() -> Matrix {
        var out = Matrix(rows: rows, columns: columns)
        for j in 0..<columns {
            out.storage.replaceSubrange((j * rows)..<((j + 1) * rows), with: _storage[(j * capacity)..<(j * capacity + rows)])
        }
        return out
    }

    /// `y = X b` over the rows in use (`dgemv`); `y` must hold at least ``rows`` elements.
    public func multiply(_ b: [Double], into y: inout [Double]) {
        precondition(b.count == columns && y.count >= rows, "RowBlock.multiply: shape mismatch")
        if rows == 0 { return }
        if columns == 0 { for i in 0..<rows { y[i] = 0 }; return }
        _storage.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasColMajor, CblasNoTrans, lapackInt(rows), lapackInt(columns), 1.0,
                                a.baseAddress, lapackInt(capacity), bp.baseAddress, 1, 0.0, yp.baseAddress, 1)
                }
            }
        }
    }

    /// `g += X' v` over the rows in use (`dgemv`); `v` must hold at least ``rows`` elements.
    public func accumulateTransposedProduct(_ v: [Double], into g: inout [Double]) {
        v.withUnsafeBufferPointer { accumulateTransposedProduct($0, into: &g) }
    }

    /// ``accumulateTransposedProduct(_:into:)`` with `v` a slice (e.g. the
    /// outcomes of the block's rows, `y[range]`).
    public func accumulateTransposedProduct(_ v: ArraySlice<Double>, into g: inout [Double]) {
        v.withUnsafeBufferPointer { accumulateTransposedProduct($0, into: &g) }
    }

    private func accumulateTransposedProduct(_ v: UnsafeBufferPointer<Double>, into g: inout [Double]) {
        precondition(g.count == columns && v.count >= rows, "RowBlock.accumulateTransposedProduct: shape mismatch")
        if rows == 0 || columns == 0 { return }
        _storage.withUnsafeBufferPointer { a in
            g.withUnsafeMutableBufferPointer { gp in
                cblas_dgemv(CblasColMajor, CblasTrans, lapackInt(rows), lapackInt(columns), 1.0,
                            a.baseAddress, lapackInt(capacity), v.baseAddress, 1, 1.0, gp.baseAddress, 1)
            }
        }
    }

    /// Whether every element in use of column `j` is 0 or 1 (stops at the first that is not).
    public func columnIsBinary(_ j: Int) -> Bool {
        precondition(j >= 0 && j < columns, "RowBlock.columnIsBinary: index out of range")
        let cap = capacity
        return _storage.withUnsafeBufferPointer { a in
            UnsafeBufferPointer(start: a.baseAddress! + j * cap, count: rows).allSatisfy { $0 == 0 || $0 == 1 }
        }
    }

    /// Multiplies every row `i` in use by `s[i]` in place (`diag(s) X`).
    public mutating func scaleRows(by s: [Double]) {
        precondition(s.count >= rows, "RowBlock.scaleRows: shape mismatch")
        let m = rows, cap = capacity, n = columns
        _storage.withUnsafeMutableBufferPointer { a in scaleColumnMajorRows(a, rows: m, leadingDimension: cap, columns: n, by: s) }
    }

    /// Subtracts `m[j]` from every element in use of column `j`.
    public mutating func subtractFromColumns(_ m: [Double]) {
        precondition(m.count == columns, "RowBlock.subtractFromColumns: shape mismatch")
        let r = rows, cap = capacity
        _storage.withUnsafeMutableBufferPointer { a in
            for j in 0..<columns where m[j] != 0 {
                let c = m[j], col = a.baseAddress! + j * cap
                for i in 0..<r { col[i] -= c }
            }
        }
    }

    /// `g[j] += sum_i X[i, j]` over the rows in use.
    ///
    /// The additions are `Relaxed.sum` (swift-numerics): the compiler may
    /// reorder them, so the loop is vectorised instead of waiting on one
    /// addition at a time (BLAS has no column sum; `dgemv` would need a vector
    /// of ones per block). The order is fixed by the compiled code, so results
    /// are still the same on any number of cores; sums of integers below 2^53
    /// (counts of 0/1 columns) are exact in any order.
    public func accumulateColumnSums(into g: inout [Double]) {
        precondition(g.count == columns, "RowBlock.accumulateColumnSums: shape mismatch")
        let r = rows, cap = capacity
        _storage.withUnsafeBufferPointer { a in
            for j in 0..<columns {
                let col = a.baseAddress! + j * cap
                var s = 0.0
                for i in 0..<r { s = Relaxed.sum(s, col[i]) }
                g[j] += s
            }
        }
    }

    /// `C += X' X` on the upper triangle over the rows in use (`dsyrk`; call
    /// ``Matrix/symmetrizeFromUpper()`` when the accumulation is done).
    /// Cost: `rows * columns^2` flops.
    public func accumulateGram(into c: inout Matrix) {
        precondition(c.rows == columns && c.columns == columns, "RowBlock.accumulateGram: shape mismatch")
        if rows == 0 || columns == 0 { return }
        _storage.withUnsafeBufferPointer { a in
            c.storage.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, lapackInt(columns), lapackInt(rows),
                            1.0, a.baseAddress, lapackInt(capacity), 1.0, cp.baseAddress, lapackInt(columns))
            }
        }
    }

    /// Segment sums: row `s` of `out` becomes the sum of this block's rows
    /// `bounds[s]..<bounds[s + 1]` (all columns), for `s` in `0..<bounds.count - 1`.
    /// Used to add up the rows of one cluster (contiguous rows) before a `dsyrk`.
    public func segmentSums(bounds: [Int], into out: inout RowBlock) {
        let segments = bounds.count - 1
        precondition(segments >= 0 && segments <= out.capacity && out.columns == columns
                     && (bounds.first ?? 0) >= 0 && (bounds.last ?? 0) <= rows, "RowBlock.segmentSums: shape mismatch")
        out.reset(rows: segments, zeroed: false)
        let cap = capacity, ocap = out.capacity
        _storage.withUnsafeBufferPointer { a in
            out._storage.withUnsafeMutableBufferPointer { o in
                bounds.withUnsafeBufferPointer { b in
                    for j in 0..<columns {
                        let col = a.baseAddress! + j * cap, ocol = o.baseAddress! + j * ocap
                        for s in 0..<segments {
                            var t = 0.0
                            for i in b[s]..<b[s + 1] { t += col[i] }
                            ocol[s] = t
                        }
                    }
                }
            }
        }
    }

    /// Row `i` (in use or not) as a new array.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < capacity, "RowBlock.row: index out of range")
        return (0..<columns).map { _storage[i + $0 * capacity] }
    }

    /// Appends `values` as a new row in use (`rows < capacity`).
    public mutating func appendRow(_ values: [Double]) {
        precondition(values.count == columns && rows < capacity, "RowBlock.appendRow: shape mismatch")
        for j in 0..<columns { _storage[rows + j * capacity] = values[j] }
        rows += 1
    }
}
