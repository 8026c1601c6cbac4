import Foundation
import _DiDKitParallel

/// A column of text values stored as one contiguous UTF-8 byte buffer plus
/// offsets (as in Apache Arrow), so that millions of ids cost two allocations,
/// not one `String` each. Missing values (empty, `NA`, `.`) are flagged.
///
/// ## Run coding
/// A column may instead store one value per *run* of equal neighbouring rows (``isRunCoded``): a
/// register's person id, whose nine or so rows per person sit together, then costs its distinct
/// values plus one row index per run, not 17 bytes per row (0.9 GB at 54M person-years, and on a
/// machine where first touching memory costs about 3 s of CPU per GB, most of the whole-country
/// read's time after the parse). The CSV reader chooses it when its sample of a text column finds
/// runs (``CSVReader``); a column built by ``append(_:)`` or the public initialisers is one value
/// per row. Either way the column holds the same values: ``count``, ``subscript(_:)``,
/// ``valueBytes(_:)``, ``isMissing(_:)``, ``encoded()``, ``selecting(_:)`` and `==` do not depend on
/// the storage. ``bytes``, ``offsets`` and ``missing`` describe one value per row, so a run-coded
/// column builds them when asked (O(n) time and memory): hot paths use the methods instead.
public struct TextColumn: Sendable {
    /// The stored values' bytes, concatenated (one value per row, or one per run).
    private(set) var storedBytes: [UInt8]
    /// `storedOffsets[k]..<storedOffsets[k + 1]` are stored value `k`'s bytes.
    private(set) var storedOffsets: [Int]
    /// Whether stored value `k` is missing.
    private(set) var storedMissing: [Bool]
    /// `nil`: stored value `i` is row `i`'s. Otherwise stored value `k` is the value of rows
    /// `runEnds[k - 1] ..< runEnds[k]` (from row 0 for `k == 0`); every run holds at least one row
    /// (neighbouring runs may hold equal values; the reader's columns do not: ``joiningRuns(_:)`` merges them).
    private(set) var runEnds: [Int]?

    /// All values' bytes, concatenated, one value per row (built for a run-coded column).
    public var bytes: [UInt8] { runEnds == nil ? storedBytes : expandedPlain().storedBytes }
    /// `offsets[i]..<offsets[i + 1]` are the bytes of value `i`; `offsets.count == count + 1` (built for a run-coded column).
    public var offsets: [Int] { runEnds == nil ? storedOffsets : expandedPlain().storedOffsets }
    /// `missing[i]` is true when value `i` is missing (built for a run-coded column: ``isMissing(_:)`` reads one).
    public var missing: [Bool] { runEnds.map { expanded(storedMissing, runEnds: $0) } ?? storedMissing }

