import Foundation
@testable import Tabular
import Testing

/// The reader's eight-bytes-at-a-time paths (CSVReader+Words.swift) against byte loops and
/// against the field-by-field scan they shortcut.
@Suite("CSV reader, word-at-a-time paths")
struct CSVReaderWordTests {
    /// Bytes around the digit range and the bytes whose `+ 6` carries out of the lane.
    static let edgeBytes: [UInt8] = [0x00, 0x2C, 0x2F, 0x30, 0x31, 0x35, 0x39, 0x3A, 0x0A, 0x0D, 0x22, 0x2E, 0x2D,
                                     0x7F, 0x80, 0xC3, 0xF9, 0xFA, 0xFF]

    @Test("the digit count and value of a word equal a byte loop's, at every digit count and edge byte")
    func digitWords() {
        var rng = MMIXGenerator(seed: 11)
        var mismatches: [[UInt8]] = []
        for _ in 0..<100_000 {
            // A run of 0-8 digits, then edge bytes (or more digits).
            let run = Int(rng.next(below: 9))
            var b = (0..<8).map { _ in Self.edgeBytes[Int(rng.next(below: UInt64(Self.edgeBytes.count)))] }
            for k in 0..<run { b[k] = 0x30 + UInt8(rng.next(below: 10)) }
            let w = b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            let expectedCount = b.firstIndex { !(0x30...0x39).contains($0) } ?? 8
            let expectedValue = b[..<expectedCount].reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
            if CSVReader.leadingDigitCount(w) != expectedCount
                || (expectedCount > 0 && CSVReader.digitsValue(w, count: expectedCount) != expectedValue) {
                mismatches.append(b)
            }
        }
        #expect(mismatches.isEmpty, "first words that differ: \(mismatches.prefix(5))")
    }

