import Foundation
import _DiDKitParallel

extension TextColumn {
    /// A run-coded column of `count` values, value `r` being `piece(r)` (as for
    /// ``append(count:from:_:)``): a value is stored where a run of equal neighbouring values starts.
    ///
    /// For the CSV reader's chunks: each chunk codes its own rows (its runs are a ninth of a register's
    /// rows, in buffers the size of its runs), and ``concatenating(_:)`` joins the chunks' runs. Writing
    /// the runs into a whole-file buffer at each chunk's rows instead (as the sinks write numbers) would
    /// touch every page of it anyway: with transparent huge pages, one write per 2 MB faults in the page.
    /// - Complexity: O(count) comparisons of neighbouring values (`memcmp` on the source).
    init(runsOf count: Int, from source: Span<UInt8>, _ piece: (Int) -> Piece) {
        // Locals of the closure, not captured variables: an array captured and written per row paid Swift's
        // dynamic exclusivity check on every write (a tenth of the read).
        let (firsts, ends): ([Int], [Int]) = source.withUnsafeBufferPointer { src in
            guard count > 0 else { return ([], []) }
            var firsts = [0], ends: [Int] = []
            var previous = piece(0)
            for r in 1..<count {
                let current = piece(r)
                if !Self.same(previous, current, src) {
                    ends.append(r)
                    firsts.append(r)
                }
                previous = current
            }
            ends.append(count)
            return (firsts, ends)
        }
        var values = TextColumn()
        values.append(count: firsts.count, from: source) { piece(firsts[$0]) }
        self.init(unchecked: values.storedBytes, offsets: values.storedOffsets, missing: values.storedMissing, runEnds: ends)
    }

    /// Whether two pieces of `source` are the same value (both missing, or the same bytes). Ranges of the
    /// source (nearly every value) are compared eight bytes at a time: a `memcmp` call per row of a
    /// register's id cost more than the comparison.
    @inline(__always)
    private static func same(_ a: Piece, _ b: Piece, _ source: UnsafeBufferPointer<UInt8>) -> Bool {
        switch (a, b) {
        case (.missing, .missing): return true
        case (.missing, _), (_, .missing): return false
        case (.bytes(let x), .bytes(let y)):
            guard x.count == y.count else { return false }
            guard let base = source.baseAddress else { return true }
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i + 8 <= x.count {
                if raw.loadUnaligned(fromByteOffset: x.lowerBound + i, as: UInt64.self)
                    != raw.loadUnaligned(fromByteOffset: y.lowerBound + i, as: UInt64.self) { return false }
                i += 8
            }
            while i < x.count {
                if base[x.lowerBound + i] != base[y.lowerBound + i] { return false }
                i += 1
            }
            return true
        default:
            func bytes(_ p: Piece) -> [UInt8] {
                switch p {
                case .missing: return []
                case .bytes(let range): return Array(source[range])
                case .text(let value): return Array(value.utf8)
                }
            }
            return bytes(a) == bytes(b)
        }
    }

    /// Run-coded columns joined end to end, still run-coded: the runs of part `k` shifted by the rows and
    /// bytes before it, and a part's first run merged into the run before it when their values are equal
    /// (a person whose rows straddle two chunks), so that neighbouring runs always differ and a register's
    /// id stores one value per person. Each part is copied into place on all cores.
    /// - Precondition: every part is run-coded.
    /// - Complexity: O(stored values + bytes).
    static func joiningRuns(_ parts: [TextColumn]) -> TextColumn {
        // Whether each part's first value continues the last value of the parts before it.
        var merges = [Int](repeating: 0, count: parts.count)
        var last: (part: Int, value: Int)?
        for (k, part) in parts.enumerated() {
            precondition(part.runEnds != nil, "TextColumn.joiningRuns: a part is not run-coded")
            guard !part.storedMissing.isEmpty else { continue }
            if let (j, v) = last, part.storedMissing[0] == parts[j].storedMissing[v],
               part.storedValue(0) == parts[j].storedValue(v) { merges[k] = 1 }
            last = (k, part.storedMissing.count - 1)
        }
        var valueStarts = [0], byteStarts = [0], rowStarts = [0]
        for (k, part) in parts.enumerated() {
            let skippedBytes = merges[k] == 1 ? part.storedOffsets[1] : 0
            valueStarts.append(valueStarts[valueStarts.count - 1] + part.storedMissing.count - merges[k])
            byteStarts.append(byteStarts[byteStarts.count - 1] + part.storedBytes.count - skippedBytes)
            rowStarts.append(rowStarts[rowStarts.count - 1] + part.count)
        }
        let (values, byteBase, rowBase, skip) = (valueStarts, byteStarts, rowStarts, merges)
        let bytes: [UInt8] = parallelParts(starts: byteBase) { k, out in
            let part = parts[k]
            copy(part.storedBytes[part.storedOffsets[skip[k]]...], into: &out)
        }
        let missing: [Bool] = parallelParts(starts: values) { k, out in copy(parts[k].storedMissing[skip[k]...], into: &out) }
        var ends: [Int] = parallelParts(starts: values) { k, out in
            let partEnds = parts[k].runEnds ?? []
            for i in 0..<out.count { out[i] = partEnds[i + skip[k]] + rowBase[k] }
        }
        // A merged first run ends where the part's first run ends (in order: a part whose only run merged
        // hands the same run on to the next part).
        for k in parts.indices where merges[k] == 1 { ends[values[k] - 1] = (parts[k].runEnds?[0] ?? 0) + rowBase[k] }
        // The leading 0, then part k's value ends shifted by the bytes before it.
        let offsets: [Int] = parallelParts(starts: [0] + values.map { $0 + 1 }) { k, out in
            if k == 0 { out[0] = 0; return }
            let part = parts[k - 1]
            let shift = byteBase[k - 1] - part.storedOffsets[skip[k - 1]]
            for i in 0..<out.count { out[i] = part.storedOffsets[i + 1 + skip[k - 1]] + shift }
        }
        return TextColumn(unchecked: bytes, offsets: offsets, missing: missing, runEnds: ends)
    }

    /// Stored value `k`'s bytes.
    func storedValue(_ k: Int) -> ArraySlice<UInt8> { storedBytes[storedOffsets[k]..<storedOffsets[k + 1]] }

    /// Whether values (a sample: the first rows of each chunk) come in runs long enough for run coding to
    /// store less: at most one run per two rows (a run costs a run end, eight bytes, besides a value).
    static func prefersRuns(_ sample: [TextColumn]) -> Bool {
        var rows = 0, runs = 0
        for part in sample where part.count > 0 {
            rows += part.count
            runs += 1
            for i in 1..<part.count where part.isMissing(i) != part.isMissing(i - 1) || part.valueBytes(i) != part.valueBytes(i - 1) {
                runs += 1
            }
        }
        return rows > 0 && 2 * runs <= rows
    }
}
