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
}
