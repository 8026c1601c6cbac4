import Foundation
@testable import Tabular
import Testing

@Suite("CSV reader, mapped files")
struct MappedFileTests {
    /// Writes `text` to a fresh temporary file and returns its path.
    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-mapped-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a file read from its path, its pages released as the parse goes, equals the same bytes read from memory")
    func releasedPagesReadBack() throws {
        // Over 4 MB, so several chunks; `late` is text only in row 400,000, after its chunk was
        // parsed and released, so that column is read again from released pages (a bump).
        var s = "id,late,x\n"
        for i in 0..<500_000 { s += "p\(i),\(i == 400_000 ? "x7" : String(i % 9)),\(Double(i % 977) / 8)\n" }
        let path = try temporaryFile(s)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try CSVReader.read(path: path)
        let fromMemory = try CSVReader.read(bytes: Array(s.utf8))
        #expect(fromFile == fromMemory)
        #expect(try fromFile.text("late")[400_000] == "x7" && fromFile.text("id")[499_999] == "p499999")
    }

    @Test("releasing a range keeps the mapping readable with the same bytes")
    func releaseKeepsBytes() throws {
        let text = String(repeating: "0123456789abcdef", count: 4096)  // 64 KB: 16 pages of 4 KB
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try MappedFile(path: path)
        file.release(0..<file.count)
        file.release(5..<70_000)   // unaligned and past the end: rounded inward, clamped
        let back = file.withSpan { span in (0..<span.count).map { span[$0] } }
        #expect(back == Array(text.utf8))
    }

    @Test("an empty file maps to no bytes and reads as an empty-file error")
    func emptyFile() throws {
        let path = try temporaryFile("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try MappedFile(path: path).count == 0)
        #expect(throws: DataError.emptyFile(path: path)) { _ = try CSVReader.read(path: path) }
    }
}

@Suite("Column missing values")
struct ColumnMissingTests {
    @Test("missing counts and the cleared rows equal a per-value isMissing scan in every storage form")
    func missingScan() {
        let columns: [Column] = [
            .numeric(NumericColumn(compacting: [1, .nan, 3, .nan])),          // Int8
            .numeric(NumericColumn(compacting: [1000, .nan, 3, 4])),          // Int16
            .numeric(NumericColumn(compacting: [100_000, 2, .nan, .nan])),    // Int32
            .numeric(NumericColumn(compacting: [0.5, .nan, .nan, .nan])),     // Double
            .numeric(NumericColumn(compacting: [1, 2, 3, 4])),                // none missing
            .text(TextColumn(["a", nil, "c", nil])),
        ]
        for column in columns {
            let expected = (0..<4).filter { column.isMissing($0) }
            #expect(column.missingCount == expected.count)
            var keep = [true, true, false, true]
            let counts = column.markMissing(clearing: &keep)
            #expect(counts.missing == expected.count && counts.cleared == expected.filter { $0 != 2 }.count)
            #expect(keep == (0..<4).map { $0 != 2 && !expected.contains($0) })
        }
    }
}
