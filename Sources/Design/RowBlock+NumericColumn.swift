import Linalg
import Tabular

extension RowBlock {
    /// Copies `values[indices[k]]` into row `k` of column `j`, reading the
    /// column in its storage form (no `Double` copy of the column is made).
    /// The caller gathers only non-missing rows.
    public mutating func gatherColumn(_ j: Int, from values: NumericColumn, at indices: ArraySlice<Int>) {
        switch values.storage {
        case .int8(let a): gatherColumn(j, from: a, at: indices)
        case .int16(let a): gatherColumn(j, from: a, at: indices)
        case .int32(let a): gatherColumn(j, from: a, at: indices)
        case .double(let a): gatherColumn(j, from: a, at: indices)
        }
    }

    /// Copies `values[range]` into rows `0..<range.count` of column `j` (a contiguous copy, exact conversion
    /// of integer storage). The caller copies only non-missing rows.
    public mutating func copyColumn(_ j: Int, from values: NumericColumn, range: Range<Int>) {
        switch values.storage {
        case .double(let a): setColumn(j, from: a, range: range)
        case .int8(let a): convert(j, a, range)
        case .int16(let a): convert(j, a, range)
        case .int32(let a): convert(j, a, range)
        }
    }

    private mutating func convert<V: BinaryInteger>(_ j: Int, _ a: [V], _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= a.count && range.count <= capacity,
                     "RowBlock.copyColumn: shape mismatch")
        let lo = range.lowerBound
        a.withUnsafeBufferPointer { v in
            updateColumn(j) { d in for k in 0..<range.count { d[k] = Double(v[lo + k]) } }
        }
    }
}
