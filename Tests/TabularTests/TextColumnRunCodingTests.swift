import Foundation
@_spi(Testing) @testable import Tabular
import Testing

/// A run-coded text column (one stored value per run of equal neighbouring rows, as the CSV reader stores a
/// register's id) holds the same values as the column of one value per row: every accessor, the codes, a
/// selection, a join and equality must agree with the plain column built from the same strings.
@Suite struct TextColumnRunCodingTests {
    /// Ids in runs of 1 to 4 rows (`nil`: missing), with a run of missing ids, a value with escaped quotes
    /// (a `.text` piece in the reader) repeated, and a value equal to one two runs back (not sorted).
    static let values: [String?] = ["a", "a", "b", nil, nil, "c\"q", "c\"q", "c\"q", "b", "d", "d", "d", "d", "e", nil, "f", "f"]

    /// `values` coded in runs, chunk by chunk (`cuts`: where each chunk ends), as the reader's chunks code them.
    static func runCoded(_ values: [String?], cuts: [Int]) -> TextColumn {
        var parts: [TextColumn] = []
        var start = 0
        for end in cuts + [values.count] where end >= start {
            let chunk = Array(values[start..<end])
            // A source holding each plain value's bytes once; a value with a quote is a `.text` piece.
            var source: [UInt8] = []
            var ranges: [Range<Int>] = []
            for v in chunk {
                let bytes = Array((v ?? "").utf8)
                ranges.append(source.count..<(source.count + bytes.count))
                source += bytes
            }
            parts.append(TextColumn(runsOf: chunk.count, from: source.span) { r in
                guard let v = chunk[r] else { return .missing }
                return v.contains("\"") ? .text(v) : .bytes(ranges[r])
            })
            start = end
        }
        return TextColumn.concatenating(parts)
    }

    /// Cuts inside runs (a missing run at 4, `c"q` cut into three one-row parts at 6 and 7, `a` at 1), between
    /// runs, and an empty chunk (8, 8).
    @Test(arguments: [[Int](), [1], [1, 2], [3, 4], [6, 7], [8, 8, 9], [2, 5, 13, 16]])
    func aRunCodedColumnHoldsTheValuesOfThePlainColumn(cuts: [Int]) throws {
        let plain = TextColumn(Self.values)
        let runs = Self.runCoded(Self.values, cuts: cuts)
        #expect(runs.isRunCoded && !plain.isRunCoded)
        #expect(runs == plain && plain == runs)
        #expect(runs.count == Self.values.count)
        for i in Self.values.indices {
            #expect(runs[i] == Self.values[i], "row \(i)")
            #expect(runs.isMissing(i) == (Self.values[i] == nil), "row \(i)")
            #expect(Array(runs.valueBytes(i)) == Array((Self.values[i] ?? "").utf8), "row \(i)")
        }
        // The per-row arrays, built on request, are the plain column's.
        #expect(runs.bytes == plain.bytes && runs.offsets == plain.offsets && runs.missing == plain.missing)
        // Nine runs (two of them missing): runs cut by a chunk end are joined again.
        #expect(runs.storedValues.count == 9)
    }

    @Test func codesSelectionsAndMissingCountsAgreeWithThePlainColumn() throws {
        let plain = TextColumn(Self.values)
        let runs = Self.runCoded(Self.values, cuts: [4, 11])
        let (a, b) = (runs.encoded(), plain.encoded())
        #expect(a.codes == b.codes && a.levels == b.levels)
        #expect(runs.dictionaryEncoded().levels == plain.dictionaryEncoded().levels)
        // Not sorted ("b" after "c\"q") and with missing values: neither takes the sorted route.
        #expect(runs.sortedRuns() == nil && plain.sortedRuns() == nil)
        for rows in [[0, 1, 2, 3, 9, 16], [16, 0, 5, 5, 14, 2], Array(Self.values.indices.reversed()), []] {
            #expect(runs.selecting(rows) == plain.selecting(rows), "rows \(rows)")
            #expect(!runs.selecting(rows).isRunCoded)
        }
        var keepRuns = [Bool](repeating: true, count: plain.count), keepPlain = keepRuns
        keepRuns[3] = false
        keepPlain[3] = false
        let counted = Column.text(runs).markMissing(clearing: &keepRuns)
        let expected = Column.text(plain).markMissing(clearing: &keepPlain)
        #expect(counted == expected && keepRuns == keepPlain)
        #expect(counted == (missing: 3, cleared: 2))
        #expect(Column.text(runs).missingCount == 3)
    }

