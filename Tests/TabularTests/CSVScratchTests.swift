import Foundation
@testable import Tabular
import Testing

/// The reader's chunks reuse each other's buffers (``ScratchPool``): a chunk parsed into buffers full of
/// another chunk's values must give what it gives in fresh ones, whatever its fields.
@Suite struct CSVScratchTests {
    /// Every kind of numeric field the parse paths take (the eight-byte path, the digit loop, the general
    /// parser), missing in every spelling, an auto column that turns out to hold text, a quoted text
    /// column with a missing cell and an escaped quote, and a skipped column.
    static let text = """
        id,a,b,c,auto,skip,name
        1,12,-3.5,,4,x,"ann"
        2,,0.25,NA,five,y,
        3,-7,.,1e3,6,z,"b ""q"" c"
        4,123456789012,7.125,-0.5,,w,dan
        5,NA,-12,3.000000001,8,v,"e,f"
        6,.,1,,9,u,NA

        """

    static func parse(scratch: CSVReader.ChunkScratch?) -> CSVReader.ChunkResult {
        let bytes = Array(text.utf8)
        let start = bytes.firstIndex(of: UInt8(ascii: "\n"))! + 1
        let kinds: [ColumnKind] = [.numeric, .numeric, .numeric, .numeric, .numeric, .skip, .text]
        let auto = [false, false, false, false, true, false, false]
        return CSVReader.parseChunk(bytes.span, range: start..<bytes.count, kinds: kinds, autoColumns: auto, scratch: scratch)
    }

    @Test func aChunkParsedIntoAnotherChunksBuffersEqualsOneParsedIntoFreshBuffers() throws {
        let fresh = Self.parse(scratch: nil)
        #expect(fresh.problem == nil)
        #expect(fresh.rows == 6)
        #expect(fresh.autoIsNumeric[4] == false)
        // Buffers full of values no field holds, as a previous chunk would leave them.
        let scratch = CSVReader.ChunkScratch()
        scratch.numbers.give([Double](repeating: 987_654.25, count: 4096))
        scratch.bounds.give([Int](repeating: 3, count: 4096))
        let reused = Self.parse(scratch: scratch)
        #expect(reused.rows == fresh.rows)
        for j in 0..<7 {
            #expect(reused.numbers[j] == fresh.numbers[j], "column \(j)")
            #expect(reused.texts[j] == fresh.texts[j], "column \(j)")
        }
        #expect(reused.autoIsNumeric == fresh.autoIsNumeric)
        // The missing cells are missing, not the stale value.
        let b = try #require(reused.numbers[2])
        #expect(b[2].isNaN)
        let c = try #require(reused.numbers[3])
        #expect(c[0].isNaN && c[1].isNaN && c[5].isNaN)
        #expect(reused.texts[6][1] == nil && reused.texts[6][5] == nil && reused.texts[6][2] == "b \"q\" c")
        // The buffers went back to the pool: a later chunk can take them.
        #expect(scratch.numbers.take(count: 4096).count == 4096)
    }

    @Test func aNewBufferHasAnEighthToSpareAndAPooledOneTooSmallForAChunkIsDropped() {
        let pool = ScratchPool<Double>()
        // New buffers hold count + count / 8: 800 -> 900, 1,000 -> 1,125, 48 -> 54.
        let made = pool.take(count: 800)
        #expect(made.count == 900)
        pool.give([Double](repeating: 0, count: 100))
        pool.give(made)
        // A chunk a few rows longer than the one the buffer was made for still fits it.
        #expect(pool.take(count: 850).count == 900)
        // One longer than any pooled buffer gets a new one and drops the smallest (the 100) ...
        #expect(pool.take(count: 1_000).count == 1_125)
        // ... so the pool is empty now: a small request is served by a new buffer.
        #expect(pool.take(count: 48).count == 54)
    }
}
