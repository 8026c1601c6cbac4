import Foundation
@_spi(Testing) @testable import Tabular
import Testing

/// A split file's chunks write their columns in place (``NumericSink``, ``TextSink``), in the storage
/// forms and byte regions the sample of every chunk's first rows suggests. Whatever the sample missed (a
/// wider number, a longer id, text in an auto column, blank lines that leave a chunk short of its row
/// bound, CRLF or CR line ends), the table must equal the same bytes parsed as one chunk, which writes no
/// sink: the same values, the same storage forms, the same text bytes.
@Suite struct CSVSinkTests {
    /// Rows per chunk well beyond the sample's 100 (``CSVReader/sampleRows``), so that values after row
    /// 100 of a chunk are seen only by the full parse.
    static let rows = 3_000
    static let chunks = 5

    /// The register-like file: `id` text (long ids only after the sample rows of the fourth chunk, far
    /// beyond its byte region), `name` quoted text with escaped quotes and missing cells, `small` 0/1
    /// until a 1000 late in the third chunk (Int8 to Int16), `wide` 0...99 until 70,000 late in the last
    /// chunk (to Int32), `decimal` integers until a late 2.5 (to Double), `year` Int16 throughout,
    /// `auto` numeric in the sample and text late (read again as text), `blank` always missing.
    static func file(lineEnd: String, blankLines: Bool) -> [UInt8] {
        var s = "id,name,small,wide,decimal,year,auto,blank" + lineEnd
        let perChunk = rows / chunks
        for i in 0..<rows {
            let (chunk, local) = (i / perChunk, i % perChunk)
            let id = chunk == 3 && (300..<350).contains(local) ? String(repeating: "L", count: 300) + "\(i)" : "p\(i)"
            let name = i % 11 == 0 ? "NA" : (i % 7 == 0 ? "\"say \"\"\(i)\"\"\"" : "\"n,\(i % 5)\"")
            let small = chunk == 2 && local == 450 ? "1000" : "\(i % 2)"
            let wide = chunk == 4 && local == 500 ? "70000" : "\(i % 100)"
            let decimal = chunk == 1 && local == 200 ? "2.5" : "\(i % 3)"
            let auto = chunk == 3 && local == 555 ? "x\(i)" : "\(i % 4)"
            s += "\(id),\(name),\(small),\(wide),\(decimal),\(2000 + i % 300),\(auto)," + lineEnd
            if blankLines && local % 97 == 13 { s += lineEnd }
        }
        return Array(s.utf8)
    }

    /// The file read with `id` declared text, or left auto (text from the sample on: ids as `didkit attgt`
    /// reads them).
    static func read(_ bytes: [UInt8], chunks: Int?, idKind: ColumnKind = .text) throws -> Table {
        let kinds: [String: ColumnKind] = ["id": idKind, "name": .text, "small": .numeric, "wide": .numeric,
                                           "decimal": .numeric, "year": .numeric, "blank": .numeric]
        if let chunks {
            return try CSVReader.read(bytes: bytes, source: "sinks.csv", kinds: kinds, splittingInto: chunks)
        }
        return try CSVReader.read(bytes: bytes, source: "sinks.csv", kinds: kinds)
    }

    /// The split table equals the one-chunk table in values, storage forms and text bytes.
    static func expectSame(_ split: Table, _ whole: Table) throws {
        #expect(split == whole)
        #expect(split.columnNames == whole.columnNames)
        for name in whole.columnNames {
            switch (try split.column(name), try whole.column(name)) {
            case (.numeric(let a), .numeric(let b)):
                #expect(a.bytesPerValue == b.bytesPerValue, "\(name): \(a.bytesPerValue) against \(b.bytesPerValue) bytes")
            case (.text(let a), .text(let b)):
                #expect(a.bytes == b.bytes && a.offsets == b.offsets && a.missing == b.missing, "\(name)")
            default:
                Issue.record("\(name): a numeric column in one table and a text column in the other")
            }
        }
    }