    /// 600,000 rows in about 92,000 runs: more than one part of 65,536 runs when the runs are expanded to rows.
    @Test func aSortedRunCodedColumnIsCodedFromItsRuns() throws {
        let ids = TextColumnRunsTests.sortedIDs(rows: 600_000)
        let plain = TextColumn(ids)
        let runs = Self.runCoded(ids.map { Optional($0) }, cuts: [10_000, 10_001, 250_000])
        #expect(runs.storedValues.count > 65_536)
        #expect(runs.bytes == plain.bytes && runs.offsets == plain.offsets && runs.missing == plain.missing)
        let fromRuns = try #require(runs.sortedRuns())
        let fromRows = try #require(plain.sortedRuns())
        #expect(fromRuns.codes == fromRows.codes && fromRuns.levels == fromRows.levels)
        #expect(runs.encoded().codes == plain.dictionaryEncoded().codes)
    }

    @Test func runCodedColumnsWithTheSameRunsCompareTheirValues() {
        let a = Self.runCoded(Self.values, cuts: [4])
        #expect(a == Self.runCoded(Self.values, cuts: [9]))
        var other = Self.values
        other[10] = "x"   // inside the run of "d": the runs' ends change
        #expect(a != Self.runCoded(other, cuts: [4]))
        other = Self.values
        other[9...12] = ["x", "x", "x", "x"]   // the same runs, another value
        #expect(a != Self.runCoded(other, cuts: [4]))
    }

    @Test func appendingToARunCodedColumnKeepsItsValues() {
        var runs = Self.runCoded(Self.values, cuts: [6])
        runs.append("z")
        runs.append(contentsOf: Self.runCoded(["z", "z", nil], cuts: []))
        #expect(runs == TextColumn(Self.values + ["z", "z", "z", nil]))
        #expect(!runs.isRunCoded)
    }

    @Test func anInvalidUTF8ValueIsNamedByItsRunsFirstRow() {
        var source: [UInt8] = Array("okok".utf8) + [0xC3, 0x28]
        source += [0xC3, 0x28]
        let pieces: [Range<Int>] = [0..<2, 2..<4, 4..<6, 6..<8]
        let column = TextColumn(runsOf: 4, from: source.span) { .bytes(pieces[$0]) }
        #expect(column.isRunCoded && column.storedValues.count == 2)
        #expect(column.firstInvalidUTF8() == 2)
    }

    /// A register: ids in runs of nine rows, a numeric column, over several chunks (runs across chunk ends).
    static func register(persons: Int, missingPerson: Int? = nil) -> [UInt8] {
        var s = "pnr,year,x\n"
        for p in 0..<persons {
            for y in 0..<9 {
                let id = p == missingPerson ? "" : (p % 50 == 7 ? "\"Q\"\"\(p)\"" : "P" + String(repeating: "0", count: 7 - String(p).count) + String(p))
                s += "\(id),\(2008 + y),\((p + y) % 3)\n"
            }
        }
        return Array(s.utf8)
    }

    @Test(arguments: [("text", 4), ("auto", 7), ("text", 64)])
    func aRegistersIDIsReadRunCodedAndEqualsTheOneChunkRead(kind: String, chunks: Int) throws {
        let bytes = Self.register(persons: 400, missingPerson: 123)
        let kinds: [String: ColumnKind] = ["pnr": kind == "text" ? .text : .auto]
        let whole = try CSVReader.read(bytes: bytes, source: "register.csv", kinds: kinds)
        let split = try CSVReader.read(bytes: bytes, source: "register.csv", kinds: kinds, splittingInto: chunks)
        let (a, b) = (try split.text("pnr"), try whole.text("pnr"))
        #expect(a.isRunCoded && !b.isRunCoded)
        #expect(split == whole)
        #expect(a.bytes == b.bytes && a.offsets == b.offsets && a.missing == b.missing)
        // One stored value per person (the missing person's run too), whatever the chunk ends cut.
        #expect(a.storedValues.count == 400)
        #expect(a[123 * 9 + 4] == nil && a[7 * 9] == "Q\"7" && a[8 * 9 + 8] == "P0000008")
    }

    @Test func idsThatDoNotComeInRunsAreStoredAValuePerRow() throws {
        var s = "pnr,x\n"
        for i in 0..<2_000 { s += "P\(i),\(i % 3)\n" }
        let table = try CSVReader.read(bytes: Array(s.utf8), source: "ids.csv", kinds: ["pnr": .text], splittingInto: 4)
        #expect(try !table.text("pnr").isRunCoded)
        #expect(try table.text("pnr")[1_999] == "P1999")
    }
}
