extension NumericColumn {
    /// The values at `rows`, in their order, as doubles (missing: NaN): one switch on the storage for the
    /// whole pass, not one per value as the collection's subscript makes.
    /// - Complexity: O(`rows.count`).
    public func gathered<Rows: Collection<Int>>(_ rows: Rows) -> [Double] {
        [Double](unsafeUninitializedCapacity: rows.count) { buffer, count in
            var span = buffer.mutableSpan
            write(rows, into: &span)
            count = rows.count
        }
    }

    /// ``gathered(_:)`` written to `out` (`rows.count` elements), for a caller that writes a column of a
    /// larger buffer (a design matrix's column) in place.
    public func write<Rows: Collection<Int>>(_ rows: Rows, into out: inout MutableSpan<Double>) {
        func convert<T: FixedWidthInteger>(_ a: [T], _ out: inout MutableSpan<Double>) {
            a.withUnsafeBufferPointer { a in
                for (k, r) in rows.enumerated() { let v = a[r]; out[k] = v == .min ? .nan : Double(v) }
            }
        }
        switch storage {
        case .int8(let a): convert(a, &out)
        case .int16(let a): convert(a, &out)
        case .int32(let a): convert(a, &out)
        case .double(let a): a.withUnsafeBufferPointer { a in for (k, r) in rows.enumerated() { out[k] = a[r] } }
        }
    }
}
