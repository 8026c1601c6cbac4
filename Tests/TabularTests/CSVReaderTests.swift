import Foundation
@testable import Tabular
import Testing

func csv(_ s: String, kinds: [String: ColumnKind] = [:], defaultKind: ColumnKind = .auto) throws -> Table {
    try CSVReader.read(bytes: Array(s.utf8), source: "test.csv", kinds: kinds, defaultKind: defaultKind)
}

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("header, quotes, escaped quotes, CRLF, BOM and missing tokens")
    func basics() throws {
        let t = try csv("\u{FEFF}id,\"name\",x,y\r\n1,\"a, b\",1.5,NA\r\n2,\"say \"\"hi\"\"\",.,-2e-3\r\n3,c,,7\r\n",
                        kinds: ["id": .text, "name": .text])
        #expect(t.rowCount == 3)
        #expect(t.columnNames == ["id", "name", "x", "y"])
        #expect(try t.text("name")[0] == "a, b")
        #expect(try t.text("name")[1] == "say \"hi\"")
        let x = try t.numeric("x")
        #expect(x[0] == 1.5 && x[1].isNaN && x[2].isNaN)
        let y = try t.numeric("y")
        #expect(y[0].isNaN && y[1] == -0.002 && y[2] == 7)
        #expect(try t.text("id")[2] == "3")
    }

    @Test("lines ended by a lone CR (old Mac exports) are rows too")
    func loneCarriageReturns() throws {
        // Three data rows and no LF at all: the numeric buffer must still have room for every row.
        let t = try csv("x,y\r1,2\r3,4\r5,6\r")
        #expect(t.rowCount == 3)
        #expect(try t.numeric("x").doubles == [1, 3, 5])
        #expect(try t.numeric("y").doubles == [2, 4, 6])
    }

    @Test("auto columns become text when any value is not a number; ids are never parsed")
    func autoColumns() throws {
        let t = try csv("race,age,id\nblack,30,007\nwhite,NA,010\n", kinds: ["id": .text])
        guard case .text(let race) = try t.column("race") else { Issue.record("race should be text"); return }
        #expect(race[1] == "white")
        guard case .numeric = try t.column("age") else { Issue.record("age should be numeric"); return }
        #expect(try t.text("id")[0] == "007")
    }

    @Test("numbers parse exactly like strtod, fast path and slow path")
    func numberParsing() throws {
        let values = ["0", "-0", "1", "123456789012345678", "0.1", "3.141592653589793", "1e-3", "1E+10", "2.5e-300",
                      "12345678901234567890123", "0.000000000000000000000000001", ".5", "5.", "+4", "9007199254740993",
                      "1.7976931348623157e308", "4.9e-324", "123.456e-7"]
        let t = try csv("v\n" + values.joined(separator: "\n") + "\n")
        let got = try t.numeric("v")
        for (s, g) in zip(values, got) {
            #expect(g == strtod(s, nil), "\(s) parsed as \(g)")
        }
    }

    @Test("skipped columns are not stored; unknown requested columns are an error")
    func skipAndUnknown() throws {
        let t = try csv("a,b,c\n1,x,3\n", kinds: ["a": .numeric, "c": .numeric], defaultKind: .skip)
        #expect(t.columnNames == ["a", "c"])
        #expect(throws: DataError.unknownColumn("zz", available: ["a", "b", "c"])) { _ = try csv("a,b,c\n1,2,3\n", kinds: ["zz": .numeric]) }
    }

    @Test("a non-numeric value names column, row (header = row 1) and value")
    func nonNumeric() {
        #expect(throws: DataError.nonNumeric(column: "age", row: 3, value: "thirty")) {
            _ = try csv("id,age\n1,30\n2,thirty\n", kinds: ["age": .numeric])
        }
        let message = DataError.nonNumeric(column: "age", row: 3, value: "thirty").description
        #expect(message.contains("column 'age', row 3: 'thirty' is not a number"))
    }

    @Test("NaN and Inf in the data are errors")
    func nonFinite() {
        #expect(throws: DataError.nonFinite(column: "x", row: 2, value: "inf")) { _ = try csv("x\ninf\n", kinds: ["x": .numeric]) }
        #expect(throws: DataError.nonFinite(column: "x", row: 3, value: "NaN")) { _ = try csv("x\n1\nNaN\n", kinds: ["x": .numeric]) }
        #expect(throws: DataError.nonFinite(column: "x", row: 2, value: "1e999")) { _ = try csv("x\n1e999\n", kinds: ["x": .numeric]) }
    }

    @Test("ragged rows, unterminated quotes, empty and header-only files, missing files")
    func malformed() {
        #expect(throws: DataError.raggedRow(path: "test.csv", row: 3, expected: 2, found: 3)) { _ = try csv("a,b\n1,2\n3,4,5\n") }
        #expect(throws: DataError.unterminatedQuote(path: "test.csv", row: 2)) { _ = try csv("a,b\n1,\"2\n") }
        #expect(throws: DataError.emptyFile(path: "test.csv")) { _ = try csv("") }
        #expect(throws: DataError.noDataRows(path: "test.csv")) { _ = try csv("a,b\n") }
        #expect(throws: DataError.duplicateColumnName("a")) { _ = try csv("a,a\n1,2\n") }
        #expect(throws: DataError.fileNotFound(path: "/no/such/file.csv")) { _ = try CSVReader.read(path: "/no/such/file.csv") }
        // A path that exists but cannot be mapped as a file (a directory) is unreadable, not a crash.
        let directory = NSTemporaryDirectory()
        let error = #expect(throws: DataError.self) { _ = try CSVReader.read(path: directory) }
        guard case .unreadableFile(let path, _) = error else { Issue.record("expected unreadableFile, got \(String(describing: error))"); return }
        #expect(path == directory)
    }

    @Test("a pipe, which cannot be mapped, is read to its end")
    func readsAPipe() throws {
        let fifo = NSTemporaryDirectory() + "didkit-test-\(getpid()).fifo"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        // The writer opens the pipe on its own thread (an open blocks until both ends are open).
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write("a,b\n1,2\n3,NA\n".data(using: .utf8)!)
                try? handle.close()
            }
        }
        writer.start()
        let table = try CSVReader.read(path: fifo)
        #expect(table.rowCount == 2)
        #expect(try table.numeric("a").doubles == [1, 3])
        #expect(try table.numeric("b")[1].isNaN)
    }

    @Test("a large file parsed in parallel chunks equals the same rows parsed one by one")
    func chunkedParsing() throws {
        var s = "id,x,name\n"
        var expectedX: [Double] = []
        for i in 0..<250_000 {
            let x = Double(i % 977) / 8 - 30
            expectedX.append(i % 101 == 0 ? .nan : x)
            s += "\(i),\(i % 101 == 0 ? "NA" : String(x)),\"n,\(i % 13)\"\n"
        }
        #expect(s.utf8.count > 4 << 20)
        let t = try csv(s, kinds: ["id": .text, "name": .text])
        #expect(t.rowCount == 250_000)
        let x = try t.numeric("x")
        #expect(zip(x, expectedX).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(try t.text("id")[249_999] == "249999")
        #expect(try t.text("name")[26] == "n,0")
        // Quoted fields with line ends and commas inside, in every row: the chunk bounds
        // (about every 1/8 of the file) must fall at line ends outside quotes.
        var q = "id,note,x\n"
        for i in 0..<220_000 { q += "\(i),\"a\nb,\r\n\(i % 7)\"\"\",\(i % 5)\n" }
        #expect(q.utf8.count > 4 << 20)   // inputs under 4 MB are parsed as one chunk (CSVReader.splitIntoChunks)
        let quoted = try csv(q, kinds: ["id": .text, "note": .text])
        #expect(quoted.rowCount == 220_000)
        let notes = try quoted.text("note"), xs = try quoted.numeric("x")
        #expect((0..<220_000).allSatisfy { notes[$0] == "a\nb,\r\n\($0 % 7)\"" && xs[$0] == Double($0 % 5) })
        // Errors deep in a later chunk still report the file row.
        let bad = s + "250000,oops,x\n"
        #expect(throws: DataError.nonNumeric(column: "x", row: 250_002, value: "oops")) {
            _ = try csv(bad, kinds: ["id": .text, "name": .text, "x": .numeric])
        }
    }
}

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("what the writer writes the reader reads back identically")
    func roundTrip() throws {
        let t = try Table([("id", .text(TextColumn(["a", "b,c", nil, "say \"x\""]))),
                           ("x", .numeric([1, -2.5, .nan, 1e-300])), ("n", .numeric([0, 123456789, -7, 2]))])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-writer-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CSVWriter.write(t, to: path)
        let back = try CSVReader.read(path: path, kinds: ["id": .text])
        #expect(try back.text("id") == t.text("id"))
        let x = try back.numeric("x")
        #expect(x[0] == 1 && x[1] == -2.5 && x[2].isNaN && x[3] == 1e-300)
        #expect(try back.numeric("n").doubles == [0, 123456789, -7, 2])
    }

    @Test("a file that cannot be written (a folder, a missing folder) is cannotWrite with the reason, not a read error")
    func writerRefusals() throws {
        let t = try Table([("n", .numeric([1, 2]))])
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: DataError.cannotWrite(path: folder, reason: "it is a folder; give a file name")) { try CSVWriter.write(t, to: folder) }
        let missing = folder + "/didkit-no-such-\(UUID().uuidString)/x.csv"
        #expect(throws: DataError.cannotWrite(path: missing, reason: "the file cannot be created")) { try CSVWriter.write(t, to: missing) }
    }
}

