import _DiDKitParallel


/// A numeric column stored in the narrowest exact form: 1-, 2- or 4-byte
/// integers when every value is an integer in range, `Double` otherwise.
///
/// Register columns are mostly indicators, counts, years and small codes: a
/// whole country's 54 million person-years times 30 columns is 13 GB as
/// `Double` and about 2 GB stored this way. Reading a value gives exactly the
/// `Double` that was stored (integers up to 2^31 are exact doubles); a
/// missing value reads as `Double.nan`.
///
/// ## Detailed design
/// Integer storage marks a missing value with the type's minimum
/// (`Int8.min`, ...), so an `Int8` column holds -127...127. A value that does
/// not fit (a fraction, a larger magnitude, the sentinel itself, or `-0.0`,
/// whose sign would be lost) keeps the column in the next wider form. The
/// width is chosen by ``init(compacting:)`` (the CSV reader per chunk, then the
/// widest chunk) or kept as given by ``init(_:)``.
///
/// Equality compares values, not storage: two columns are equal when they
/// have the same length and every pair of values is equal or both missing.
///
/// ## Complexity
/// Subscript O(1) (one switch on the storage form); ``doubles`` and
/// ``selecting(_:)`` O(n).
public struct NumericColumn: Sendable, RandomAccessCollection {
    /// How the values are stored.
    public enum Storage: Sendable {
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case double([Double])
    }

    /// The stored values.
    public let storage: Storage

    /// Values kept as `Double` (no narrowing).
    public init(_ values: [Double]) { storage = .double(values) }

    /// Values stored in the narrowest exact form (see the type's discussion).
    public init(compacting values: [Double]) { self.init(compacting: values[...]) }

    /// ``init(compacting:)`` from a slice (the CSV reader's per-chunk buffer).
    public init(compacting values: ArraySlice<Double>) { self.init(values, in: NumericColumn.width(of: values)) }

    /// ``init(compacting:)`` when every non-NaN value is already known to be
    /// an integer in `low...high` other than `-0.0` (the CSV reader's in-scan
    /// integers): the form comes from the range, without a pass over the values.
    init(compacting values: ArraySlice<Double>, integersIn low: Int64, _ high: Int64) {
        self.init(values, in: NumericColumn.form(low: low, high: high))
    }

    /// `values` stored in `form`, which must hold every one of them exactly.
    init(_ values: ArraySlice<Double>, in form: Form) {
        switch form {
        case .int8: storage = .int8(NumericColumn.narrowed(values))
        case .int16: storage = .int16(NumericColumn.narrowed(values))
        case .int32: storage = .int32(NumericColumn.narrowed(values))
        case .double: storage = .double(Array(values))
        }
    }

    /// Stored values as given.
    public init(storage: Storage) { self.storage = storage }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// Number of values.
    @inlinable public var count: Int {
        switch storage {
        case .int8(let a): return a.count
        case .int16(let a): return a.count
        case .int32(let a): return a.count
        case .double(let a): return a.count
        }
    }

    /// Value `i`; `Double.nan` when missing.
    @inlinable public subscript(i: Int) -> Double {
        switch storage {
        case .int8(let a): let x = a[i]; return x == .min ? .nan : Double(x)
        case .int16(let a): let x = a[i]; return x == .min ? .nan : Double(x)
        case .int32(let a): let x = a[i]; return x == .min ? .nan : Double(x)
        case .double(let a): return a[i]
        }
    }

    /// Whether value `i` is missing.
    @inlinable public func isMissing(_ i: Int) -> Bool {
        switch storage {
        case .int8(let a): return a[i] == .min
        case .int16(let a): return a[i] == .min
        case .int32(let a): return a[i] == .min
        case .double(let a): return a[i].isNaN
        }
    }

    /// Bytes per stored value (1, 2, 4 or 8).
    public var bytesPerValue: Int { 1 << form.rawValue }

    /// All values as `Double` (a new array unless stored as `Double`).
    public var doubles: [Double] {
        switch storage {
        case .double(let a): return a
        default: return gathered(indices)
        }
    }

    /// The values at the given row indices, in the same storage form.
    /// - Precondition: every row is a valid index.
    /// - Complexity: O(rows.count), in parts on all cores (``picked(_:at:)``).
    public func selecting(_ rows: [Int]) -> NumericColumn {
        switch storage {
        case .int8(let a): return NumericColumn(storage: .int8(Self.picked(a, at: rows)))
        case .int16(let a): return NumericColumn(storage: .int16(Self.picked(a, at: rows)))
        case .int32(let a): return NumericColumn(storage: .int32(Self.picked(a, at: rows)))
        case .double(let a): return NumericColumn(storage: .double(Self.picked(a, at: rows)))
        }
    }

