import Distributions
import Linalg

/// The distinct rows of the units' baseline design and each unit's row: with the register's 0/1
/// covariates (the demo's six give at most 64 patterns) a comparison set's propensity logit is fitted
/// on its distinct (pattern, treated) rows with their counts as frequency weights, instead of on
/// millions of units (``PropensityModel/logit(treated:x:names:patterns:)``).
///
/// Rows are compared by the bit patterns of their values (exact equality; `-0.0` and `0.0` are
/// different patterns, which only costs compression). Written here because no library in the build
/// hashes rows of a column-major `Double` matrix; the table is open addressing with linear probing,
/// at most half full.
///
/// Complexity: one pass, `O(n k)` expected time; memory `4 n` bytes for the unit codes and
/// `O(limit)` for the table.
struct CovariatePatterns: Sendable {
    /// Each unit's pattern, `0..<count`, patterns numbered in order of first appearance.
    let ofUnit: [Int32]
    /// The distinct rows (`count x k`), in order of first appearance.
    let rows: Matrix
    var count: Int { rows.rows }

    /// The patterns of `x`'s rows, or nil when there are more than `limit` (compression would not pay).
    init?(_ x: Matrix, limit: Int) {
        let n = x.rows, k = x.columns
        // Pattern numbers are 32-bit: at most `limit` of them, which the guard keeps below 2^31.
        guard n > 0, limit > 0, limit < Int(Int32.max), k > 0 else { return nil }
        var capacity = 16
        while capacity < 2 * limit { capacity <<= 1 }
        let mask = capacity - 1
        var table = [Int32](repeating: -1, count: capacity)
        var firstRow: [Int] = []
        var ofUnit = [Int32](repeating: 0, count: n)
        let complete: Bool = x.storage.withUnsafeBufferPointer { s in
            table.withUnsafeMutableBufferPointer { t in
                ofUnit.withUnsafeMutableBufferPointer { out in
                    for i in 0..<n {
                        var h: UInt64 = 0
                        for j in 0..<k { h = SplitMix64.mix(h ^ s[i + j * n].bitPattern) }
                        var slot = Int(truncatingIfNeeded: h) & mask
                        while true {
                            let p = t[slot]
                            if p < 0 {
                                if firstRow.count == limit { return false }
                                t[slot] = Int32(firstRow.count)
                                out[i] = Int32(firstRow.count)
                                firstRow.append(i)
                                break
                            }
                            let r = firstRow[Int(p)]
                            var same = true
                            for j in 0..<k where s[r + j * n].bitPattern != s[i + j * n].bitPattern { same = false; break }
                            if same { out[i] = p; break }
                            slot = (slot + 1) & mask
                        }
                    }
                    return true
                }
            }
        }
        guard complete else { return nil }
        self.ofUnit = ofUnit
        rows = x.selecting(rows: firstRow, columns: Array(0..<k))
    }

    /// The patterns of the sample positions `units` (a comparison set's units, in order).
    func subset(_ units: [Int]) -> Subset {
        Subset(ofUnit: ofUnit.withUnsafeBufferPointer { p in units.map { p[$0] } }, rows: rows)
    }

    /// A comparison set's units' patterns and the pattern rows.
    struct Subset: Sendable {
        let ofUnit: [Int32]
        let rows: Matrix
    }
}
