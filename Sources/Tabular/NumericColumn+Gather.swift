extension NumericColumn {
    /// The values at `rows`, in their order, as doubles (missing: NaN): one switch on the storage for the
    /// whole pass, not one per value as the collection's subscript makes.
    /// - Complexity: O(`rows.count`).
    @inlinable
    public func gathered<Rows: Collection<Int>>(_ rows: Rows) -> [Double] {
        [Double](unsafeUninitializedCapacity: rows.count) { buffer, count in
            var span = buffer.mutableSpan
            write(rows, into: &span)
            count = rows.count
        }
    }

    /// ``gathered(_:)`` written to `out` (`rows.count` elements), for a caller that writes a column of a
    /// larger buffer (a design matrix's column) in place.
    ///
    /// Inlinable, with one loop written out per storage form and no nested generic function: the caller's
    /// module specialises it for its `Rows` (a range, an array, a lazy map). Unspecialised, each value
    /// cost a run-time metadata lookup, which made the 6M panel four times slower.
    /// - Complexity: O(`rows.count`).
    @inlinable
    public func write<Rows: Collection<Int>>(_ rows: Rows, into out: inout MutableSpan<Double>) {
        var k = 0
        switch storage {
        case .int8(let a):
            a.withUnsafeBufferPointer { a in for r in rows { let v = a[r]; out[k] = v == .min ? .nan : Double(v); k += 1 } }
        case .int16(let a):
            a.withUnsafeBufferPointer { a in for r in rows { let v = a[r]; out[k] = v == .min ? .nan : Double(v); k += 1 } }
        case .int32(let a):
            a.withUnsafeBufferPointer { a in for r in rows { let v = a[r]; out[k] = v == .min ? .nan : Double(v); k += 1 } }
        case .double(let a):
            a.withUnsafeBufferPointer { a in for r in rows { out[k] = a[r]; k += 1 } }
        }
    }
}
