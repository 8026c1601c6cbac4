@testable import Tabular
import Testing

@Suite("Text column runs")
struct TextColumnRunsTests {
    /// Ids in sorted runs of 1 to 12 rows (a seeded generator), long enough that the neighbour tests
    /// split into several parts (``TextColumn/sortedRuns()`` splits at about 262k rows).
    static func sortedIDs(rows: Int) -> [String] {
        var state: UInt64 = 11
        var ids: [String] = []
        var person = 0
        while ids.count < rows {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = Int((state >> 33) % 12) + 1
            let id = "P" + String(person).leftPadded(to: 7)
            ids += repeatElement(id, count: Swift.min(length, rows - ids.count))
            person += 1
        }
        return ids
    }

    @Test("runs split over several parts give the codes and levels of the dictionary encoding")
    func runsAcrossParts() throws {
        for rows in [600_000, 786_432] {
            let ids = Self.sortedIDs(rows: rows)
            let column = TextColumn(ids)
            let runs = try #require(column.sortedRuns())
            let encoded = column.dictionaryEncoded()
            #expect(runs.codes == encoded.codes, "rows \(rows)")
            #expect(runs.levels.count == encoded.levels.count)
            #expect((0..<runs.levels.count).allSatisfy { runs.levels[$0] == encoded.levels[$0] })
        }
    }

    @Test("a value smaller than the one before it is found at a part's first row and inside a part")
    func unsortedAnywhere() {
        let ids = Self.sortedIDs(rows: 600_000)
        // 300,000 is the second part's first row (two parts of 300,000 at this length).
        for row in [1, 299_999, 300_000, 300_001, 599_999] {
            var broken = ids
            broken[row] = "A"
            #expect(TextColumn(broken).sortedRuns() == nil, "row \(row)")
        }
        // A run that continues across the part boundary stays one run.
        var joined = ids
        for row in 299_990..<300_010 { joined[row] = joined[299_990] }
        let runs = TextColumn(joined).sortedRuns()
        #expect(runs?.codes[299_999] == runs?.codes[300_000])
        #expect(runs?.codes == TextColumn(joined).dictionaryEncoded().codes)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
