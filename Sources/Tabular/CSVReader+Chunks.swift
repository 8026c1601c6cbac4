import Foundation
import _DiDKitParallel

extension CSVReader {
    /// Bytes per chunk on large inputs: small enough that a chunk's flat `Double` buffer (eight bytes per
    /// numeric field, about three times the chunk's bytes on a register) stays in the processor's cache
    /// between the parse that writes it and the narrowing into the sinks that reads it, large enough that
    /// the per-chunk set-up (a 100-row sample, a result, a run-coded part) is negligible. At 8 MB the buffer
    /// was about 25 MB per core and went out to memory and back: the 6M register's read took 10.4 and 14.5 s
    /// (user 14.3 and 17.1 s) against 8.1 and 8.6 s (user 10.4 and 10.7 s) at 1 MB, and the 1.5M register's
    /// 2.0-2.6 s against 1.5-1.7 s; 512 KB and 2 MB were within noise of 1 MB (Docs/Benchmarks.md, session 21).
    static let chunkBytes = 1 << 20

    /// Splits `bytes[from...]` into chunks that each end at a line end outside
    /// quotes: one chunk under 4 MB, otherwise about `max(4 x cores, size / 1 MB)` (at most 4,096).
    ///
    /// Both passes run in parallel (a serial scan of a 4 GB register took
    /// seconds): the first counts the quotes in equal byte ranges, which gives
    /// whether each range starts inside quotes; the second moves every range's
    /// start to just after the first line end outside quotes.
    /// - Parameter forcedChunks: split into this many ranges at any size (fuzzing and tests).
    static func splitIntoChunks(_ bytes: Span<UInt8>, from: Int, forcedChunks: Int? = nil) -> [Range<Int>] {
        let n = bytes.count
        let size = n - from
        if let forced = forcedChunks, size > forced, forced > 1 { return split(bytes, from: from, into: forced) }
        if size < (4 << 20) { return [from..<n] }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return split(bytes, from: from, into: Swift.min(4096, Swift.max(cores * 4, size / chunkBytes)))
    }

    static func split(_ bytes: Span<UInt8>, from: Int, into wanted: Int) -> [Range<Int>] {
        let n = bytes.count
        let size = n - from
        let starts = (0..<wanted).map { from + Int((Int64(size) * Int64($0)) / Int64(wanted)) }
        let ends = Array(starts.dropFirst()) + [n]
        let quoteParity: [Bool] = parallelMap(count: wanted) { k in
            let quote = UInt8(ascii: "\"")
            return countBytes(bytes.extracting(starts[k]..<ends[k]), equalTo: quote, or: quote) & 1 == 1
        }
        var parity = [Bool](repeating: false, count: wanted)
        for k in 1..<wanted { parity[k] = parity[k - 1] != quoteParity[k - 1] }
        let inQuotesAtStart = parity
        let bounds: [Int] = parallelMap(count: wanted) { k in
            if k == 0 { return from }
            let s = bytes
            var inQuotes = inQuotesAtStart[k]
            var i = starts[k]
            // A line end is LF, CRLF or a lone CR; a chunk never starts between CR and LF.
            if s[i - 1] == UInt8(ascii: "\r") && s[i] == UInt8(ascii: "\n") { i += 1 }
            if !inQuotes && (s[i - 1] == UInt8(ascii: "\n") || s[i - 1] == UInt8(ascii: "\r")) { return i }
            while i < n {
                let b = s[i]
                if b == UInt8(ascii: "\"") {
                    inQuotes.toggle()
                } else if !inQuotes && (b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")) {
                    if b == UInt8(ascii: "\r") && i + 1 < n && s[i + 1] == UInt8(ascii: "\n") { i += 1 }
                    return i + 1
                }
                i += 1
            }
            return n
        }
        var ranges: [Range<Int>] = []
        var lower = from
        for b in bounds.dropFirst() + [n] where b > lower {
            ranges.append(lower..<b)
            lower = b
        }
        return ranges.isEmpty ? [from..<n] : ranges
    }
}
