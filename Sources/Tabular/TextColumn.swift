import Foundation
import _DiDKitParallel

/// A column of text values stored as one contiguous UTF-8 byte buffer plus
/// offsets (as in Apache Arrow), so that millions of ids cost two allocations,
/// not one `String` each. Missing values (empty, `NA`, `.`) are flagged.
public struct TextColumn: Sendable, Equatable {
    /// All values' bytes, concatenated.
    public private(set) var bytes: [UInt8]
    /// `offsets[i]..<offsets[i + 1]` are the bytes of value `i`; `offsets.count == count + 1`.
    public private(set) var offsets: [Int]
    /// `missing[i]` is true when value `i` is missing.
    public private(set) var missing: [Bool]

    public init() {
        bytes = []
        offsets = [0]
        missing = []
    }

    public init<S: Sequence>(_ values: S) where S.Element == String? {
        self.init()
        for v in values { append(v) }
    }

    public init(_ values: [String]) { self.init(values.map { Optional($0) }) }

    /// A column from its parts, for a reader that fills the buffers itself (the
    /// ReadStat reader): value `i` is `bytes[offsets[i]..<offsets[i + 1]]`, or missing.
    /// - Precondition: `offsets.count == missing.count + 1`, `offsets` starts at 0, never
    ///   decreases and ends at `bytes.count` (checked: O(n)).
    public init(bytes: [UInt8], offsets: [Int], missing: [Bool]) {
        precondition(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }, "TextColumn: offsets must not decrease")
        self.init(unchecked: bytes, offsets: offsets, missing: missing)
    }

    /// A column from buffers a reader filled and checked itself (the CSV reader's sinks): the
    /// public initialiser without its pass over the offsets (the shape is still checked).
    init(unchecked bytes: [UInt8], offsets: [Int], missing: [Bool]) {
        precondition(offsets.count == missing.count + 1 && offsets.first == 0 && offsets.last == bytes.count,
                     "TextColumn: offsets must run from 0 to bytes.count, one more than the values")
        self.bytes = bytes
        self.offsets = offsets
        self.missing = missing
    }

    /// Number of values.
    public var count: Int { missing.count }

    /// Appends a value (`nil` for missing).
    public mutating func append(_ value: String?) {
        if let v = value { bytes.append(contentsOf: v.utf8); missing.append(false) } else { missing.append(true) }
        offsets.append(bytes.count)
    }

    /// One value for ``append(count:from:_:)``.
    enum Piece {
        case missing
        /// The value's UTF-8 bytes are these bytes of the source.
        case bytes(Range<Int>)
        /// A value that is not a range of the source (a quoted field with escaped quotes).
        case text(String)
    }

    /// Appends `count` values, value `r` being `piece(r)` (called twice per value:
    /// once for the lengths, once for the bytes). The bytes are copied from
    /// `source` into one growth of the buffer, byte by byte into its output
    /// span: the reader's source is a span of a mapped file, which no safe
    /// bulk copy into an array takes, and one growth per value cost more.
    mutating func append(count: Int, from source: Span<UInt8>, _ piece: (Int) -> Piece) {
        offsets.reserveCapacity(offsets.count + count)
        missing.reserveCapacity(missing.count + count)
        var end = bytes.count
        for r in 0..<count {
            switch piece(r) {
            case .missing: missing.append(true)
            case .bytes(let range): end += range.count; missing.append(false)
            case .text(let value): end += value.utf8.count; missing.append(false)
            }
            offsets.append(end)
        }
        bytes.append(addingCapacity: end - bytes.count) { out in
            for r in 0..<count {
                switch piece(r) {
                case .missing: break
                case .bytes(let range): for i in range { out.append(source[i]) }
                case .text(let value): for byte in value.utf8 { out.append(byte) }
                }
            }
        }
    }

    /// Appends another column's values.
    public mutating func append(contentsOf other: TextColumn) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        offsets.append(contentsOf: other.offsets.dropFirst().map { $0 + base })
        missing.append(contentsOf: other.missing)
    }

    /// Joins columns end to end, the parts copied into place on all cores (``parallelParts(starts:fill:)``).
    /// - Complexity: O(total bytes + total values).
    public static func concatenating(_ parts: [TextColumn]) -> TextColumn {
        if parts.count == 1 { return parts[0] }
        var valueEnds = [0], byteEnds = [0]
        for p in parts {
            valueEnds.append(valueEnds[valueEnds.count - 1] + p.count)
            byteEnds.append(byteEnds[byteEnds.count - 1] + p.bytes.count)
        }
        let (valueStarts, byteStarts) = (valueEnds, byteEnds)
        let bytes: [UInt8] = parallelParts(starts: byteStarts) { k, out in copy(parts[k].bytes[...], into: &out) }
        let missing: [Bool] = parallelParts(starts: valueStarts) { k, out in copy(parts[k].missing[...], into: &out) }
        // The leading 0, then part k's ends shifted by the bytes before it.
        let offsets: [Int] = parallelParts(starts: [0] + valueStarts.map { $0 + 1 }) { k, out in
            if k == 0 { out[0] = 0; return }
            let base = byteStarts[k - 1]
            parts[k - 1].offsets.withUnsafeBufferPointer { o in
                for i in 0..<out.count { out[i] = o[i + 1] + base }
            }
        }
        var out = TextColumn()
        out.bytes = bytes
        out.offsets = offsets
        out.missing = missing
        return out
    }

    /// Value `i` as a `String`, or `nil` when missing.
    public subscript(i: Int) -> String? {
        if missing[i] { return nil }
        return String(decoding: bytes[offsets[i]..<offsets[i + 1]], as: UTF8.self)
    }

    /// The bytes of value `i` (empty when missing).
    public func valueBytes(_ i: Int) -> ArraySlice<UInt8> { bytes[offsets[i]..<offsets[i + 1]] }

    /// The values at the given row indices.
    public func selecting(_ rows: [Int]) -> TextColumn {
        var out = TextColumn()
        out.bytes.reserveCapacity(rows.count * 8)
        for i in rows {
            out.bytes.append(contentsOf: valueBytes(i))
            out.offsets.append(out.bytes.count)
            out.missing.append(missing[i])
        }
        return out
    }

    /// Dense codes `0..<levels.count` for the values (missing: -1) and the
    /// distinct values in byte order (see ``encoded()``).
    public func dictionaryEncoded() -> (codes: [Int32], levels: [String]) {
        let e = encoded()
        return (e.codes, (0..<e.levels.count).map { e.levels[$0] ?? "" })
    }

    /// ``dictionaryEncoded()`` with the levels kept as a text column (no
    /// `String` per level: a register has millions of ids). A column already
    /// sorted by value is coded by its runs in one scan (``sortedRuns()``);
    /// otherwise one hash-table pass plus a sort of the distinct values.
    public func encoded() -> (codes: [Int32], levels: TextColumn) {
        if let runs = sortedRuns() { return runs }
        var index: [ArraySlice<UInt8>: Int32] = [:]
        var firstRow: [Int] = []
        var raw = [Int32](repeating: -1, count: count)
        for i in 0..<count where !missing[i] {
            let key = valueBytes(i)
            if let c = index[key] { raw[i] = c } else {
                let c = Int32(firstRow.count)
                index[key] = c
                firstRow.append(i)
                raw[i] = c
            }
        }
        let order = firstRow.indices.sorted { valueBytes(firstRow[$0]).lexicographicallyPrecedes(valueBytes(firstRow[$1])) }
        var remap = [Int32](repeating: 0, count: order.count)
        for (newCode, old) in order.enumerated() { remap[old] = Int32(newCode) }
        let codes = raw.map { $0 < 0 ? -1 : remap[Int($0)] }
        return (codes, selecting(order.map { firstRow[$0] }))
    }

    /// For a column already sorted by value (register extracts usually are:
    /// one person's rows together, persons in id order), the codes of its
    /// runs and the run values, in O(n) without hashing; `nil` if some value
    /// is missing or a value is smaller than the one before it.
    ///
    /// The codes equal those of ``dictionaryEncoded()`` (levels sorted by
    /// their UTF-8 bytes) whenever this returns non-`nil`.
    ///
    /// Row `i` starts a run when it differs from row `i - 1`, a test of two neighbours, so the rows
    /// are split into parts tested on all cores (the serial loop was 0.1 s of the 1.5M panel and
    /// 0.4 s of the whole country's); each part then writes its codes from the runs before it.
    /// - Complexity: O(n) comparisons, spread over the cores.
    public func sortedRuns() -> (codes: [Int32], levels: TextColumn)? {
        if missing.contains(true) { return nil }
        let rowStarts = partStarts(count: count, minimumPart: 262_144)
        let parts = rowStarts.count - 1
        // Raw buffers and memcmp: a slice per row retained and released the byte buffer, and the
        // generic element-wise comparison was a fifth of the whole-country panel.
        let partRuns: [[Int]?] = bytes.withUnsafeBufferPointer { b in
            offsets.withUnsafeBufferPointer { o in
                let (b, o) = (UnsafeSendable(b), UnsafeSendable(o))
                return parallelMap(count: parts) { k in
                    var starts: [Int] = []
                    for i in rowStarts[k]..<rowStarts[k + 1] {
                        guard i > 0 else { starts.append(0); continue }
                        let order = Self.compare(b.value, o.value[i - 1]..<o.value[i], o.value[i]..<o.value[i + 1])
                        if order > 0 { return nil }
                        if order != 0 { starts.append(i) }
                    }
                    return starts
                }
            }
        }
        // A part that found a value smaller than the one before it: not sorted.
        let runStarts = partRuns.compactMap { $0 }
        guard runStarts.count == parts else { return nil }
        var runsBefore = [0]
        for part in runStarts { runsBefore.append(runsBefore[runsBefore.count - 1] + part.count) }
        let before = runsBefore
        let codes: [Int32] = parallelParts(starts: rowStarts) { k, out in
            var code = Int32(before[k]) - 1
            var next = 0
            let starts = runStarts[k]
            for i in 0..<out.count {
                if next < starts.count && starts[next] == rowStarts[k] + i {
                    code += 1
                    next += 1
                }
                out[i] = code
            }
        }
        return (codes, selecting(runStarts.flatMap { $0 }))
    }

    /// The byte-wise order of `bytes[a]` and `bytes[b]` (negative, zero or positive), a prefix first,
    /// as `lexicographicallyPrecedes` orders them.
    @inline(__always)
    private static func compare(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Int {
        let common = Swift.min(a.count, b.count)
        if common > 0, let base = bytes.baseAddress {
            let r = memcmp(base + a.lowerBound, base + b.lowerBound, common)
            if r != 0 { return Int(r) }
        }
        return a.count - b.count
    }
}

extension TextColumn {
    /// The index of the first value that is not valid UTF-8 (Latin-1 or Windows-1252 text, say),
    /// or nil. Decoding such a value would replace its bytes by U+FFFD and merge values that
    /// differ only there (two factor levels becoming one), so readers refuse it instead.
    /// Complexity: one pass over the bytes (eight at a time); values are decoded only when a byte is >= 0x80.
    public func firstInvalidUTF8() -> Int? {
        guard containsNonASCII(bytes.span) else { return nil }
        for i in 0..<count where !missing[i] {
            let slice = bytes[offsets[i]..<offsets[i + 1]]
            if slice.contains(where: { $0 >= 0x80 }) && String(validating: slice, as: UTF8.self) == nil { return i }
        }
        return nil
    }
}

/// A raw buffer handed to the concurrent tasks of ``TextColumn/sortedRuns()``, which only read it
/// while the array it points into is alive (inside its `withUnsafeBufferPointer`).
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: UnsafeBufferPointer<T>
    init(_ value: UnsafeBufferPointer<T>) { self.value = value }
}
