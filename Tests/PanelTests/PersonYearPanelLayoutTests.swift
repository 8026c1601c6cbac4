@testable import Panel
import Tabular
import Testing

/// A register already in panel order (sorted by person and year) is laid out without sorting
/// (``PersonYearPanel/sortedLayout(codes:persons:years:missingIDs:)``); the same rows in another order take
/// the general route, a counting sort. Both must give the same panel: rows, codes, years, offsets, gaps.
@Suite struct PersonYearPanelLayoutTests {
    /// 3,000 persons over 2008-2016 with some years missing (gaps inside spans and at the ends), an extra
    /// column, and the rows either sorted or reversed within and across persons.
    static func register(sorted: Bool, doubleYears: Bool = false, persons: Int = 3_000) throws -> Table {
        var rows: [(id: String, year: Int, x: Double)] = []
        for p in 0..<persons {
            for y in 2008...2016 where !((p % 7 == 2 && y == 2011) || (p % 11 == 0 && y < 2010) || (p % 13 == 5 && (y == 2013 || y == 2014))) {
                rows.append((String(format: "P%06d", p), y, Double(p * 10 + y % 10)))
            }
        }
        if !sorted { rows.reverse() }
        let years = rows.map { Double($0.year) }
        return try Table([("id", .text(TextColumn(rows.map(\.id)))),
                          ("year", .numeric(doubleYears ? NumericColumn(years) : NumericColumn(compacting: years))),
                          ("x", .numeric(NumericColumn(compacting: rows.map(\.x))))])
    }

    static func expectSame(_ a: PersonYearPanel, _ b: PersonYearPanel) {
        #expect(a.table == b.table)
        #expect(a.personIDs == b.personIDs && a.personOfRow == b.personOfRow && a.years == b.years && a.rowStart == b.rowStart)
        #expect(a.gapYears == b.gapYears && a.personsWithGaps == b.personsWithGaps && a.droppedRows == b.droppedRows)
    }

    @Test func aSortedRegisterGivesThePanelTheSortingRouteGives() throws {
        for doubleYears in [false, true] {
            let sorted = try PersonYearPanel(try Self.register(sorted: true, doubleYears: doubleYears), id: "id", time: "year")
            let general = try PersonYearPanel(try Self.register(sorted: false, doubleYears: doubleYears), id: "id", time: "year")
            Self.expectSame(sorted, general)
            #expect(sorted.personCount == 3_000)
            // Gaps by the file's definition: p % 7 == 2 misses 2011 (one gap year); p % 13 == 5 misses 2013-14
            // (two); missing leading years (p % 11 == 0) are no gap.
            let expected = (0..<3_000).map { p in (p % 7 == 2 ? 1 : 0) + (p % 13 == 5 ? 2 : 0) }
            #expect(sorted.gapYears == expected.reduce(0, +) && sorted.personsWithGaps == expected.filter { $0 > 0 }.count)
        }
    }

