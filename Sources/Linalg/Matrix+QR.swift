import CLAPACK

/// The Householder QR factorisation `A = Q R` of a tall matrix (`dgeqrf`),
/// used for least squares: `Q'y` by `dormqr`, then `R b = Q'y` by `dtrtrs`.
public struct QRFactorization: Sendable {
    /// `dgeqrf`'s output: `R` in the upper triangle, the Householder vectors below.
    let factors: Matrix
    let tau: [Double]

    /// Factorises `a` (`rows >= columns`).
    /// - Complexity: `2 n p^2 - 2 p^3 / 3` flops.
    public init(_ a: Matrix) {
        precondition(a.rows >= a.columns, "QRFactorization: needs rows >= columns")
        var f = a
        var t = [Double](repeating: 0, count: Swift.max(1, a.columns))
        if a.columns > 0 {
            let info = f.storage.withUnsafeMutableBufferPointer { p in
                t.withUnsafeMutableBufferPointer { tp in
                    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, lapackInt(a.rows), lapackInt(a.columns), p.baseAddress,
                                   lapackInt(Swift.max(1, a.rows)), tp.baseAddress)
                }
            }
            checkIllegalArgument(info, "dgeqrf")
        }
        factors = f
        tau = t
    }

    /// `Q' b` (length `rows`).
    public func applyQTranspose(_ b: [Double]) -> [Double] {
        let (m, n) = (factors.rows, factors.columns)
        precondition(b.count == m, "QRFactorization.applyQTranspose: shape mismatch")
        var c = b
        if n == 0 { return c }
        let info = factors.storage.withUnsafeBufferPointer { a in
            tau.withUnsafeBufferPointer { tp in
                c.withUnsafeMutableBufferPointer { cp in
                    LAPACKE_dormqr(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "T")),
                                   lapackInt(m), 1, lapackInt(n), a.baseAddress, lapackInt(Swift.max(1, m)),
                                   tp.baseAddress, cp.baseAddress, lapackInt(Swift.max(1, m)))
                }
            }
        }
        checkIllegalArgument(info, "dormqr")
        return c
    }

    /// The `p x p` upper-triangular `R`.
    public var r: Matrix {
        let p = factors.columns
        var r = Matrix(rows: p, columns: p)
        for j in 0..<p { for i in 0...j where p > 0 { r[i, j] = factors[i, j] } }
        return r
    }

    /// The least-squares solution of `A b = y`: `R b = (Q'y)[0..<p]`.
    /// - Throws: ``LinalgError/singular(index:)`` when `A` is rank deficient.
    public func solve(_ y: [Double]) throws -> [Double] {
        let p = factors.columns
        let qty = applyQTranspose(y)
        var b = Array(qty[0..<p])
        if p == 0 { return b }
        let rr = r
        let info = rr.storage.withUnsafeBufferPointer { rp in
            b.withUnsafeMutableBufferPointer { bp in
                LAPACKE_dtrtrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: "N")),
                               CChar(UInt8(ascii: "N")), lapackInt(p), 1, rp.baseAddress, lapackInt(p),
                               bp.baseAddress, lapackInt(p))
            }
        }
        checkIllegalArgument(info, "dtrtrs")
        if info > 0 { throw LinalgError.singular(index: Int(info)) }
        return b
    }

    /// `(A'A)^{-1} = (R'R)^{-1}`, via `dpotri` on `R` (a Cholesky factor of `A'A`).
    public func inverseGram() throws -> Matrix { try inverseFromUpperFactor(r) }
}

extension Matrix {
    /// `(U'U)^{-1}` for this square upper-triangular `U` (`dpotri`; the strict lower triangle is not
    /// read): `(A'A)^{-1}` from the `R` of any QR of `A`, such as a tall-skinny QR assembled block by block.
    /// - Throws: ``LinalgError/singular(index:)`` for a zero on the diagonal.
    public func inverseGramOfUpperFactor() throws -> Matrix { try inverseFromUpperFactor(self) }
}
