/// The element type of an array a reader fills in place (``withUninitializedArrays(_:_:)``).
enum SinkElement {
    case int8, int16, int32, double
    /// A text column's bytes.
    case bytes
    /// A text column's offsets.
    case offsets
    /// A text column's missing flags.
    case flags
}

/// An array filled in place, of the element type its ``SinkElement`` named.
enum SinkArray {
    case int8([Int8]), int16([Int16]), int32([Int32]), double([Double])
    case bytes([UInt8]), offsets([Int]), flags([Bool])
}

/// Opens one uninitialised array per spec (its element type and capacity), calls `body` with their
/// first elements' addresses (`nil` for capacity 0), and returns each array with the length `body`
/// returns for it (0 for an array not kept).
///
/// The readers' final columns are filled from many threads at once, each chunk at its own rows, but
/// `Array(unsafeUninitializedCapacity:)`'s buffer is valid only inside its closure: so the arrays are
/// opened one inside another (recursion depth `specs.count`: callers keep it to a few hundred, well
/// within a secondary thread's stack). Pages `body` never writes are never touched. Written here
/// because the standard library offers no array that many threads fill outside one closure.
/// - Precondition: `body` returns one length per spec, each at most its capacity, and writes the first
///   that many elements of each array (plain integers, doubles and booleans, so an unwritten element
///   would hold stale bits, never an invalid reference; a `Bool` is written as 0 or 1).
func withUninitializedArrays(_ specs: [(element: SinkElement, capacity: Int)],
                             _ body: ([UnsafeMutableRawPointer?]) throws -> [Int]) throws -> [SinkArray] {
    try openArrays(specs[...], bases: [], body).arrays
}

private func openArrays(_ specs: ArraySlice<(element: SinkElement, capacity: Int)>, bases: [UnsafeMutableRawPointer?],
                        _ body: ([UnsafeMutableRawPointer?]) throws -> [Int]) throws -> (arrays: [SinkArray], counts: [Int]) {
    guard let spec = specs.first else { return ([], try body(bases)) }
    let index = bases.count
    var inner: (arrays: [SinkArray], counts: [Int]) = ([], [])
    func array<T: BitwiseCopyable>(_: T.Type) throws -> [T] {
        try [T](unsafeUninitializedCapacity: spec.capacity) { buffer, count in
            inner = try openArrays(specs.dropFirst(), bases: bases + [buffer.baseAddress.map { UnsafeMutableRawPointer($0) }], body)
            precondition(inner.counts.count > index && (0...spec.capacity).contains(inner.counts[index]),
                         "withUninitializedArrays: a length for every array, within its capacity")
            count = inner.counts[index]
        }
    }
    let opened: SinkArray
    switch spec.element {
    case .int8: opened = .int8(try array(Int8.self))
    case .int16: opened = .int16(try array(Int16.self))
    case .int32: opened = .int32(try array(Int32.self))
    case .double: opened = .double(try array(Double.self))
    case .bytes: opened = .bytes(try array(UInt8.self))
    case .offsets: opened = .offsets(try array(Int.self))
    case .flags: opened = .flags(try array(Bool.self))
    }
    return ([opened] + inner.arrays, inner.counts)
}