    @Test func aLongSortedRegisterIsCheckedAndConvertedInPartsAsAShortOneIs() throws {
        // 80,000 persons: about 640,000 rows, so the years are checked and converted in two parts.
        for doubleYears in [false, true] {
            let table = try Self.register(sorted: true, doubleYears: doubleYears, persons: 80_000)
            #expect(table.rowCount > 2 * 262_144)
            let sorted = try PersonYearPanel(table, id: "id", time: "year")
            let general = try PersonYearPanel(try Self.register(sorted: false, doubleYears: doubleYears, persons: 80_000), id: "id", time: "year")
            Self.expectSame(sorted, general)
            // A year out of range in the second part: the sorted layout declines, the general route names the row.
            var years = try table.numeric("year").doubles
            years[table.rowCount - 3] = 2_000_000
            let bad = try Table([("id", .text(try table.text("id"))), ("year", .numeric(NumericColumn(compacting: years)))])
            #expect(PersonYearPanel.wholeYears(try bad.numeric("year")) == nil)
            #expect(throws: PanelError.nonIntegerYear(column: "year", row: table.rowCount - 1, value: 2_000_000)) {
                try PersonYearPanel(bad, id: "id", time: "year")
            }
        }
    }

    @Test func withoutTheIDColumnThePanelIsTheSameButForThatColumnOnBothRoutes() throws {
        for sorted in [true, false] {
            let table = try Self.register(sorted: sorted)
            let with = try PersonYearPanel(table, id: "id", time: "year")
            let without = try PersonYearPanel(table, id: "id", time: "year", keepingIDColumn: false)
            #expect(without.table.columnNames == ["year", "x"] && !without.table.hasColumn("id"))
            #expect(without.table == with.table.removingColumn("id"))
            #expect(without.personIDs == with.personIDs && without.personOfRow == with.personOfRow && without.rowStart == with.rowStart)
        }
        // Removing a column the table does not have leaves it as it is.
        let table = try Self.register(sorted: true)
        #expect(table.removingColumn("nothing") == table)
    }

    @Test func whatTheSortedLayoutDeclinesTheGeneralRouteDecides() throws {
        let table = try Self.register(sorted: true)
        let codes = try table.text("id").encoded().codes
        let years = try table.numeric("year")
        let missing = [Bool](repeating: false, count: table.rowCount)
        #expect(PersonYearPanel.sortedLayout(codes: codes, persons: 3_000, years: years, missingIDs: missing) != nil)
        // A duplicate person-year, years out of order, a missing id, a year beyond 1e6: no layout.
        var y = years.map { $0 }
        y[1] = y[0]
        #expect(PersonYearPanel.sortedLayout(codes: codes, persons: 3_000, years: NumericColumn(compacting: y), missingIDs: missing) == nil)
        y = years.map { $0 }
        y.swapAt(1, 2)
        #expect(PersonYearPanel.sortedLayout(codes: codes, persons: 3_000, years: NumericColumn(compacting: y), missingIDs: missing) == nil)
        var m = missing
        m[5] = true
        #expect(PersonYearPanel.sortedLayout(codes: codes, persons: 3_000, years: years, missingIDs: m) == nil)
        y = years.map { $0 }
        y[9] = 2_000_000
        #expect(PersonYearPanel.sortedLayout(codes: codes, persons: 3_000, years: NumericColumn(compacting: y), missingIDs: missing) == nil)
        // And the general route still reports the duplicate with its file rows.
        var rows = (0..<table.rowCount).map { $0 }
        rows[1] = 0
        #expect(throws: PanelError.self) { try PersonYearPanel(table.selectingRows(rows), id: "id", time: "year") }
    }
}

/// A pipeline lets go of the register columns its later stages do not read (``PersonYearPanel/keepingColumns(_:)``):
/// only the table shrinks; the persons, rows and years stay as they were.
@Suite struct PersonYearPanelColumnsTests {
    @Test func keepingColumnsDropsTheOthersAndLeavesTheLayoutAlone() throws {
        let panel = try PersonYearPanel(try PersonYearPanelLayoutTests.register(sorted: true, persons: 50), id: "id", time: "year")
        let slim = panel.keepingColumns(["x", "not a column"])
        #expect(slim.table.columnNames == ["x"])
        #expect(try slim.table.numeric("x") == panel.table.numeric("x"))
        #expect(slim.table.rowCount == panel.table.rowCount && !slim.table.hasColumn("year") && !slim.table.hasColumn("id"))
        #expect(slim.personIDs == panel.personIDs && slim.personOfRow == panel.personOfRow && slim.years == panel.years)
        #expect(slim.rowStart == panel.rowStart && slim.row(person: 7, year: 2012) == panel.row(person: 7, year: 2012))
        #expect(panel.keepingColumns([]).table.columnNames.isEmpty)
    }
}