    /// The values at the given rows, `nil` giving a missing value, in the same storage form (no `Double`
    /// copy, no scan for a narrower form: a study's baseline gathers 6M persons per covariate this way).
    /// - Precondition: every row is a valid index.
    /// - Complexity: O(rows.count), in parts on all cores (``picked(_:at:)``).
    public func selecting(_ rows: [Int?]) -> NumericColumn {
        switch storage {
        case .int8(let a): return NumericColumn(storage: .int8(Self.picked(a, at: rows, missing: .min)))
        case .int16(let a): return NumericColumn(storage: .int16(Self.picked(a, at: rows, missing: .min)))
        case .int32(let a): return NumericColumn(storage: .int32(Self.picked(a, at: rows, missing: .min)))
        case .double(let a): return NumericColumn(storage: .double(Self.picked(a, at: rows, missing: .nan)))
        }
    }

    /// `values[rows[k]]` for every `k`, in parts of at least 64K rows on all cores: the random loads
    /// and the result's fresh pages are what a gather of millions of rows costs (a whole-country study
    /// gathers its 6M-person baseline and score sample per covariate; one core took 0.2 s of each).
    static func picked<T: BitwiseCopyable & Sendable>(_ values: [T], at rows: [Int]) -> [T] {
        let starts = partStarts(count: rows.count, minimumPart: 1 << 16)
        return parallelParts(starts: starts) { k, out in
            for i in 0..<out.count { out[i] = values[rows[starts[k] &+ i]] }
        }
    }

    /// ``picked(_:at:)`` where a `nil` row gives `missing` (the form's sentinel).
    static func picked<T: BitwiseCopyable & Sendable>(_ values: [T], at rows: [Int?], missing: T) -> [T] {
        let starts = partStarts(count: rows.count, minimumPart: 1 << 16)
        return parallelParts(starts: starts) { k, out in
            for i in 0..<out.count { out[i] = rows[starts[k] &+ i].map { values[$0] } ?? missing }
        }
    }

    /// Joins columns end to end in the widest of their storage forms.
    public static func concatenating(_ parts: [NumericColumn]) -> NumericColumn {
        if parts.count == 1 { return parts[0] }
        return joining(parts.map { .column($0) }, in: parts.map(\.form).max() ?? .int8)
    }

    /// Where a part of a joined column comes from: another column, or rows of a sink that a reader
    /// wrote in place (a column rebuilt wider when a later chunk needed a wider form).
    enum PartSource: @unchecked Sendable {
        case column(NumericColumn)
        /// `count` rows of the sink from row `start`.
        case sink(NumericSink, start: Int, count: Int)

        var count: Int {
            switch self {
            case .column(let c): return c.count
            case .sink(_, _, let count): return count
            }
        }

        /// The part's values in their stored form, as a buffer valid inside `body`.
        func withStoredValues<R>(_ body: (StoredValues) -> R) -> R {
            switch self {
            case .sink(let s, let start, let count): return body(s.values(from: start, count: count))
            case .column(let c):
                switch c.storage {
                case .int8(let a): return a.withUnsafeBufferPointer { body(.int8($0)) }
                case .int16(let a): return a.withUnsafeBufferPointer { body(.int16($0)) }
                case .int32(let a): return a.withUnsafeBufferPointer { body(.int32($0)) }
                case .double(let a): return a.withUnsafeBufferPointer { body(.double($0)) }
                }
            }
        }
    }

    /// Values in one of the storage forms, as a buffer (a column's array, or rows of a sink).
    enum StoredValues {
        case int8(UnsafeBufferPointer<Int8>), int16(UnsafeBufferPointer<Int16>), int32(UnsafeBufferPointer<Int32>)
        case double(UnsafeBufferPointer<Double>)
    }

    /// The parts joined end to end in `form` (no part's form wider), copied into place on all cores.
    static func joining(_ parts: [PartSource], in form: Form) -> NumericColumn {
        var starts = [0]
        for p in parts { starts.append(starts[starts.count - 1] + p.count) }
        switch form {
        case .int8: return NumericColumn(storage: .int8(joined(parts, starts)))
        case .int16: return NumericColumn(storage: .int16(joined(parts, starts)))
        case .int32: return NumericColumn(storage: .int32(joined(parts, starts)))
        case .double:
            let out: [Double] = parallelParts(starts: starts) { k, out in
                parts[k].withStoredValues { values in
                    switch values {
                    case .int8(let a): write(a, &out)
                    case .int16(let a): write(a, &out)
                    case .int32(let a): write(a, &out)
                    case .double(let a): copy(a, into: &out)
                    }
                }
            }
            return NumericColumn(storage: .double(out))
        }
    }

