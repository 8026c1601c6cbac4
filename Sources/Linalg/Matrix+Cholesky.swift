import CLAPACK

/// The Cholesky factorisation `A = U'U` of a symmetric positive-definite matrix
/// (`dpotrf`, upper triangle), with solves (`dpotrs`) and the inverse (`dpotri`).
public struct CholeskyFactor: Sendable {
    /// The factor `U` in the upper triangle (the strict lower triangle is zero).
    public let upper: Matrix

    /// Factorises `a` (only its upper triangle is read).
    /// - Throws: ``LinalgError/notPositiveDefinite(order:)``.
    /// - Complexity: `n^3 / 3` flops.
    public init(_ a: Matrix) throws {
        precondition(a.rows == a.columns, "CholeskyFactor: matrix is not square")
        var u = a
        let n = a.rows
        if n > 0 {
            let info = u.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), lapackInt(n), p.baseAddress, lapackInt(n))
            }
            checkIllegalArgument(info, "dpotrf")
            if info > 0 { throw LinalgError.notPositiveDefinite(order: Int(info)) }
        }
        for j in 0..<n { for i in (j + 1)..<Swift.max(j + 1, n) { u[i, j] = 0 } }
        upper = u
    }

    /// Solves `A X = B`.
    public func solve(_ b: Matrix) -> Matrix {
        let n = upper.rows
        precondition(b.rows == n, "CholeskyFactor.solve: shape mismatch")
        var x = b
        if n == 0 || b.columns == 0 { return x }
        let info = upper.storage.withUnsafeBufferPointer { u in
            x.storage.withUnsafeMutableBufferPointer { xp in
                LAPACKE_dpotrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), lapackInt(n), lapackInt(b.columns),
                               u.baseAddress, lapackInt(n), xp.baseAddress, lapackInt(n))
            }
        }
        checkIllegalArgument(info, "dpotrs")
        return x
    }

    /// Solves `A x = b`.
    public func solve(_ b: [Double]) -> [Double] {
        solve(Matrix(rows: b.count, columns: 1, columnMajor: b)).storage
    }

    /// `A^{-1}` as a full symmetric matrix.
    public func inverse() throws -> Matrix { try inverseFromUpperFactor(upper) }

    /// `log det A = 2 sum log U_ii`.
    public var logDeterminant: Double {
        upper.diagonal.reduce(0) { $0 + 2 * _log($1) }
    }
}

/// A rank-revealing Cholesky factorisation with complete pivoting
/// (`dpstrf`): `P' A P = U'U` with `U` of rank `rank`.
public struct PivotedCholesky: Sendable {
    /// The computed rank (number of pivots above the tolerance).
    public let rank: Int
    /// The pivot order: `pivot[k]` is the original (0-based) index placed at position `k`.
    public let pivot: [Int]

    /// Factorises the symmetric positive semi-definite `a`.
    /// - Parameter tolerance: LAPACK's `tol`; pivots below it stop the factorisation.
    ///   A negative value uses LAPACK's default `n * eps * max(diag)`.
    public init(_ a: Matrix, tolerance: Double = -1) {
        precondition(a.rows == a.columns, "PivotedCholesky: matrix is not square")
        let n = a.rows
        guard n > 0 else { rank = 0; pivot = []; return }
        var u = a
        var piv = [Int32](repeating: 0, count: n)
        var r: Int32 = 0
        let info = u.storage.withUnsafeMutableBufferPointer { p in
            piv.withUnsafeMutableBufferPointer { pp in
                LAPACKE_dpstrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), lapackInt(n), p.baseAddress, lapackInt(n),
                               pp.baseAddress, &r, tolerance)
            }
        }
        checkIllegalArgument(info, "dpstrf")
        rank = Int(r)
        pivot = piv.map { Int($0) - 1 }
    }
}

extension Matrix {
    /// Indices of columns that are linearly dependent on *earlier* columns, for
    /// a symmetric positive semi-definite Gram/correlation matrix `self`.
    ///
    /// Columns are taken in order; column `j` is kept when its squared residual
    /// after projection on the kept earlier columns exceeds
    /// `tolerance * self[j, j]` (i.e. `1 - R^2_j > tolerance`), otherwise it is
    /// reported as dependent. This is Stata's `_rmcoll` rule (the later of two
    /// collinear terms is dropped), which a pivoted factorisation does not give:
    /// `dpstrf` would drop whichever column pivots last. Each step is a
    /// triangular solve (`dtrsv`) against the factor of the kept columns.
    ///
    /// - Complexity: `O(p^3)` for a `p x p` matrix.
    public func dependentColumnsInOrder(tolerance: Double = 1e-9) -> [Int] {
        precondition(rows == columns, "dependentColumnsInOrder: matrix is not square")
        let p = rows
        var kept: [Int] = []
        var dependent: [Int] = []
        // Upper-triangular factor of the kept columns, stored densely (kept.count x kept.count, max p x p).
        var u = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            let ajj = self[j, j]
            if !(ajj > 0) { dependent.append(j); continue }
            let k = kept.count
            var v = kept.map { self[$0, j] }
            if k > 0 {
                u.withUnsafeBufferPointer { up in
                    v.withUnsafeMutableBufferPointer { vp in
                        // Solve U' v = a_kept,j  (U is k x k upper, leading dimension p).
                        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, lapackInt(k),
                                    up.baseAddress, lapackInt(p), vp.baseAddress, 1)
                    }
                }
            }
            let d = ajj - dot(v, v)
            if d > tolerance * ajj {
                for i in 0..<k { u[i + k * p] = v[i] }
                u[k + k * p] = d.squareRoot()
                kept.append(j)
            } else {
                dependent.append(j)
            }
        }
        return dependent
    }
}

@inline(__always)
func _log(_ x: Double) -> Double {
    // Foundation-free natural log (Glibc/Darwin `log`).
    #if canImport(Glibc)
    return Glibc.log(x)
    #elseif canImport(Darwin)
    return Darwin.log(x)
    #else
    return Foundation.log(x)
    #endif
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `(U'U)^{-1}` as a full symmetric matrix from the upper-triangular factor `U` (`dpotri`):
/// the inverse of a Cholesky-factored matrix, and `(A'A)^{-1}` from the `R` of a QR of `A`.
/// - Throws: ``LinalgError/singular(index:)`` for a zero on the diagonal of `U`.
func inverseFromUpperFactor(_ u: Matrix) throws -> Matrix {
    var inv = u
    let n = u.rows
    if n == 0 { return inv }
    let info = inv.storage.withUnsafeMutableBufferPointer { p in
        LAPACKE_dpotri(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), lapackInt(n), p.baseAddress, lapackInt(n))
    }
    checkIllegalArgument(info, "dpotri")
    if info > 0 { throw LinalgError.singular(index: Int(info)) }
    inv.symmetrizeFromUpper()
    return inv
}
