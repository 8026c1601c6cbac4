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
}
