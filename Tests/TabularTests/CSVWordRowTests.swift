@_spi(Testing) @testable import Tabular
import Testing

/// Plain rows are read by words (their separators first, then their fields from known bounds:
/// CSVReader+Rows.swift); every other row by the field scan. The two must read every file alike: the
/// same values, storage forms, text bytes and the same error, whole or split.
@Suite("CSV reader, plain rows read by words")
struct CSVWordRowTests {
    /// Number fields of every shape the two paths treat differently: integers of 1 to 16 digits, `-0`,
    /// decimals with 7 and 8 fraction digits, a point without digits on one side, an exponent, a plus
    /// sign, spaces and quotes around a number, the missing tokens, and (rarely) a non-number.
    static let numberFields = ["0", "7", "-7", "42", "1234567", "12345678", "-12345678", "123456789012345",
                               "1234567890123456", "-0", "2.5", "-.5", ".5", "5.", "0.1234567", "0.12345678", "-3.25",
                               "1e3", "+4", " 5", "6 ", "\"8\"", "", "NA", ".", "-", "1.2.3"]
    static let textFields = ["p1", "p22", "", "NA", ".", "a b", "\"q,\"\"x\"\"\"", " lead", "trail ", "\"line\nbreak\"", "x"]
    static let lineEnds = ["\n", "\r\n", "\r"]

    /// A file of `rows` rows: `id` text, `a` and `b` numeric, `c` auto, `s` skipped; one line-end style
    /// or a mix, blank lines, a last row with or without its line end, and with `faults` a rare
    /// non-number, a short row or a long one.
    static func file(_ rng: inout MMIXGenerator, rows: Int, faults: Bool) -> [UInt8] {
        let style = Int(rng.next(below: 4))
        func lineEnd() -> String { lineEnds[style < 3 ? style : Int(rng.next(below: 3))] }
        func pick(_ list: [String]) -> String { list[Int(rng.next(below: UInt64(list.count)))] }
        // Mostly the register's plain integers, so that most rows take the word path.
        func number() -> String {
            if faults && rng.next(below: 400) == 0 { return "abc" }
            return rng.next(below: 3) == 0 ? pick(numberFields.filter { $0 != "-" && $0 != "1.2.3" }) : String(rng.next(below: 300))
        }
        var s = "id,a,b,c,s" + lineEnd()
        for r in 0..<rows {
            var fields = [rng.next(below: 5) == 0 ? pick(textFields) : "p\(r)", number(), number(),
                          rng.next(below: 50) == 0 ? pick(numberFields) : String(rng.next(below: 9)), pick(textFields)]
            if faults && rng.next(below: 500) == 0 { fields.removeLast() }
            if faults && rng.next(below: 500) == 0 { fields.append("9") }
            s += fields.joined(separator: ",")
            if r + 1 < rows || rng.next(below: 2) == 0 { s += lineEnd() }
            if rng.next(below: 40) == 0 { s += lineEnd() }
        }
        return Array(s.utf8)
    }

    static func read(_ bytes: [UInt8], chunks: Int, wordRows: Bool) -> Result<Table, any Error> {
        Result {
            try CSVReader.read(bytes: bytes, source: "rows.csv", kinds: ["id": .text, "a": .numeric, "b": .numeric, "s": .skip],
                               splittingInto: chunks, wordRows: wordRows)
        }
    }

    @Test("files of every field shape read alike by words and by the field scan: values, forms, text bytes, errors")
    func wordRowsEqualTheFieldScan() throws {
        var rng = MMIXGenerator(seed: 2026)
        var tables = 0, errors = 0
        for k in 0..<240 {
            let bytes = Self.file(&rng, rows: 1 + Int(rng.next(below: 400)), faults: k % 3 == 2)
            for chunks in [1, 3] {
                switch (Self.read(bytes, chunks: chunks, wordRows: true), Self.read(bytes, chunks: chunks, wordRows: false)) {
                case (.success(let words), .success(let scan)):
                    try CSVSinkTests.expectSame(words, scan)
                    tables += 1
                case (.failure(let a), .failure(let b)):
                    #expect("\(a)" == "\(b)", "file \(k), \(chunks) chunks")
                    errors += 1
                case (let words, let scan):
                    Issue.record("file \(k), \(chunks) chunks: by words \(words), by the field scan \(scan)")
                }
            }
        }
        // Both outcomes were exercised (the faulty files mostly fail, the others mostly read).
        #expect(tables > 200 && errors > 20, "\(tables) tables, \(errors) errors")
    }

    @Test("single digits read by words leave the storage form to the column's other values, wherever the wide value is")
    func digitsLeaveTheFormToTheOtherValues() throws {
        // Column `a` holds only digits (1 byte a value); `b` one 300 (2 bytes), `c` one -200 (2 bytes, by the
        // general parser), `d` one 70000 (4 bytes): at the first, a middle and the last row, whole and split.
        for at in [0, 57, 119] {
            var text = "a,b,c,d\n"
            for r in 0..<120 {
                let digit = String(r % 10)
                text += [digit, r == at ? "300" : digit, r == at ? "-200" : digit, r == at ? "70000" : digit].joined(separator: ",") + "\n"
            }
            for chunks in [1, 3] {
                let words = try CSVReader.read(bytes: Array(text.utf8), splittingInto: chunks, wordRows: true)
                let scan = try CSVReader.read(bytes: Array(text.utf8), splittingInto: chunks, wordRows: false)
                try CSVSinkTests.expectSame(words, scan)
                let widths = try ["a", "b", "c", "d"].map { try words.numeric($0).bytesPerValue }
                #expect(widths == [1, 2, 2, 4], "wide value at row \(at), \(chunks) chunks")
                #expect(try words.numeric("a")[9] == 9 && words.numeric("d")[at] == 70_000)
            }
        }
    }

    @Test("a plain row's field ends and next row are found by words; rows with quotes, spaces or another field count are declined")
    func plainFieldEnds() {
        func ends(_ text: String, columns: Int, pad: String = "xxxxxxxx") -> ([Int], Int?) {
            let bytes = Array((text + pad).utf8)  // room for the last word
            var out = [Int](repeating: -1, count: columns)
            var span = out.mutableSpan
            let next = CSVReader.plainFieldEnds(bytes.span, from: 0, limit: bytes.count, columns: columns, into: &span)
            return (out, next)
        }
        #expect(ends("12,3,456789012,7\nx", columns: 4) == ([2, 4, 14, 16], 17))
        #expect(ends("1,,3\r\nx", columns: 3) == ([1, 2, 4], 6))
        #expect(ends("1,2\rx", columns: 2) == ([1, 3], 4))
        #expect(ends("1,2,3\n", columns: 2).1 == nil)       // a field too many
        #expect(ends("1\n", columns: 2).1 == nil)           // a field short
        #expect(ends("1,\"2\"\n", columns: 2).1 == nil)     // a quote
        #expect(ends("1, 2\n", columns: 2).1 == nil)        // a space
        #expect(ends("1,2,", columns: 2, pad: "").1 == nil)  // no line end within the words that fit
    }
}