    @Test(arguments: [("\n", false), ("\n", true), ("\r\n", false), ("\r\n", true), ("\r", true)])
    func aSplitFileEqualsOneChunkWhateverTheSampleMissed(lineEnd: String, blankLines: Bool) throws {
        let bytes = Self.file(lineEnd: lineEnd, blankLines: blankLines)
        let whole = try Self.read(bytes, chunks: nil)
        let split = try Self.read(bytes, chunks: Self.chunks)
        try Self.expectSame(split, whole)
        // What the one-chunk parse itself must hold (from the file's definition above).
        #expect(whole.rowCount == Self.rows)
        #expect(try whole.numeric("small").bytesPerValue == 2 && whole.numeric("wide").bytesPerValue == 4)
        #expect(try whole.numeric("decimal").bytesPerValue == 8 && whole.numeric("year").bytesPerValue == 2)
        #expect(try whole.text("auto")[3 * 600 + 555] == "x\(3 * 600 + 555)")
        #expect(try whole.text("id")[3 * 600 + 320] == String(repeating: "L", count: 300) + "\(3 * 600 + 320)")
        #expect(try whole.text("name")[0] == nil && whole.text("name")[7] == "say \"7\"")
    }

    @Test func aSplitFileEqualsOneChunkAtEveryChunkCount() throws {
        let bytes = Self.file(lineEnd: "\n", blankLines: true)
        let whole = try Self.read(bytes, chunks: nil)
        for chunks in [2, 3, 7, 16, 64] { try Self.expectSame(try Self.read(bytes, chunks: chunks), whole) }
        let autoID = try Self.read(bytes, chunks: nil, idKind: .auto)
        try Self.expectSame(autoID, whole)
        for chunks in [2, 5, 16] { try Self.expectSame(try Self.read(bytes, chunks: chunks, idKind: .auto), autoID) }
    }

    @Test func columnsBeyondTheSinkLimitAreJoinedFromPartsAndEqualOneChunk() throws {
        // More numeric columns than `maxSinkArrays`: the last ones take the per-chunk parts.
        let columns = CSVReader.maxSinkArrays + 20
        var s = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<600 { s += (0..<columns).map { j in i == 550 && j == columns - 1 ? "300" : "\((i + j) % 7)" }.joined(separator: ",") + "\n" }
        let bytes = Array(s.utf8)
        let whole = try CSVReader.read(bytes: bytes, source: "wide.csv", defaultKind: .numeric)
        try Self.expectSame(try CSVReader.read(bytes: bytes, source: "wide.csv", defaultKind: .numeric, splittingInto: 3), whole)
        #expect(try whole.numeric("c\(columns - 1)").bytesPerValue == 2)
    }

    @Test func aProblemInAChunkIsReportedWithItsFileRowAsWithoutSinks() throws {
        var bytes = Self.file(lineEnd: "\n", blankLines: false)
        bytes += Array("q,n,1,oops,2,2001,3,\n".utf8)
        // Row 1 is the header: the appended row is file row rows + 2.
        let expected = DataError.nonNumeric(column: "wide", row: Self.rows + 2, value: "oops")
        #expect(throws: expected) { _ = try Self.read(bytes, chunks: nil) }
        #expect(throws: expected) { _ = try Self.read(bytes, chunks: Self.chunks) }
    }

    @Test func theRowBoundCountsEveryLineEndOnceAndTheUnterminatedLastLine() {
        for (text, bound) in [("a\nb\n", 2), ("a\nb", 2), ("a\r\nb\r\n", 2), ("a\rb\r\nc", 3), ("a\n\nb\n", 3), ("", 0), ("\r", 1)] {
            let bytes = Array(text.utf8)
            #expect(CSVReader.rowBound(bytes.span, 0..<bytes.count) == bound, "\(text.debugDescription)")
        }
    }

    @Test func arraysNotKeptAreEmptyAndKeptOnesHoldWhatWasWritten() throws {
        let arrays = try withUninitializedArrays([(.int8, 4), (.offsets, 3), (.double, 0)]) { bases in
            let a = bases[0]!.assumingMemoryBound(to: Int8.self)
            for i in 0..<4 { a[i] = Int8(i) }
            return [4, 0, 0]
        }
        guard case .int8(let a) = arrays[0], case .offsets(let o) = arrays[1], case .double(let d) = arrays[2] else {
            Issue.record("the arrays come back in the order and types asked for"); return
        }
        #expect(a == [0, 1, 2, 3] && o.isEmpty && d.isEmpty)
    }
}