    @Test("the below-comma word test equals a byte loop, for every byte in every lane and on random words")
    func belowCommaWords() {
        var mismatches: [UInt64] = []
        func check(_ w: UInt64) {
            let expected = (0..<8).contains { UInt8(truncatingIfNeeded: w >> UInt64(8 * $0)) < 0x2C }
            if CSVReader.anyByteBelowComma(w) != expected { mismatches.append(w) }
        }
        // Each byte value in each lane, the other lanes digits (no byte below the comma) or 0xFF.
        for lane in 0..<8 {
            for b in 0...255 {
                for fill: UInt64 in [0x3535_3535_3535_3535, 0xFFFF_FFFF_FFFF_FFFF, 0x2C2C_2C2C_2C2C_2C2C] {
                    let shift = UInt64(8 * lane)
                    check((fill & ~(0xFF << shift)) | (UInt64(b) << shift))
                }
            }
        }
        var rng = MMIXGenerator(seed: 12)
        for _ in 0..<100_000 {
            let b = (0..<8).map { _ in Self.edgeBytes[Int(rng.next(below: UInt64(Self.edgeBytes.count)))] }
            check(b.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) })
            check((0..<8).reduce(UInt64(0)) { w, k in w | rng.next(below: 256) << UInt64(8 * k) })
        }
        #expect(mismatches.isEmpty, "first words that differ: \(mismatches.prefix(5).map { String($0, radix: 16) })")
    }

    /// A random CSV of `rows` rows and `columns` columns: integers of 1-12 digits, decimals,
    /// negatives, empty and NA fields, quoted fields (with commas, quotes and line ends inside),
    /// padded fields, CRLF and LF line ends, and the last line with or without its line end.
    static func randomCSV(rows: Int, columns: Int, seed: UInt64) -> String {
        var rng = MMIXGenerator(seed: seed)
        var s = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<rows {
            let fields = (0..<columns).map { _ -> String in
                switch rng.next(below: 10) {
                case 0: return ""
                case 1: return "NA"
                case 2: return "\"q,\(rng.next(below: 100))\"\"\nx\""
                case 3: return " \(rng.next(below: 1000)) "
                case 4: return "-\(rng.next(below: 100_000))"
                case 5: return "\(rng.next(below: 10_000)).\(rng.next(below: 100))"
                default: return String(rng.next(below: [10, 1000, 10_000_000, 1_000_000_000_000][Int(rng.next(below: 4))]))
                }
            }
            s += fields.joined(separator: ",")
            if r < rows - 1 || rng.next(below: 2) == 0 { s += rng.next(below: 3) == 0 ? "\r\n" : "\n" }
        }
        return s
    }

    @Test("columns read with their neighbours skipped equal the same columns of a full read")
    func skippedNeighbours() throws {
        for seed in 1...40 as ClosedRange<UInt64> {
            let columns = 2 + Int(seed % 9)
            let text = Self.randomCSV(rows: 1 + Int(seed * 7 % 60), columns: columns, seed: seed)
            let all = try csv(text, defaultKind: .text)
            // Keep every column whose bit is set in a seeded mask (at least one), skip the others.
            var rng = MMIXGenerator(seed: seed &* 31)
            var kept = (0..<columns).filter { _ in rng.next(below: 2) == 0 }
            if kept.isEmpty { kept = [columns - 1] }
            let kinds = Dictionary(uniqueKeysWithValues: kept.map { ("c\($0)", ColumnKind.text) })
            let some = try csv(text, kinds: kinds, defaultKind: .skip)
            #expect(some.columnNames == kept.map { "c\($0)" }, "seed \(seed)")
            for name in some.columnNames { #expect(try some.text(name) == all.text(name), "seed \(seed), \(name)") }
        }
    }

    @Test("numeric columns read through the word paths equal strtod, with skipped neighbours")
    func numericWordPath() throws {
        var rng = MMIXGenerator(seed: 5)
        var s = "a,b,c,d\n"
        var expected: [[String]] = []
        for _ in 0..<5_000 {
            // Integers of every length from 1 to 16 digits (leading zeros too), signed or not, and
            // decimals with 0 to 9 digits on either side of the point, so that the word paths
            // (up to 7 digits a side) and the loops meet every boundary.
            let row = (0..<4).map { _ -> String in
                func digits(_ n: Int) -> String { (0..<n).map { _ in String(rng.next(below: 10)) }.joined() }
                let sign = rng.next(below: 3) == 0 ? "-" : ""
                if rng.next(below: 2) == 0 { return sign + digits(1 + Int(rng.next(below: 16))) }
                let whole = digits(Int(rng.next(below: 10))), fraction = digits(Int(rng.next(below: 10)))
                return sign + (whole.isEmpty && fraction.isEmpty ? "0" : whole) + "." + fraction
            }
            expected.append(row)
            s += row.joined(separator: ",") + "\n"
        }
        let t = try csv(s, kinds: ["a": .numeric, "c": .numeric], defaultKind: .skip)
        let a = try t.numeric("a"), c = try t.numeric("c")
        for (r, row) in expected.enumerated() {
            #expect(a[r].bitPattern == strtod(row[0], nil).bitPattern, "row \(r): \(row[0])")
            #expect(c[r].bitPattern == strtod(row[2], nil).bitPattern, "row \(r): \(row[2])")
        }
    }

    @Test("a decimal whose eight fraction digits end the input is read by the field scan, not past the end")
    func decimalAtEndOfInput() throws {
        // Found by the CSV fuzzer: the word path read the byte after eight fraction digits, one past
        // the input's end. The expected values are strtod's.
        for text in ["a\n1.12345678", "a\n-1.12345678", "a,b\n2,1.123456789", "a\n.12345678"] {
            let t = try csv(text)
            let last = String(text.split(separator: "\n").last!.split(separator: ",").last!)
            #expect(try t.numeric(t.columnNames.last!)[0].bitPattern == strtod(last, nil).bitPattern, "\(text)")
        }
    }

    @Test("a row that is short or long where columns are skipped is still a ragged row with its count")
    func raggedWithSkips() {
        let short = "a,b,c,d\n1,2,3,4\n5,6\n"
        let long = "a,b,c,d\n1,2,3,4\n5,6,7,8,9\n"
        for kinds in [["a": ColumnKind.numeric], ["b": .numeric], ["d": .numeric]] {
            #expect(throws: DataError.raggedRow(path: "test.csv", row: 3, expected: 4, found: 2)) { _ = try csv(short, kinds: kinds, defaultKind: .skip) }
            #expect(throws: DataError.raggedRow(path: "test.csv", row: 3, expected: 4, found: 5)) { _ = try csv(long, kinds: kinds, defaultKind: .skip) }
        }
        // An unterminated quote in a skipped column is still found.
        #expect(throws: DataError.unterminatedQuote(path: "test.csv", row: 3)) {
            _ = try csv("a,b\n1,2\n3,\"x\n", kinds: ["a": .numeric], defaultKind: .skip)
        }
    }
}
