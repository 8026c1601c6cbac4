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

    /// Run-coded columns joined end to end, still run-coded (the runs of part `k` shifted by the rows and
    /// bytes before it; runs that meet at a join are not merged), each part copied into place on all cores.
    /// O(stored values + bytes).
    /// - Precondition: every part is run-coded.
    static func joiningRuns(_ parts: [TextColumn]) -> TextColumn {
        var valueStarts = [0], byteStarts = [0], rowStarts = [0]
        for part in parts {
            precondition(part.runEnds != nil, "TextColumn.joiningRuns: a part is not run-coded")
            valueStarts.append(valueStarts[valueStarts.count - 1] + part.storedMissing.count)
            byteStarts.append(byteStarts[byteStarts.count - 1] + part.storedBytes.count)
            rowStarts.append(rowStarts[rowStarts.count - 1] + part.count)
        }
        let (values, byteBase, rowBase) = (valueStarts, byteStarts, rowStarts)
        let bytes: [UInt8] = parallelParts(starts: byteBase) { k, out in copy(parts[k].storedBytes[...], into: &out) }
        let missing: [Bool] = parallelParts(starts: values) { k, out in copy(parts[k].storedMissing[...], into: &out) }
        let ends: [Int] = parallelParts(starts: values) { k, out in
            let partEnds = parts[k].runEnds ?? []
            for i in 0..<out.count { out[i] = partEnds[i] + rowBase[k] }
        }
        // The leading 0, then part k's value ends shifted by the bytes before it.
        let offsets: [Int] = parallelParts(starts: [0] + values.map { $0 + 1 }) { k, out in
            if k == 0 { out[0] = 0; return }
            let partOffsets = parts[k - 1].storedOffsets
            for i in 0..<out.count { out[i] = partOffsets[i + 1] + byteBase[k - 1] }
        }
        return TextColumn(unchecked: bytes, offsets: offsets, missing: missing, runEnds: ends)
    }

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
