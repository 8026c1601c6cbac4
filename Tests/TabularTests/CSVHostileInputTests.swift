import Foundation
import Tabular
import Testing

@Suite("CSV reader: hostile inputs")
struct CSVHostileInputTests {
    /// Rows with a stray quote inside an unquoted field, and later quoted fields holding a comma
    /// and a line end (a split by raw quote parity would cut inside those): enough rows to pass
    /// the 4 MB single-chunk threshold (CSVReader.splitIntoChunks).
    func strayQuoteFile(rows: Int) -> String {
        var s = "id,name,x\n"
        for i in 0..<rows {
            let name = i == 10 ? "O\"Brien" : (i % 1000 == 999 ? "\"Smith,\nJ\"" : "name\(i)")
            s += "\(i),\(name),\(i % 97)\n"
        }
        return s
    }

    @Test("a stray quote in an unquoted field reads the same in a large file as in a small one")
    func strayQuoteAtAnySize() throws {
        let small = try csv(strayQuoteFile(rows: 50), kinds: ["id": .text, "name": .text])
        #expect(try small.text("name")[10] == "O\"Brien")
        let bigText = strayQuoteFile(rows: 300_000)
        #expect(bigText.utf8.count > 4 << 20)
        let big = try csv(bigText, kinds: ["id": .text, "name": .text])
        #expect(big.rowCount == 300_000)
        #expect(try big.text("name")[10] == "O\"Brien")
        #expect(try big.text("name")[999] == "Smith,\nJ")
        #expect(try big.numeric("x")[299_999] == Double(299_999 % 97))
    }

    @Test("semicolon and tab files, UTF-16 and Latin-1 text get a sentence about the delimiter or the encoding")
    func delimiterAndEncoding() throws {
        #expect(throws: DataError.wrongDelimiter(path: "test.csv", delimiter: "semicolon")) { _ = try csv("id;x\n1;2,5\n", kinds: ["x": .numeric]) }
        #expect(throws: DataError.wrongDelimiter(path: "test.csv", delimiter: "tab")) { _ = try csv("id\tx\n1\t2\n", kinds: ["x": .numeric]) }
        // Also when no column is named (`didkit read`), instead of one column called 'id;x' or 'id|x'.
        #expect(throws: DataError.wrongDelimiter(path: "s.csv", delimiter: "semicolon")) {
            _ = try CSVReader.read(bytes: Array("id;x\n1;2,5\n".utf8), source: "s.csv", kinds: [:], defaultKind: .auto)
        }
        #expect(throws: DataError.wrongDelimiter(path: "p.csv", delimiter: "pipe")) {
            _ = try CSVReader.read(bytes: Array("id|x\n1|2\n".utf8), source: "p.csv", kinds: [:], defaultKind: .auto)
        }
        // A one-column comma file is still read.
        #expect(try CSVReader.read(bytes: Array("id\n1\n2\n".utf8), source: "o.csv", kinds: [:], defaultKind: .auto).rowCount == 2)
        let utf16: [UInt8] = [0xFF, 0xFE] + "id,x\n".utf16.flatMap { (u: UInt16) -> [UInt8] in [UInt8(u & 0xFF), UInt8(u >> 8)] }
        #expect(throws: DataError.unsupportedEncoding(path: "t.csv", encoding: "UTF-16")) {
            _ = try CSVReader.read(bytes: utf16, source: "t.csv", kinds: [:], defaultKind: .auto)
        }
        // "Århus" and "Ærø" in Latin-1: one byte each for Å and Æ, invalid as UTF-8; decoding would
        // turn both first letters into U+FFFD.
        let latin1: [UInt8] = Array("id,muni\n1,".utf8) + [0xC5] + Array("rhus\n2,".utf8) + [0xC6] + Array("r\u{00F8}\n".utf8)
        #expect(throws: DataError.notUTF8(column: "muni", row: 2)) {
            _ = try CSVReader.read(bytes: latin1, source: "t.csv", kinds: ["muni": .text], defaultKind: .auto)
        }
    }
}