    public init() {
        storedBytes = []
        storedOffsets = [0]
        storedMissing = []
        runEnds = nil
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
    /// public initialiser without its pass over the offsets (the shape is still checked). With
    /// `runEnds`, the buffers hold one value per run (see the type's Run coding): the run ends must
    /// rise strictly from above 0, one per stored value (checked: O(runs)).
    init(unchecked bytes: [UInt8], offsets: [Int], missing: [Bool], runEnds: [Int]? = nil) {
        precondition(offsets.count == missing.count + 1 && offsets.first == 0 && offsets.last == bytes.count,
                     "TextColumn: offsets must run from 0 to bytes.count, one more than the values")
        if let ends = runEnds {
            precondition(ends.count == missing.count && (ends.first ?? 1) > 0 && zip(ends, ends.dropFirst()).allSatisfy { $0 < $1 },
                         "TextColumn: one run end per stored value, each above the one before")
        }
        storedBytes = bytes
        storedOffsets = offsets
        storedMissing = missing
        self.runEnds = runEnds
    }

    /// Number of values.
    public var count: Int { runEnds.map { $0.last ?? 0 } ?? storedMissing.count }

    /// Whether the column stores one value per run of equal neighbouring rows (the type's Run coding).
    public var isRunCoded: Bool { runEnds != nil }

    /// Whether value `i` is missing. O(1); O(log runs) for a run-coded column.
    public func isMissing(_ i: Int) -> Bool { storedMissing[stored(i)] }

    /// The stored value that holds row `i`: `i` itself, or its run (a binary search of the run ends).
    @inline(__always)
    private func stored(_ i: Int) -> Int {
        guard let ends = runEnds else { return i }
        precondition(i >= 0 && i < (ends.last ?? 0), "TextColumn: row \(i) out of range")
        var (lo, hi) = (0, ends.count - 1)
        while lo < hi {
            let mid = (lo + hi) / 2
            if ends[mid] > i { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Turns a run-coded column into one value per row before it is appended to.
    private mutating func makePlain() {
        if runEnds != nil { self = expandedPlain() }
    }

    /// Appends a value (`nil` for missing).
    public mutating func append(_ value: String?) {
        makePlain()
        if let v = value { storedBytes.append(contentsOf: v.utf8); storedMissing.append(false) } else { storedMissing.append(true) }
        storedOffsets.append(storedBytes.count)
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
        makePlain()
        storedOffsets.reserveCapacity(storedOffsets.count + count)
        storedMissing.reserveCapacity(storedMissing.count + count)
        var end = storedBytes.count
        for r in 0..<count {
            switch piece(r) {
            case .missing: storedMissing.append(true)
            case .bytes(let range): end += range.count; storedMissing.append(false)
            case .text(let value): end += value.utf8.count; storedMissing.append(false)
            }
            storedOffsets.append(end)
        }
        storedBytes.append(addingCapacity: end - storedBytes.count) { out in
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
        makePlain()
        let other = other.expandedPlain()
        let base = storedBytes.count
        storedBytes.append(contentsOf: other.storedBytes)
        storedOffsets.append(contentsOf: other.storedOffsets.dropFirst().map { $0 + base })
        storedMissing.append(contentsOf: other.storedMissing)
    }

    /// Joins columns end to end, the parts copied into place on all cores (``parallelParts(starts:fill:)``).
    /// Run-coded parts make a run-coded column (``joiningRuns(_:)``, O(stored values)); any other mix,
    /// one value per row.
    /// - Complexity: O(total bytes + total values).
    public static func concatenating(_ parts: [TextColumn]) -> TextColumn {
        if parts.count == 1 { return parts[0] }
        if !parts.isEmpty && parts.allSatisfy(\.isRunCoded) { return joiningRuns(parts) }
        let parts = parts.map { $0.expandedPlain() }
        var valueEnds = [0], byteEnds = [0]
        for p in parts {
            valueEnds.append(valueEnds[valueEnds.count - 1] + p.count)
            byteEnds.append(byteEnds[byteEnds.count - 1] + p.storedBytes.count)
        }
        let (valueStarts, byteStarts) = (valueEnds, byteEnds)
        let bytes: [UInt8] = parallelParts(starts: byteStarts) { k, out in copy(parts[k].storedBytes[...], into: &out) }
        let missing: [Bool] = parallelParts(starts: valueStarts) { k, out in copy(parts[k].storedMissing[...], into: &out) }
        // The leading 0, then part k's ends shifted by the bytes before it.
        let offsets: [Int] = parallelParts(starts: [0] + valueStarts.map { $0 + 1 }) { k, out in
            if k == 0 { out[0] = 0; return }
            let base = byteStarts[k - 1]
            parts[k - 1].storedOffsets.withUnsafeBufferPointer { o in
                for i in 0..<out.count { out[i] = o[i + 1] + base }
            }
        }
        return TextColumn(unchecked: bytes, offsets: offsets, missing: missing)
    }

    /// Value `i` as a `String`, or `nil` when missing.
    public subscript(i: Int) -> String? {
        let k = stored(i)
        if storedMissing[k] { return nil }
        return String(decoding: storedBytes[storedOffsets[k]..<storedOffsets[k + 1]], as: UTF8.self)
    }

    /// The bytes of value `i` (empty when missing).
    public func valueBytes(_ i: Int) -> ArraySlice<UInt8> {
        let k = stored(i)
        return storedBytes[storedOffsets[k]..<storedOffsets[k + 1]]
    }

    /// The values at the given row indices, one value per row. On a run-coded column each row's run is
    /// found from the previous row's (rows in increasing order, as a selection of a table's rows usually
    /// is, cost O(1) each), else by a binary search.
    public func selecting(_ rows: [Int]) -> TextColumn {
        var out = TextColumn()
        out.storedBytes.reserveCapacity(rows.count * 8)
        out.storedOffsets.reserveCapacity(rows.count + 1)
        out.storedMissing.reserveCapacity(rows.count)
        var k = 0
        for i in rows {
            if let ends = runEnds {
                precondition(i >= 0 && i < count, "TextColumn.selecting: row \(i) out of range")
                if !((k == 0 ? 0 : ends[k - 1]) <= i && i < ends[k]) {
                    k = ends[k] <= i && k + 1 < ends.count && i < ends[k + 1] ? k + 1 : stored(i)
                }
            } else {
                k = i
            }
            out.storedBytes.append(contentsOf: storedBytes[storedOffsets[k]..<storedOffsets[k + 1]])
            out.storedOffsets.append(out.storedBytes.count)
            out.storedMissing.append(storedMissing[k])
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
    /// A run-coded column codes its stored values (one per run), then gives each row its run's code.
    public func encoded() -> (codes: [Int32], levels: TextColumn) {
        if let ends = runEnds {
            let e = storedValues.encoded()
            return (expanded(e.codes, runEnds: ends), e.levels)
        }
        if let runs = sortedRuns() { return runs }
        var index: [ArraySlice<UInt8>: Int32] = [:]
        var firstRow: [Int] = []
        var raw = [Int32](repeating: -1, count: count)
        for i in 0..<count where !storedMissing[i] {
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
    ///
    /// A run-coded column compares its stored values only (one per run: a ninth of a register's rows).
    public func sortedRuns() -> (codes: [Int32], levels: TextColumn)? {
        if let ends = runEnds {
            guard let e = storedValues.sortedRuns() else { return nil }
            return (expanded(e.codes, runEnds: ends), e.levels)
        }
        if storedMissing.contains(true) { return nil }
        let rowStarts = partStarts(count: count, minimumPart: 262_144)
        let parts = rowStarts.count - 1
        // Raw buffers and memcmp: a slice per row retained and released the byte buffer, and the
        // generic element-wise comparison was a fifth of the whole-country panel.
        let partRuns: [[Int]?] = storedBytes.withUnsafeBufferPointer { b in
            storedOffsets.withUnsafeBufferPointer { o in
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
        // Every value starts a run (a run-coded column's stored values, one per person): the column is its own levels.
        let levels = runsBefore[runsBefore.count - 1] == count ? self : selecting(runStarts.flatMap { $0 })
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
        return (codes, levels)
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
        guard containsNonASCII(storedBytes.span) else { return nil }
        for k in storedMissing.indices where !storedMissing[k] {
            let slice = storedBytes[storedOffsets[k]..<storedOffsets[k + 1]]
            if slice.contains(where: { $0 >= 0x80 }) && String(validating: slice, as: UTF8.self) == nil {
                // A run's first row.
                return runEnds.map { k == 0 ? 0 : $0[k - 1] } ?? k
            }
        }
        return nil
    }
}

extension TextColumn {
    /// Calls `body(start, count)` for the rows whose value is missing, in row order: a run-coded column's
    /// missing runs, or each missing row. O(stored values), no allocation.
    func forEachMissingRange(_ body: (_ start: Int, _ count: Int) -> Void) {
        guard let first = storedMissing.firstIndex(of: true) else { return }
        for k in first..<storedMissing.count where storedMissing[k] {
            if let ends = runEnds {
                let start = k == 0 ? 0 : ends[k - 1]
                body(start, ends[k] - start)
            } else {
                body(k, 1)
            }
        }
    }
}

extension TextColumn: Equatable {
    /// Equal values in the same order, whatever the storage (one value per row or per run).
    public static func == (a: TextColumn, b: TextColumn) -> Bool {
        if a.runEnds == b.runEnds {
            return a.storedBytes == b.storedBytes && a.storedOffsets == b.storedOffsets && a.storedMissing == b.storedMissing
        }
        guard a.count == b.count else { return false }
        let (x, y) = (a.expandedPlain(), b.expandedPlain())
        return x.storedBytes == y.storedBytes && x.storedOffsets == y.storedOffsets && x.storedMissing == y.storedMissing
    }
}

extension TextColumn {
    /// The stored values as a column of one value per row (for a run-coded column, one row per run).
    var storedValues: TextColumn { TextColumn(unchecked: storedBytes, offsets: storedOffsets, missing: storedMissing) }

    /// The same values, one stored per row (`self` when it already is). O(n + bytes).
    func expandedPlain() -> TextColumn {
        guard let ends = runEnds else { return self }
        var bytes: [UInt8] = [], offsets = [0]
        // One reservation of the exact size (a reservation per run grew the buffer to each exact size in turn,
        // copying it every time).
        var total = 0, previous = 0
        for k in ends.indices {
            total += (storedOffsets[k + 1] - storedOffsets[k]) * (ends[k] - previous)
            previous = ends[k]
        }
        bytes.reserveCapacity(total)
        offsets.reserveCapacity(count + 1)
        var start = 0
        for k in ends.indices {
            let value = storedBytes[storedOffsets[k]..<storedOffsets[k + 1]]
            for _ in start..<ends[k] {
                bytes.append(contentsOf: value)
                offsets.append(bytes.count)
            }
            start = ends[k]
        }
        return TextColumn(unchecked: bytes, offsets: offsets, missing: expanded(storedMissing, runEnds: ends))
    }
}

/// `perRun[k]` written over run `k`'s rows (`runEnds` as ``TextColumn``'s: rows `runEnds[k - 1] ..< runEnds[k]`),
/// the runs split into parts written on all cores.
/// - Complexity: O(rows).
func expanded<T: BitwiseCopyable & Sendable>(_ perRun: [T], runEnds ends: [Int]) -> [T] {
    precondition(perRun.count == ends.count, "expanded(_:runEnds:): one value per run")
    guard let rows = ends.last else { return [] }
    let runStarts = partStarts(count: ends.count, minimumPart: 65_536)
    let rowStarts = runStarts.map { $0 == 0 ? 0 : ends[$0 - 1] }
    precondition(rowStarts.last == rows)
    return parallelParts(starts: rowStarts) { p, out in
        var at = 0
        for k in runStarts[p]..<runStarts[p + 1] {
            let value = perRun[k]
            let stop = ends[k] - rowStarts[p]
            while at < stop { out[at] = value; at += 1 }
        }
    }
}

/// A raw buffer handed to the concurrent tasks of ``TextColumn/sortedRuns()``, which only read it
/// while the array it points into is alive (inside its `withUnsafeBufferPointer`).
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: UnsafeBufferPointer<T>
    init(_ value: UnsafeBufferPointer<T>) { self.value = value }
}
