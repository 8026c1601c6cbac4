import Foundation
import Tabular
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
        #expect(try t.numeric("x") == [1, 3, 5])
        #expect(try t.numeric("y") == [2, 4, 6])
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
        #expect(throws: DataError.raggedRow(row: 3, expected: 2, found: 3)) { _ = try csv("a,b\n1,2\n3,4,5\n") }
        #expect(throws: DataError.unterminatedQuote(row: 2)) { _ = try csv("a,b\n1,\"2\n") }
        #expect(throws: DataError.emptyFile(path: "test.csv")) { _ = try csv("") }
        #expect(throws: DataError.noDataRows(path: "test.csv")) { _ = try csv("a,b\n") }
        #expect(throws: DataError.duplicateColumnName("a")) { _ = try csv("a,a\n1,2\n") }
        #expect(throws: DataError.fileNotFound(path: "/no/such/file.csv")) { _ = try CSVReader.read(path: "/no/such/file.csv") }
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
        // Errors deep in a later chunk still report the file row.
        let bad = s + "250000,oops,x\n"
        #expect(throws: DataError.nonNumeric(column: "x", row: 250_002, value: "oops")) {
            _ = try csv(bad, kinds: ["id": .text, "name": .text, "x": .numeric])
        }
    }
}

@Suite("Design matrices")
struct DesignMatrixTests {
    @Test("term names follow the CLI contract; factor levels sort numerically or by bytes")
    func termNames() throws {
        let t = try csv("y,age,race,g,z\n0,30,2,b,1\n1,40,10,a,2\n0,50,1,c,3\n1,35,2,a,4\n")
        let d = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["age", "race", "g:z"], factors: ["race", "g"]))
        #expect(d.columnNames == ["age", "race=2", "race=10", "g=b:z", "g=c:z", "_cons"])
        #expect(d.matrix.row(1) == [40, 0, 1, 0, 0, 1])
        #expect(d.matrix.row(2) == [50, 0, 0, 0, 3, 1])
        let based = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["race"], factors: ["race"],
                                                                 baseLevels: ["race": "2"]))
        #expect(based.columnNames == ["race=1", "race=10", "_cons"])
        #expect(throws: DataError.self) {
            _ = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["race"], factors: ["race"], baseLevels: ["race": "7"]))
        }
    }

    @Test("text in a numeric term is an error that suggests declaring a factor")
    func textInNumericTerm() throws {
        let t = try csv("y,g\n0,a\n1,b\n")
        #expect(throws: DataError.self) { _ = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["g"])) }
    }

    @Test("coding rebuilds rows for new data and rejects unseen levels")
    func codingOnNewData() throws {
        let t = try csv("y,x,f\n0,1,a\n1,2,b\n0,3,a\n")
        let d = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["x", "f"], factors: ["f"]))
        let new = try csv("x,f\n5,b\n6,NA\n")
        let (m, missing) = try d.coding.matrix(for: new)
        #expect(m.row(0) == [5, 1, 1])
        #expect(missing == [1])
        #expect(throws: DataError.unknownFactorLevel(column: "f", level: "z", known: ["a", "b"])) {
            _ = try d.coding.matrix(for: try csv("x,f\n1,z\n"))
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
        #expect(try back.numeric("n") == [0, 123456789, -7, 2])
    }
}
