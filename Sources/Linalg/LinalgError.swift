/// Numerical failures reported by LAPACK (`info > 0`).
///
/// Negative `info` values mean an illegal argument and are programmer errors:
/// the wrappers trap on them instead of throwing.
public enum LinalgError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `potrf`: the leading minor of this order (1-based) is not positive definite.
    case notPositiveDefinite(order: Int)
    /// `trtrs`/`potri`: the matrix is singular at this diagonal position (1-based).
    case singular(index: Int)

    public var description: String {
        switch self {
        case .notPositiveDefinite(let k):
            return "the matrix is not positive definite (leading minor of order \(k))"
        case .singular(let i):
            return "the matrix is singular (zero pivot at position \(i))"
        }
    }
}

/// Converts a dimension to LAPACK's 32-bit integer, trapping if it does not fit.
@usableFromInline
func lapackInt(_ n: Int, _ what: StaticString = "dimension") -> Int32 {
    guard let v = Int32(exactly: n) else {
        preconditionFailure("\(what) \(n) exceeds LAPACK's 32-bit index range")
    }
    return v
}

/// Traps on `info < 0` (an illegal argument: a bug in this module).
@usableFromInline
func checkIllegalArgument(_ info: Int32, _ routine: StaticString) {
    precondition(info >= 0, "\(routine): illegal value in argument \(-info)")
}