@Suite("Compact numeric columns")
struct NumericColumnTests {
    /// Reads back every value with its bit pattern (so -0.0 and 0.0 differ) or as missing.
    func sameValues(_ c: NumericColumn, _ expected: [Double]) -> Bool {
        c.count == expected.count && zip(c, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test("the narrowest exact form is chosen at every width's edges; values read back bit for bit")
    func widths() {
        // Each storage type's minimum is the missing-value sentinel, so Int8 holds -127...127.
        let cases: [([Double], Int)] = [
            ([0, 1, -127, 127, .nan], 1), ([128], 2), ([-128], 2), ([32_767, -32_767], 2), ([32_768], 4), ([-32_768], 4),
            ([2_147_483_647, -2_147_483_647], 4), ([-2_147_483_648], 8), ([2_147_483_648], 8), ([0.5], 8), ([-0.0], 8),
            ([1e300], 8), ([.nan, .nan], 1), ([], 1),
        ]
        for (values, bytes) in cases {
            let c = NumericColumn(compacting: values)
            #expect(c.bytesPerValue == bytes, "\(values)")
            #expect(sameValues(c, values), "\(values)")
            #expect(zip(values.indices, values).allSatisfy { c.isMissing($0) == $1.isNaN })
        }
    }

    @Test("narrowing keeps every integer: a sweep through each form's range, negative and positive, with missing values")
    func narrowingSweep() {
        // Int8, Int16 and Int32 columns: every integer of a stride through the form's range, its edges,
        // and NaN between them, read back bit for bit (the narrowing's add-and-mask conversion).
        for (limit, step, bytes) in [(127, 1, 1), (32_767, 3, 2), (2_147_483_647, 65_537, 4)] {
            var values = Array(stride(from: -limit, through: limit, by: step)).map(Double.init) + [Double(-limit), Double(limit)]
            for k in stride(from: 0, to: values.count, by: 17) { values[k] = .nan }
            let c = NumericColumn(compacting: values)
            #expect(c.bytesPerValue == bytes && sameValues(c, values), "limit \(limit)")
        }
    }

    @Test("joining parts of different widths gives the widest form and the same values; selecting keeps the form, nil rows missing")
    func concatenatingAndSelecting() {
        let parts: [[Double]] = [[1, .nan, -3], [300, 4], [.nan], [70_000, -70_000]]
        let joined = NumericColumn.concatenating(parts.map { NumericColumn(compacting: $0) })
        #expect(joined.bytesPerValue == 4)
        #expect(sameValues(joined, parts.flatMap { $0 }))
        let withDouble = NumericColumn.concatenating([NumericColumn(compacting: [1, .nan]), NumericColumn(compacting: [0.25])])
        #expect(withDouble.bytesPerValue == 8 && sameValues(withDouble, [1, .nan, 0.25]))
        let picked = joined.selecting([7, 1, 0])
        #expect(picked.bytesPerValue == 4 && sameValues(picked, [-70_000, .nan, 1]))
        // Optional rows: nil is a missing value, in every storage form, which is kept.
        for column in [NumericColumn(compacting: [5, -3, .nan]), NumericColumn(compacting: [500, -3, .nan]),
                       NumericColumn(compacting: [70_000, -3, .nan]), NumericColumn(compacting: [0.5, -3, .nan])] {
            let gathered = column.selecting([1, nil, 0, 2, nil] as [Int?])
            #expect(gathered.bytesPerValue == column.bytesPerValue && sameValues(gathered, [-3, .nan, column[0], .nan, .nan]))
        }
        // Many rows (gathered in parts on all cores), rows repeated and out of order: every form, both
        // kinds of row list, against the element-by-element gather.
        let n = 300_001
        let rows = (0..<n).map { ($0 &* 7_919) % n }
        let optionalRows: [Int?] = rows.enumerated().map { $0.offset % 11 == 3 ? nil : $0.element }
        for scale in [1.0, 300, 70_000, 0.5] {
            let values = (0..<n).map { $0 % 13 == 0 ? Double.nan : Double($0 % 97) * scale - scale }
            let column = NumericColumn(compacting: values)
            let many = column.selecting(rows)
            #expect(many.bytesPerValue == column.bytesPerValue && sameValues(many, rows.map { values[$0] }), "scale \(scale)")
            let some = column.selecting(optionalRows)
            #expect(some.bytesPerValue == column.bytesPerValue && sameValues(some, optionalRows.map { $0.map { values[$0] } ?? .nan }),
                    "scale \(scale)")
        }
        // Equality compares values (missing equals missing), not storage.
        #expect(NumericColumn(compacting: [1, .nan]) == NumericColumn([1, .nan]))
        #expect(NumericColumn(compacting: [1, 2]) != NumericColumn([1, 3]))
    }

    @Test("the reader stores integer columns compactly and reads every integer field exactly like strtod")
    func readerIntegers() throws {
        // Fields the in-scan integer path takes, and ones it must leave to the general parser.
        let fields = ["0", "7", "-12", "007", "999999999999999", "-999999999999999", "9999999999999999", "-0", " 5", "6 ",
                      "+8", "", "NA", ".", "2147483647"]
        var text = "a,b\n"
        for f in fields { text += "\(f),1\r\n" }
        let t = try csv(text)
        let a = try t.numeric("a")
        for (k, f) in fields.enumerated() {
            let trimmed = f.trimmingCharacters(in: .whitespaces)
            if ["", "NA", "."].contains(trimmed) { #expect(a[k].isNaN, "\(f)"); continue }
            #expect(a[k].bitPattern == strtod(trimmed, nil).bitPattern, "\(f) read as \(a[k])")
        }
        // 16 digits and -0.0 do not fit an integer form, so the column is Double; b is all ones.
        #expect(a.bytesPerValue == 8)
        #expect(try t.numeric("b").bytesPerValue == 1)
        #expect(try csv("x\n1\n-2\n\n300\n").numeric("x").bytesPerValue == 2)
    }

    @Test("decimal fields converted in the scan equal strtod bit for bit")
    func readerDecimals() throws {
        // Edge cases of the in-scan decimal path (at most 15 digits, one point, no exponent)
        // and fields just outside it (16 digits, an exponent, two points, spaces).
        var fields = ["0.1", "-0.1", ".5", "5.", "-.5", "-5.", "-0.0", "0.000", "007.250", "123456789012345.",
                      "0.123456789012345", "1234567.89012345", "99999999999999.9", "1234567.890123456", "1.5e3",
                      "0.30000000000000004", " 2.5", "2.5 ", "-0", "."]
        // And 2,000 pseudo-random decimals of 1 to 15 digits with the point anywhere (Knuth's
        // MMIX LCG constants, fixed seed); the expected value of every field is strtod's.
        var rng = MMIXGenerator(seed: 42)
        func next(_ n: UInt64) -> UInt64 { rng.next(below: n) }
        for _ in 0..<2_000 {
            let digits = Int(next(15)) + 1
            var d = (0..<digits).map { _ in String(next(10)) }.joined()
            d.insert(".", at: d.index(d.startIndex, offsetBy: Int(next(UInt64(digits + 1)))))
            fields.append((next(2) == 0 ? "-" : "") + d)
        }
        let t = try csv("a\n" + fields.joined(separator: "\n") + "\n")
        let a = try t.numeric("a")
        for (k, f) in fields.enumerated() {
            let trimmed = f.trimmingCharacters(in: .whitespaces)
            if trimmed == "." { #expect(a[k].isNaN); continue }
            #expect(a[k].bitPattern == strtod(trimmed, nil).bitPattern, "\(f) read as \(a[k])")
        }
    }

    @Test("columns narrowed from the scan's integer range get the form a scan of their values gives")
    func rangeNarrowing() throws {
        // Each column's values straddle one form's edge (the minimum is the missing
        // sentinel, so -128 needs Int16); `mixed` has a decimal, taking the general parser.
        let columns: [(String, [String])] = [
            ("i8", ["127", "-127", "NA", "0"]), ("i8hi", ["128", "1", "", "2"]), ("i8lo", ["-128", "1", "2", "3"]),
            ("i16", ["32767", "-32767", "5", "6"]), ("i16hi", ["32768", "0", "0", "0"]), ("i16lo", ["-32768", "1", "1", "1"]),
            ("i32", ["2147483647", "-2147483647", "1", "1"]), ("i32hi", ["2147483648", "1", "1", "1"]),
            ("i32lo", ["-2147483648", "1", "1", "1"]), ("big", ["999999999999999", "1", "1", "1"]),
            ("mixed", ["1", "2.5", "3", "4"]), ("decimalInt", ["1", "2.0", "3", "4"]), ("allMissing", ["NA", "", ".", "NA"]),
        ]
        var text = columns.map(\.0).joined(separator: ",") + "\n"
        for r in 0..<4 { text += columns.map { $0.1[r] }.joined(separator: ",") + "\n" }
        let t = try csv(text)
        // Each form holds min+1...max (its minimum is the missing sentinel): Int8 -127...127,
        // Int16 -32767...32767, Int32 -2147483647...2147483647; one past an edge takes the next
        // form, past Int32 `Double` (8 bytes). `mixed` holds 2.5, so `Double`; `decimalInt`'s
        // "2.0" takes the decimal path but is an integer, so the width scan gives Int8; a
        // column with no value has the empty range 0...0, so Int8.
        let expectedBytes = ["i8": 1, "i8hi": 2, "i8lo": 2, "i16": 2, "i16hi": 4, "i16lo": 4, "i32": 4, "i32hi": 8,
                             "i32lo": 8, "big": 8, "mixed": 8, "decimalInt": 1, "allMissing": 1]
        for (name, fields) in columns {
            let got = try t.numeric(name)
            let values = fields.map { ["", "NA", "."].contains($0) ? Double.nan : strtod($0, nil) }
            #expect(got.bytesPerValue == NumericColumn(compacting: values).bytesPerValue, "\(name)")
            #expect(got.bytesPerValue == expectedBytes[name], "\(name): \(got.bytesPerValue) bytes")
            #expect(got == NumericColumn(values), "\(name)")
        }
    }

    @Test("auto columns: text found in the sample or only deep in a later chunk makes the column text, as a full scan would")
    func autoColumnGuess() throws {
        // Over 4 MB, so several chunks; `late` is numeric in every chunk's first rows
        // (the sample) and text only in row 400,000 (a bump: read again as text).
        var s = "early,late,num,blank\n"
        for i in 0..<500_000 {
            s += "\(i == 0 ? "a" : String(i % 50)),\(i == 400_000 ? "x7" : String(i % 9)),\(i % 1000),\n"
        }
        #expect(s.utf8.count > 4 << 20)
        let t = try csv(s)
        let early = try t.text("early"), late = try t.text("late")
        // `early` is "a" in row 0, then i % 50 (499,999 % 50 = 49); `late` is i % 9 but "x7" in row 400,000.
        #expect(early[0] == "a" && early[1] == "1" && early[499_999] == "49")
        #expect(late[400_000] == "x7" && late[399_999] == "\(399_999 % 9)" && late[499_999] == "\(499_999 % 9)")
        // `num` is i % 1000: 0...999 needs Int16 (2 bytes), and row 123,456 holds 456.
        let num = try t.numeric("num")
        #expect(num.bytesPerValue == 2 && num[123_456] == 456)
        // A column with no value at all stays numeric (all missing), as before.
        #expect(try t.numeric("blank").allSatisfy(\.isNaN))
    }
}

/// Knuth's MMIX linear congruential generator (multiplier 6364136223846793005,
/// increment 1442695040888963407): fixed-seed test inputs without a dependency.
struct MMIXGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// A number in `0..<n` from the state's high bits (the low bits of an LCG cycle quickly).
    mutating func next(below n: UInt64) -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (state >> 33) % n
    }
}

@Suite("Byte counting")
struct ByteCountingTests {
    @Test("32-bytes-at-a-time counting equals a byte loop at every length and alignment")
    func countsMatch() {
        var rng = MMIXGenerator(seed: 7)  // seeded, so a failure names a reproducible case
        // Lengths around the 32-byte vector and the 255-vector block (8,160 bytes) boundaries.
        for length in [0, 1, 31, 32, 33, 63, 64, 8159, 8160, 8161, 8192, 16_320, 20_000, 100_003] {
            // Random bytes with the counted ones, their high-bit twin 0x8A and 0xFF among them.
            let bytes = (0..<length).map { _ in [UInt8(10), 13, 34, 0, 0x8A, 0xFF][Int(rng.next(below: 6))] }
            for offset in [0, 3] where offset <= length {
                let s = bytes.span.extracting(offset..<length)
                let expected = bytes[offset...].filter { $0 == 10 || $0 == 13 }.count
                #expect(countBytes(s, equalTo: 10, or: 13) == expected, "length \(length) offset \(offset)")
                #expect(countBytes(s, equalTo: 34, or: 34) == bytes[offset...].filter { $0 == 34 }.count)
            }
        }
        // Every byte a match: each byte lane of a 255-vector block sum reaches 255, its maximum.
        let lineEnds = [UInt8](repeating: 10, count: 3 * 8160 + 5)
        #expect(countBytes(lineEnds.span, equalTo: 10, or: 13) == lineEnds.count)
    }

    @Test("the non-ASCII test finds one high byte at any position, around its word and block bounds")
    func nonASCIIAtAnyPosition() {
        // Lengths around the 8-byte word and the 4,096-byte block; the byte at every position of
        // the short ones and at the bounds of the long ones, read from offsets 0 and 3.
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 4095, 4096, 4097, 4103, 4104, 8200] {
            let ascii = (0..<length).map { UInt8(32 + $0 % 95) }
            for offset in [0, 3] where offset <= length {
                let clean = containsNonASCII(ascii.span.extracting(offset..<length))
                #expect(!clean, "length \(length) offset \(offset)")
                let positions = length < 40 ? Array(offset..<length)
                    : [offset, offset + 1, 4095, 4096, 4097, 4103, length - 8, length - 2, length - 1].filter { $0 >= offset && $0 < length }
                for p in positions {
                    for high: UInt8 in [0x80, 0xC3, 0xFF] {
                        var bytes = ascii
                        bytes[p] = high
                        let found = containsNonASCII(bytes.span.extracting(offset..<length))
                        #expect(found, "length \(length) offset \(offset) at \(p)")
                    }
                }
            }
        }
    }
}
