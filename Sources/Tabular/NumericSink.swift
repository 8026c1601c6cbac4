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
        case .int8: Self.narrow(values, into: base.assumingMemoryBound(to: Int8.self) + start)
        case .int16: Self.narrow(values, into: base.assumingMemoryBound(to: Int16.self) + start)
        case .int32: Self.narrow(values, into: base.assumingMemoryBound(to: Int32.self) + start)
        case .double:
            values.withUnsafeBufferPointer { v in
                guard let s = v.baseAddress else { return }
                (base.assumingMemoryBound(to: Double.self) + start).update(from: s, count: v.count)
            }
        }
    }

    /// Integers (NaN: `T.min`), each exact in `T` (the truncating conversion is one instruction; the
    /// caller has checked the range).
    private static func narrow<T: FixedWidthInteger>(_ values: ArraySlice<Double>, into out: UnsafeMutablePointer<T>) {
        values.withUnsafeBufferPointer { v in
            for i in 0..<v.count { let x = v[i]; out[i] = x.isNaN ? T.min : T(truncatingIfNeeded: Int32(x)) }
        }
    }

    /// Moves rows `from ..< from + count` down to `to ..< to + count` (`to <= from`): a chunk's rows
    /// closed up behind the rows before it when a chunk held fewer rows than its bound (blank lines).
    func move(from: Int, to: Int, count: Int) {
        guard let base, from != to, count > 0 else { return }
        let width = 1 << form.rawValue
        (base + to * width).copyMemory(from: base + from * width, byteCount: count * width)
    }

    /// Rows `start ..< start + out.count` converted to `T` (missing: `T.min`), for a column rebuilt in
    /// a wider form (`T` at least as wide as the sink's form).
    func read<T: FixedWidthInteger>(from start: Int, into out: inout MutableSpan<T>) {
        guard let base else { return }
        func widen<S: FixedWidthInteger>(_ s: UnsafeMutablePointer<S>) {
            for i in 0..<out.count { let x = s[start + i]; out[i] = x == .min ? T.min : T(x) }
        }
        switch form {
        case .int8: widen(base.assumingMemoryBound(to: Int8.self))
        case .int16: widen(base.assumingMemoryBound(to: Int16.self))
        case .int32: widen(base.assumingMemoryBound(to: Int32.self))
        case .double: preconditionFailure("NumericSink: a Double sink cannot be read as integers")
        }
    }

    /// Rows `start ..< start + out.count` as doubles (missing: NaN).
    func read(from start: Int, into out: inout MutableSpan<Double>) {
        guard let base else { return }
        func widen<S: FixedWidthInteger>(_ s: UnsafeMutablePointer<S>) {
            for i in 0..<out.count { let x = s[start + i]; out[i] = x == .min ? .nan : Double(x) }
        }
        switch form {
        case .int8: widen(base.assumingMemoryBound(to: Int8.self))
        case .int16: widen(base.assumingMemoryBound(to: Int16.self))
        case .int32: widen(base.assumingMemoryBound(to: Int32.self))
        case .double:
            let s = base.assumingMemoryBound(to: Double.self)
            for i in 0..<out.count { out[i] = s[start + i] }
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
