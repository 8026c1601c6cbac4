import Tabular

/// Per-row numbers the panel builder scans in row order (the time and the group): an array (the row-array
/// initializer, a text group's parsed cells), or a table's narrow numeric column at some rows, read in
/// blocks of ``blockRows`` converted to `Double` as they are scanned.
///
/// A whole country's 54M person-years held as `Double` time and group arrays were 864 MB; the blocks are
/// 128 KB. At 6M persons the `attgt` panel phase went from 6.2-6.4 to 5.1-5.2 s (Docs/Benchmarks.md,
/// session 13).
struct RowValues: Sendable {
    private enum Source: Sendable {
        case values([Double])
        /// Column values at `rows` (nil: every row); a missing value reads as `missingAs` when given, else NaN.
        case column(NumericColumn, rows: [Int]?, missingAs: Double?)
    }

    private let source: Source

    /// Rows per converted block.
    static let blockRows = 16_384

    /// The values of an array.
    init(values: [Double]) { source = .values(values) }

    /// A column's values at `rows` (nil: every row), a missing value read as `missingAs` (nil: NaN).
    init(column: NumericColumn, rows: [Int]?, missingAs: Double? = nil) { source = .column(column, rows: rows, missingAs: missingAs) }

    /// Number of rows.
    var count: Int {
        switch source {
        case .values(let v): return v.count
        case .column(let c, let rows, _): return rows?.count ?? c.count
        }
    }

    /// Calls `body(block, values)` for consecutive blocks of `range` in order, `values[k]` being row
    /// `block.lowerBound + k`'s value. An array's range is one block, without a copy.
    func forEachBlock(_ range: Range<Int>, _ body: (Range<Int>, UnsafeBufferPointer<Double>) throws -> Void) rethrows {
        switch source {
        case .values(let v):
            try v.withUnsafeBufferPointer { try body(range, UnsafeBufferPointer(rebasing: $0[range])) }
        case .column(let c, let rows, let missingAs):
            try withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.blockRows) { buffer in
                var low = range.lowerBound
                while low < range.upperBound {
                    let block = low..<Swift.min(low + Self.blockRows, range.upperBound)
                    let out = UnsafeMutableBufferPointer(rebasing: buffer[0..<block.count])
                    var span = out.mutableSpan
                    if let rows { c.write(rows[block], into: &span) } else { c.write(block, into: &span) }
                    if let m = missingAs { for k in out.indices where out[k].isNaN { out[k] = m } }
                    try body(block, UnsafeBufferPointer(out))
                    low = block.upperBound
                }
            }
        }
    }
}
