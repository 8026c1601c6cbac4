import CLAPACK

// Thin wrappers over the BLAS calls DiDKit needs (gemv, gemm, syrk), all on
// column-major storage. Each states its operation as a formula.

extension Matrix {
    /// `y = A x` (or `A' x` with `transposed`), via `dgemv`.
    public func multiply(_ x: [Double], transposed: Bool = false) -> [Double] {
        let (m, n) = (rows, columns)
        precondition(x.count == (transposed ? m : n), "Matrix.multiply(vector): shape mismatch")
        var y = [Double](repeating: 0, count: transposed ? n : m)
        if m == 0 || n == 0 { return y }
        storage.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    cblas_dgemv(CblasColMajor, transposed ? CblasTrans : CblasNoTrans,
                                lapackInt(m), lapackInt(n), 1.0, a.baseAddress, lapackInt(Swift.max(1, m)),
                                xp.baseAddress, 1, 0.0, yp.baseAddress, 1)
                }
            }
        }
        return y
    }

    /// `C = op(A) op(B)`, via `dgemm`.
    public static func multiply(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "Matrix.multiply: inner dimensions \(k) and \(kb) differ")
        var c = Matrix(rows: m, columns: n)
        if m == 0 || n == 0 || k == 0 { return c }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                lapackInt(m), lapackInt(n), lapackInt(k), 1.0,
                                ap.baseAddress, lapackInt(Swift.max(1, a.rows)),
                                bp.baseAddress, lapackInt(Swift.max(1, b.rows)),
                                0.0, cp.baseAddress, lapackInt(Swift.max(1, m)))
                }
            }
        }
        return c
    }

    /// `self += alpha * A' A` on the upper triangle, via `dsyrk` (the lower
    /// triangle is left untouched: call ``symmetrizeFromUpper()`` when done).
    ///
    /// This is the accumulation step of the information matrix `X'WX` over row
    /// blocks: pass `A = sqrt(W) X_block`. Cost: `rows(A) * columns(A)^2` flops.
    public mutating func addGram(of a: Matrix, alpha: Double = 1) {
        precondition(rows == columns && columns == a.columns, "Matrix.addGram: shape mismatch")
        if a.rows == 0 || a.columns == 0 { return }
        let n = a.columns, k = a.rows
        a.storage.withUnsafeBufferPointer { ap in
            storage.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, lapackInt(n), lapackInt(k),
                            alpha, ap.baseAddress, lapackInt(k), 1.0, cp.baseAddress, lapackInt(n))
            }
        }
    }

    /// `A' A` as a full symmetric matrix (one `dsyrk`).
    public var gram: Matrix {
        var g = Matrix(rows: columns, columns: columns)
        g.addGram(of: self)
        g.symmetrizeFromUpper()
        return g
    }

    /// Multiplies every row `i` by `s[i]` in place (`diag(s) A`).
    public mutating func scaleRows(by s: [Double]) {
        precondition(s.count == rows, "Matrix.scaleRows: shape mismatch")
        let m = rows, n = columns
        storage.withUnsafeMutableBufferPointer { a in scaleColumnMajorRows(a, rows: m, leadingDimension: m, columns: n, by: s) }
    }

    /// The quadratic form `x' A x` for a square `A`.
    public func quadraticForm(_ x: [Double]) -> Double {
        precondition(rows == columns && x.count == rows, "Matrix.quadraticForm: shape mismatch")
        let ax = multiply(x)
        return dot(x, ax)
    }
}

/// `x' y`, via `ddot`.
public func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "dot: length mismatch")
    if x.isEmpty { return 0 }
    return x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
            cblas_ddot(lapackInt(x.count), xp.baseAddress, 1, yp.baseAddress, 1)
        }
    }
}

/// `A[i, j] *= s[i]` for the first `rows` rows of a column-major buffer with
/// leading dimension `ld` (the one loop behind both `scaleRows`).
func scaleColumnMajorRows(_ a: UnsafeMutableBufferPointer<Double>, rows m: Int, leadingDimension ld: Int, columns n: Int,
                          by s: [Double]) {
    precondition(s.count >= m && (n == 0 || a.count >= (n - 1) * ld + m), "scaleRows: shape mismatch")
    s.withUnsafeBufferPointer { sp in
        for j in 0..<n {
            let col = a.baseAddress! + j * ld
            for i in 0..<m { col[i] *= sp[i] }
        }
    }
}

extension Matrix {
    /// `self += alpha * op(A) B`, via `dgemm` with `beta = 1` (accumulating a product over row blocks
    /// without a temporary). `op(A) = A'` with `transposeA`.
    public mutating func addProduct(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, alpha: Double = 1) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        precondition(m == rows && b.columns == columns && b.rows == k, "Matrix.addProduct: shape mismatch")
        if m == 0 || columns == 0 || k == 0 { return }
        let n = columns
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                storage.withUnsafeMutableBufferPointer { cp in
                    cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans,
                                lapackInt(m), lapackInt(n), lapackInt(k), alpha,
                                ap.baseAddress, lapackInt(Swift.max(1, a.rows)),
                                bp.baseAddress, lapackInt(Swift.max(1, b.rows)),
                                1.0, cp.baseAddress, lapackInt(Swift.max(1, m)))
                }
            }
        }
    }
}
