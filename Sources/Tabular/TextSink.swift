import _DiDKitParallel

/// A text column's final storage, open for writing in place from many threads (as ``NumericSink``):
/// each chunk writes its values' missing flags and offsets at its own rows, and its bytes into its
/// own region of the byte buffer, sized from the sample's bytes per value with room to spare. A
/// chunk whose bytes outgrow its region keeps them in a part of its own (the reader then rebuilds the
/// byte buffer). Offsets are written relative to the chunk's first byte and shifted once every chunk
/// is done (``close(rows:rowStarts:rowsBefore:byteCounts:overflow:)``).
struct TextSink: @unchecked Sendable {
    let bytes: UnsafeMutablePointer<UInt8>?
    /// `offsets[i + 1]`: the end of value `i`'s bytes (`offsets[0]` is 0).
    let offsets: UnsafeMutablePointer<Int>?
    let missing: UnsafeMutablePointer<Bool>?
    /// Chunk `c` writes its bytes to `regionStarts[c] ..< regionStarts[c + 1]` when they fit.
    let regionStarts: [Int]

    init(bytes: UnsafeMutableRawPointer?, offsets: UnsafeMutableRawPointer?, missing: UnsafeMutableRawPointer?, regionStarts: [Int]) {
        self.bytes = bytes?.assumingMemoryBound(to: UInt8.self)
        self.offsets = offsets?.assumingMemoryBound(to: Int.self)
        self.missing = missing?.assumingMemoryBound(to: Bool.self)
        self.regionStarts = regionStarts
    }

    /// The byte capacity for the regions of chunks with these row bounds, given the sample's bytes
    /// per value: a quarter more than the estimate, plus a page per chunk.
    static func regionStarts(bounds: [Int], bytesPerValue: Double) -> [Int] {
        var starts = [0]
        for b in bounds {
            let room = Double(b) * bytesPerValue * 1.25 + 4096
            starts.append(starts[starts.count - 1] + Int(Swift.min(room, Double(Int.max >> 2))))
        }
        return starts
    }

    /// Writes chunk `chunk`'s `rows` values at rows `rowStart...`: `piece(r)` is value `r` (as for
    /// ``TextColumn/append(count:from:_:)``). Returns the chunk's byte count, and its bytes when they
    /// do not fit its region.
    func write(chunk: Int, rows: Int, rowStart: Int, from source: Span<UInt8>,
               _ piece: (Int) -> TextColumn.Piece) -> (count: Int, overflow: [UInt8]?) {
        guard let offsets, let missing else { return (0, nil) }
        var end = 0
        for r in 0..<rows {
            switch piece(r) {
            case .missing: missing[rowStart + r] = true
            case .bytes(let range): end += range.count; missing[rowStart + r] = false
            case .text(let value): end += value.utf8.count; missing[rowStart + r] = false
            }
            offsets[rowStart + r + 1] = end
        }
        let region = regionStarts[chunk]..<regionStarts[chunk + 1]
        if end <= region.count, let bytes {
            var at = region.lowerBound
            source.withUnsafeBufferPointer { src in
                for r in 0..<rows {
                    switch piece(r) {
                    case .missing: break
                    case .bytes(let range):
                        if let s = src.baseAddress { (bytes + at).update(from: s + range.lowerBound, count: range.count) }
                        at += range.count
                    case .text(let value):
                        for byte in value.utf8 { bytes[at] = byte; at += 1 }
                    }
                }
            }
            return (end, nil)
        }
        var part = TextColumn()
        part.append(count: rows, from: source, piece)
        return (end, part.bytes)
    }

    /// Closes the sink once every chunk is written: chunk `c`'s `rows[c]` values move from row
    /// `rowStarts[c]` to `rowsBefore[c]` (where a chunk held fewer rows than its bound), its offsets
    /// shift by the bytes before it, and its bytes (`byteCounts[c]`) move down behind the bytes before
    /// them, unless some chunk's bytes overflowed (`overflow[c]`), when the bytes are returned as a new
    /// buffer instead. Returns that buffer (`nil`: the sink's own holds them) and the total bytes.
    /// - Complexity: O(values + bytes); the moves in chunk order (a destination never overlaps bytes
    ///   or rows not yet moved), the shifts on all cores.
    func close(rows: [Int], rowStarts: [Int], rowsBefore: [Int], byteCounts: [Int], overflow: [[UInt8]?]) -> (bytes: [UInt8]?, total: Int) {
        guard let offsets, let missing else { return (nil, 0) }
        var byteStarts = [0]
        for n in byteCounts { byteStarts.append(byteStarts[byteStarts.count - 1] + n) }
        for c in rows.indices where rowStarts[c] != rowsBefore[c] && rows[c] > 0 {
            (offsets + rowsBefore[c] + 1).update(from: offsets + rowStarts[c] + 1, count: rows[c])
            (missing + rowsBefore[c]).update(from: missing + rowStarts[c], count: rows[c])
        }
        offsets[0] = 0
        let me = self, starts = byteStarts
        _ = parallelMap(count: rows.count) { c in
            let o = me.offsets! + rowsBefore[c] + 1
            for r in 0..<rows[c] { o[r] += starts[c] }
        }
        let total = byteStarts[byteStarts.count - 1]
        if overflow.allSatisfy({ $0 == nil }) {
            if let bytes {
                for c in rows.indices where byteCounts[c] > 0 && regionStarts[c] != byteStarts[c] {
                    (bytes + byteStarts[c]).update(from: bytes + regionStarts[c], count: byteCounts[c])
                }
            }
            return (nil, total)
        }
        let joined: [UInt8] = parallelParts(starts: byteStarts) { c, out in
            if let part = overflow[c] { copy(part[...], into: &out) } else if let b = me.bytes {
                copy(UnsafeBufferPointer(start: b + me.regionStarts[c], count: out.count), into: &out)
            }
        }
        return (joined, total)
    }
}
