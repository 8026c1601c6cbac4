import _DiDKitParallel
@testable import Design
import Tabular
import Testing

/// The design's 4-byte level codes (``factorCodes32(table:coding:)``, coded in parts on all cores) are the
/// codes of ``factorCodes(table:coding:)``, whatever the column's storage; an unknown level is reported as
/// the first one in row order. The parallel row selection (``indices(count:where:)``) is `filter`'s.
@Suite struct FactorCodesTests {
    /// 600,000 rows (two parts of 300,000: parts hold at least 262,144 rows): levels 1...9 in runs of 13,
    /// every 97th value missing.
    static func values(rows: Int = 600_000) -> [Double] {
        (0..<rows).map { (i: Int) -> Double in
            if i % 97 == 5 { return .nan }
            let level: Int = (i / 13) % 9 + 1
            return Double(level)
        }
    }

    static let coding = FactorCoding(column: "f", levels: (1...9).map(String.init), numericLevels: (1...9).map(Double.init), base: 0)

    @Test(arguments: [1, 2, 4, 8])
    func fourByteCodesAreTheCodesInEveryStorageForm(bytes: Int) throws {
        let v = Self.values()
        let column: NumericColumn
        switch bytes {
        case 1: column = NumericColumn(storage: .int8(v.map { $0.isNaN ? .min : Int8($0) }))
        case 2: column = NumericColumn(storage: .int16(v.map { $0.isNaN ? .min : Int16($0) }))
        case 4: column = NumericColumn(storage: .int32(v.map { $0.isNaN ? .min : Int32($0) }))
        default: column = NumericColumn(v)
        }
        #expect(column.bytesPerValue == bytes)
        let table = try Table([("f", .numeric(column))])
        let wide = try factorCodes(table: table, coding: Self.coding)
        let narrow = try factorCodes32(table: table, coding: Self.coding)
        #expect(narrow == wide.map { Int32($0) })
        #expect(narrow[5] == -1 && narrow[0] == 0 && narrow[13 * 8] == 8)
    }

    @Test func textLevelsTakeTheGeneralCoding() throws {
        let text = TextColumn(["2", nil, "9", "1"])
        let table = try Table([("f", .text(text))])
        #expect(try factorCodes32(table: table, coding: Self.coding) == [1, -1, 8, 0])
    }

    @Test func theFirstUnknownLevelInRowOrderIsNamed() throws {
        var v = Self.values().map { $0.isNaN ? Int8.min : Int8($0) }
        v[500_000] = 42   // in the second part
        v[100_000] = 17   // in the first part: the one to name
        let table = try Table([("f", .numeric(NumericColumn(storage: .int8(v))))])
        #expect(throws: DataError.unknownFactorLevel(column: "f", level: "17", known: Self.coding.levels)) {
            try factorCodes32(table: table, coding: Self.coding)
        }
        // Two unknown levels in one part: the earlier row's.
        v[150_000] = 33
        let samePart = try Table([("f", .numeric(NumericColumn(storage: .int8(v))))])
        #expect(throws: DataError.unknownFactorLevel(column: "f", level: "17", known: Self.coding.levels)) {
            try factorCodes32(table: samePart, coding: Self.coding)
        }
        v[150_000] = 1
        v[100_000] = 1
        let second = try Table([("f", .numeric(NumericColumn(storage: .int8(v))))])
        #expect(throws: DataError.unknownFactorLevel(column: "f", level: "42", known: Self.coding.levels)) {
            try factorCodes32(table: second, coding: Self.coding)
        }
    }

    @Test(arguments: [0, 1, 262_143, 600_000])
    func parallelRowSelectionIsFilter(count: Int) {
        let keep = (0..<count).map { $0 % 7 != 3 && $0 % 100_003 != 0 }
        #expect(indices(count: count) { keep[$0] } == (0..<count).filter { keep[$0] })
        #expect(indices(count: count) { _ in false }.isEmpty)
    }
}