    // MARK: - Storage forms

    /// Storage forms, narrowest first; the raw value is log2 of the bytes per value.
    enum Form: Int, Comparable {
        case int8, int16, int32, double
        static func < (a: Form, b: Form) -> Bool { a.rawValue < b.rawValue }
    }

    var form: Form {
        switch storage {
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .double: return .double
        }
    }

    /// The narrowest form that holds every value exactly (NaN = missing).
    static func width(of values: ArraySlice<Double>) -> Form {
        var low: Int32 = 0, high: Int32 = 0
        for x in values where !x.isNaN {
            // Integers in Int32's range, except its minimum (the sentinel) and -0.0. The
            // truncating conversion is one instruction; `rounded()` is a library call.
            guard x > -2_147_483_648, x <= 2_147_483_647 else { return .double }
            let i = Int32(x)
            guard Double(i) == x, !(i == 0 && x.sign == .minus) else { return .double }
            low = Swift.min(low, i)
            high = Swift.max(high, i)
        }
        return form(low: Int64(low), high: Int64(high))
    }

    /// The narrowest form for integers in `low...high` (each form's minimum is its missing sentinel).
    static func form(low: Int64, high: Int64) -> Form {
        if low > Int64(Int8.min) && high <= Int64(Int8.max) { return .int8 }
        if low > Int64(Int16.min) && high <= Int64(Int16.max) { return .int16 }
        if low > Int64(Int32.min) && high <= Int64(Int32.max) { return .int32 }
        return .double
    }

    /// `values` as integers of type `T` (every value fits: see ``width(of:)``); NaN becomes `T.min`.
    static func narrowed<T: FixedWidthInteger>(_ values: ArraySlice<Double>) -> [T] {
        [T](unsafeUninitializedCapacity: values.count) { buffer, count in
            if let out = buffer.baseAddress { narrow(values, into: out) }
            count = values.count
        }
    }

    /// ``narrowed(_:)`` written to `out` (`values.count` elements; a reader's sink at a chunk's rows).
    static func narrow<T: FixedWidthInteger>(_ values: ArraySlice<Double>, into out: UnsafeMutablePointer<T>) {
        // Every value is NaN or an integer of T's range (checked by width(of:)). Adding 1.5 x 2^52 puts
        // an integer x with |x| < 2^51 exactly into the low bits of the sum's significand, as
        // x + 2^51, whose low 32 bits are x's two's complement: an add and a mask, which the compiler
        // vectorises, where Int32(x) costs a range check and a scalar conversion per value (2 ns of
        // the whole-country read's 54M x 30 values).
        let magic = 6_755_399_441_055_744.0  // 1.5 x 2^52
        values.withUnsafeBufferPointer { v in
            for i in 0..<v.count {
                let x = v[i]
                let bits = T(truncatingIfNeeded: Int32(truncatingIfNeeded: (x + magic).bitPattern))
                out[i] = x.isNaN ? T.min : bits
            }
        }
    }

    /// The parts' integers as `T` (every part's form is no wider), copied into place on all cores.
    private static func joined<T: FixedWidthInteger & Sendable & BitwiseCopyable>(_ parts: [PartSource], _ starts: [Int]) -> [T] {
        parallelParts(starts: starts) { k, out in
            parts[k].withStoredValues { values in
                switch values {
                case .int8(let a): write(a, &out)
                case .int16(let a): write(a, &out)
                case .int32(let a): write(a, &out)
                case .double: preconditionFailure("NumericColumn: a Double part cannot join an integer column")
                }
            }
        }
    }

    /// Integers `a` into `out`, the sentinel mapped to `T`'s (a bulk copy when the forms are the same).
    private static func write<S: FixedWidthInteger, T: FixedWidthInteger & BitwiseCopyable>(_ a: UnsafeBufferPointer<S>,
                                                                                            _ out: inout MutableSpan<T>) {
        if S.self == T.self {
            a.withMemoryRebound(to: T.self) { same in copy(same, into: &out) }
        } else {
            for i in 0..<a.count { out[i] = a[i] == .min ? T.min : T(a[i]) }
        }
    }

    /// Integers `a` into `out` as doubles, the sentinel as NaN.
    private static func write<S: FixedWidthInteger>(_ a: UnsafeBufferPointer<S>, _ out: inout MutableSpan<Double>) {
        for i in 0..<a.count { out[i] = a[i] == .min ? .nan : Double(a[i]) }
    }
}

extension NumericColumn: Equatable {
    public static func == (a: NumericColumn, b: NumericColumn) -> Bool {
        a.count == b.count && a.indices.allSatisfy { i in
            let x = a[i], y = b[i]
            return x == y || (x.isNaN && y.isNaN)
        }
    }
}
