extension RowBlock {
    /// Makes the rows in use `0..<indices.count` equal to rows `indices[k]` of `other`'s rows in use (all columns;
    /// same number of columns): a row gather within a block, e.g. to order a block's rows by group.
    /// - Complexity: `O(indices.count * columns)`.
    public mutating func gatherRows(of other: RowBlock, at indices: ArraySlice<Int>) {
        precondition(other.columns == columns && indices.count <= capacity, "RowBlock.gatherRows: shape mismatch")
        precondition(indices.allSatisfy { $0 >= 0 && $0 < other.rows }, "RowBlock.gatherRows: row index out of range")
        reset(rows: indices.count, zeroed: false)
        let cap = capacity, ocap = other.capacity
        other._storage.withUnsafeBufferPointer { src in
            indices.withUnsafeBufferPointer { idx in
                _storage.withUnsafeMutableBufferPointer { dst in
                    for j in 0..<columns {
                        let s = src.baseAddress! + j * ocap, d = dst.baseAddress! + j * cap
                        for k in 0..<idx.count { d[k] = s[idx[k]] }
                    }
                }
            }
        }
    }
}
