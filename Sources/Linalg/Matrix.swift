/// A dense, column-major matrix of `Double`, laid out exactly as BLAS and LAPACK
/// expect (leading dimension = `rows`).
///
/// `Matrix` is a value type with copy-on-write storage: passing one around or
/// keeping it in a result does not copy the elements. Element `(i, j)` lives at
/// `storage[i + j * rows]`.
///
/// Shape mismatches passed to any operation are programmer errors and trap
/// (`precondition`); numerical failures reported by LAPACK (`info > 0`) are
/// thrown as ``LinalgError``.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements (usable from inlinable code, so that element access
    /// inlines across modules in hot loops).
    @usableFromInline internal var _storage: [Double]

    /// The elements in column-major order; `storage.count == rows * columns`.
    public internal(set) var storage: [Double] {
        get { _storage }
        _modify { yield &_storage }
        set { _storage = newValue }
    }

    /// A `rows x columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self._storage = [Double](repeating: value, count: rows * columns)
    }

    /// A matrix over existing column-major elements.
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative dimension \(rows)x\(columns)")
        precondition(elements.count == rows * columns,
                     "Matrix: \(elements.count) elements for a \(rows)x\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self._storage = elements
    }

    /// A matrix whose columns are the given arrays (all of one length).
    public init(columns cols: [[Double]]) {
        let n = cols.first?.count ?? 0
        var elements: [Double] = []
        elements.reserveCapacity(n * cols.count)
        for c in cols {
            precondition(c.count == n, "Matrix(columns:): columns of different lengths")
            elements.append(contentsOf: c)
        }
        self.init(rows: n, columns: cols.count, columnMajor: elements)
    }

    /// A matrix from rows given as nested arrays (convenient in tests).
    public init(rowMajor rowArrays: [[Double]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        var m = Matrix(rows: r, columns: c)
        for i in 0..<r {
            precondition(rowArrays[i].count == c, "Matrix(rowMajor:): rows of different lengths")
            for j in 0..<c { m[i, j] = rowArrays[i][j] }
        }
        self = m
    }

    /// The `n x n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// A square matrix with `d` on the diagonal.
    public static func diagonal(_ d: [Double]) -> Matrix {
        var m = Matrix(rows: d.count, columns: d.count)
        for i in d.indices { m[i, i] = d[i] }
        return m
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            return _storage[row + column * rows]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Matrix index out of range")
            _storage[row + column * rows] = newValue
        }
    }

    /// Column `j` as a new array.
    public func column(_ j: Int) -> [Double] {
        precondition(j >= 0 && j < columns, "Matrix.column: index out of range")
        return Array(storage[(j * rows)..<((j + 1) * rows)])
    }

    /// Replaces column `j`.
    public mutating func setColumn(_ j: Int, to values: [Double]) {
        precondition(j >= 0 && j < columns && values.count == rows, "Matrix.setColumn: shape mismatch")
        storage.replaceSubrange((j * rows)..<((j + 1) * rows), with: values)
    }

    /// Row `i` as a new array.
    public func row(_ i: Int) -> [Double] {
        precondition(i >= 0 && i < rows, "Matrix.row: index out of range")
        return (0..<columns).map { storage[i + $0 * rows] }
    }

    /// The main diagonal.
    public var diagonal: [Double] {
        (0..<Swift.min(rows, columns)).map { storage[$0 + $0 * rows] }
    }

    /// The transpose (a copy).
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { t.storage[j + i * columns] = storage[i + j * rows] }
        }
        return t
    }

    /// The sub-matrix of the given rows and columns (a copy), in the given order.
    public func selecting(rows rowIndices: [Int]? = nil, columns columnIndices: [Int]) -> Matrix {
        let ri = rowIndices ?? Array(0..<rows)
        var out = Matrix(rows: ri.count, columns: columnIndices.count)
        for (jj, j) in columnIndices.enumerated() {
            let base = j * rows
            let outBase = jj * ri.count
            for (ii, i) in ri.enumerated() { out.storage[outBase + ii] = storage[base + i] }
        }
        return out
    }

    /// A contiguous block of rows (a copy), all columns.
    public func rowBlock(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Matrix.rowBlock: range out of bounds")
        var out = Matrix(rows: range.count, columns: columns)
        for j in 0..<columns {
            let src = j * rows
            let dst = j * range.count
            for k in 0..<range.count { out.storage[dst + k] = storage[src + range.lowerBound + k] }
        }
        return out
    }

    /// Copies the upper triangle into the lower one (after `syrk`/`potri`, which fill one triangle).
    public mutating func symmetrizeFromUpper() {
        precondition(rows == columns, "symmetrizeFromUpper: matrix is not square")
        for j in 0..<columns {
            for i in (j + 1)..<Swift.max(j + 1, rows) { storage[i + j * rows] = storage[j + i * rows] }
        }
    }

    /// Elementwise sum.
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "Matrix +: shape mismatch")
        var c = a
        for k in c.storage.indices { c.storage[k] += b.storage[k] }
        return c
    }

    /// Scalar multiple.
    public static func * (s: Double, a: Matrix) -> Matrix {
        var c = a
        for k in c.storage.indices { c.storage[k] *= s }
        return c
    }

}
