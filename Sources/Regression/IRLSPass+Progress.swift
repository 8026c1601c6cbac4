import Foundation

extension IRLSPass {
    /// A guess of the fraction of a Newton fit done after `passes` passes, for progress lines
    /// only (never for a result): near the optimum the relative change `r` shrinks about
    /// quadratically per pass, so about `log2(log tol / log r)` passes remain while `0 < r < 1`.
    /// - Returns: 1 once `r <= tol`; nil while `r >= 1` (no guess).
    static func progressGuess(passes: Int, change r: Double, tolerance tol: Double) -> Double? {
        if r <= tol { return 1 }
        guard r < 1, tol > 0, tol < 1 else { return nil }
        let remaining = Swift.max(0, Foundation.log2(Foundation.log(tol) / Foundation.log(r)))
        return Double(passes) / (Double(passes) + remaining)
    }
}
