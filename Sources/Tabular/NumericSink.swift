/// A numeric column's final storage, open for writing in place from many threads: the CSV reader's
/// chunks narrow their values straight into it, each at its own rows, so the table is written once.
///
/// Joining per-chunk parts had written every value twice, the second time into fresh pages; on a VM
/// whose first touch of a page costs 0.3-0.5 GB/s (the host backs it on demand), the second copy of
/// the whole-country register's 32 columns cost seconds. A sink's array is opened by
/// ``withUninitializedArrays(_:_:)``; the sink is valid only inside its body.
struct NumericSink: @unchecked Sendable {
    /// The storage form every value written must fit (``NumericColumn/width(of:)`` no wider).
    let form: NumericColumn.Form
    /// The array's first element (`nil` for no rows).
    let base: UnsafeMutableRawPointer?

    /// Writes `values` (NaN: missing) to rows `start ..< start + values.count`, in the sink's form.
    /// - Precondition: every value fits the form (the chunk's own form is no wider).
    func write(_ values: ArraySlice<Double>, at start: Int) {
        guard let base else { return }
        switch form {
        case .int8: NumericColumn.narrow(values, into: base.assumingMemoryBound(to: Int8.self) + start)
        case .int16: NumericColumn.narrow(values, into: base.assumingMemoryBound(to: Int16.self) + start)
        case .int32: NumericColumn.narrow(values, into: base.assumingMemoryBound(to: Int32.self) + start)
        case .double:
            values.withUnsafeBufferPointer { v in
                guard let s = v.baseAddress else { return }
                (base.assumingMemoryBound(to: Double.self) + start).update(from: s, count: v.count)
            }
        }
    }

    /// Moves rows `from ..< from + count` down to `to ..< to + count` (`to <= from`): a chunk's rows
    /// closed up behind the rows before it when a chunk held fewer rows than its bound (blank lines).
    func move(from: Int, to: Int, count: Int) {
        guard let base, from != to, count > 0 else { return }
        let width = 1 << form.rawValue
        (base + to * width).copyMemory(from: base + from * width, byteCount: count * width)
    }

    /// Rows `start ..< start + count` in the sink's form (for a column rebuilt in a wider form).
    func values(from start: Int, count: Int) -> NumericColumn.StoredValues {
        func rows<S>(_: S.Type) -> UnsafeBufferPointer<S> {
            UnsafeBufferPointer(start: base.map { $0.assumingMemoryBound(to: S.self) + start }, count: base == nil ? 0 : count)
        }
        switch form {
        case .int8: return .int8(rows(Int8.self))
        case .int16: return .int16(rows(Int16.self))
        case .int32: return .int32(rows(Int32.self))
        case .double: return .double(rows(Double.self))
        }
    }
}

extension NumericColumn {
    /// The column an opened numeric array holds (``withUninitializedArrays(_:_:)``).
    init(_ array: SinkArray) {
        switch array {
        case .int8(let a): self.init(storage: .int8(a))
        case .int16(let a): self.init(storage: .int16(a))
        case .int32(let a): self.init(storage: .int32(a))
        case .double(let a): self.init(storage: .double(a))
        case .bytes, .offsets, .flags: preconditionFailure("NumericColumn: a text sink's array is not a numeric column")
        }
    }
}
