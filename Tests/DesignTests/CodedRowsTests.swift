import Design
import Linalg
import Tabular
import Testing

@Suite("Streamed designs")
struct CodedRowsTests {
    @Test("a streamed design fills the rows the built matrix holds, in every block, with rows dropped for missing values")
    func streamedEqualsBuilt() throws {
        // Numeric (compact and decimal), a text factor, a numeric factor, an interaction, the intercept;
        // rows with a missing value (dropped by both); a factor level seen only in a dropped row (x is
        // missing there), which the streamed rows must not need to know.
        var text = "y,age,inc,race,g,z\n"
        for i in 0..<1_000 {
            let age = i % 97 == 0 ? "NA" : String(20 + i % 40)
            let g = i == 500 ? "q" : ["a", "b", "c"][i % 3]
            text += "\(i % 2),\(i == 500 ? "NA" : age),\(Double(i % 13) / 4),\(1 + i % 4),\(g),\(i % 5)\n"
        }
        let t = try csv(text)
        let spec = ModelSpecification(outcome: "y", covariates: ["age", "inc", "race", "g:z"], factors: ["race", "g"])
        let built = try DesignMatrix.build(t, spec)
        let streamed = try DesignMatrix.streamed(t, spec)
        #expect(streamed.layout.columnNames == built.columnNames)
        #expect(streamed.layout.rowIndices == built.rowIndices && streamed.layout.response == built.response)
        #expect(streamed.layout.notes == built.notes && streamed.layout.droppedRows == built.droppedRows)
        #expect(streamed.source.rows == built.rows && streamed.source.columns == built.columns)
        // Blocks of 128 rows (the last one short), each against the same rows of the built matrix.
        for start in stride(from: 0, to: built.rows, by: 128) {
            let range = start..<min(start + 128, built.rows)
            #expect(streamed.source.rowBlock(range) == built.matrix.rowBlock(range), "rows \(range)")
        }
    }

    @Test("streamed factor levels and interactions are their definitions, in blocks that start mid-table")
    func streamedColumnsAreTheirDefinitions() throws {
        // Every design column written out by hand from the row's values (independent of the coding
        // code that builds both the matrix and the streamed rows): level indicators, a level times an
        // integer, a level times a decimal, and the intercept.
        var text = "y,g,z,x\n"
        var rows: [(g: String, z: Double, x: Double)] = []
        for i in 0..<700 {
            let row = (g: ["a", "b", "c"][(i * 7) % 3], z: Double(i % 11 - 5), x: Double(i % 9) / 8)
            rows.append(row)
            text += "\(i % 2),\(row.g),\(Int(row.z)),\(row.x)\n"
        }
        let t = try csv(text)
        let spec = ModelSpecification(outcome: "y", covariates: ["g", "g:z", "x:g"], factors: ["g"])
        let streamed = try DesignMatrix.streamed(t, spec)
        let expected: [String: ((g: String, z: Double, x: Double)) -> Double] = [
            "g=b": { $0.g == "b" ? 1 : 0 }, "g=c": { $0.g == "c" ? 1 : 0 },
            "g=b:z": { $0.g == "b" ? $0.z : 0 }, "g=c:z": { $0.g == "c" ? $0.z : 0 },
            "x:g=b": { $0.g == "b" ? $0.x : 0 }, "x:g=c": { $0.g == "c" ? $0.x : 0 },
            "_cons": { _ in 1 },
        ]
        let names = streamed.layout.columnNames
        #expect(Set(names) == Set(expected.keys))
        for range in [0..<100, 37..<211, 600..<700] {
            let block = streamed.source.rowBlock(range)
            for (j, name) in names.enumerated() {
                let column = try #require(expected[name])
                let wrong = range.filter { block[$0 - range.lowerBound, j] != column(rows[$0]) }
                #expect(wrong.isEmpty, "\(name), rows \(range): \(wrong.prefix(3))")
            }
        }
    }
}

@Suite("Factor levels of integer columns")
struct IntegerFactorTests {
    @Test("levels and codes are the same in every storage form; a value without a level is an error naming it")
    func everyStorageFormCodesAlike() throws {
        // The same values (with missing ones) stored as Int8, Int16, Int32 and Double: the table-indexed
        // paths of the 1- and 2-byte forms must give what the hashing paths give.
        let values: [Double] = [3, -2, .nan, 3, 100, -2, 7, .nan, 0, 100]
        let expectedLevels: [Double] = [-2, 0, 3, 7, 100]
        let forms: [NumericColumn] = [NumericColumn(compacting: values), NumericColumn(storage: .int16(values.map { $0.isNaN ? .min : Int16($0) })),
                                      NumericColumn(storage: .int32(values.map { $0.isNaN ? .min : Int32($0) })), NumericColumn(values)]
        for column in forms {
            let table = try Table([("f", .numeric(column))])
            let coding = try learnFactor(table, "f", base: "3")
            #expect(coding.numericLevels == expectedLevels && coding.levels == ["-2", "0", "3", "7", "100"] && coding.base == 2)
            #expect(try factorCodes(table: table, coding: coding) == [2, 0, -1, 2, 4, 0, 3, -1, 1, 4])
            // Coded under levels that lack 7: an error naming 7, in every form.
            let partial = try learnFactor(try Table([("f", .numeric(column.selecting([0, 1, 4])))]), "f", base: nil)
            #expect(partial.levels == ["-2", "3", "100"])
            #expect(throws: DataError.unknownFactorLevel(column: "f", level: "7", known: partial.levels)) {
                _ = try factorCodes(table: table, coding: partial)
            }
        }
    }
}
