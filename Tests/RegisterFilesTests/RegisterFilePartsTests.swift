import Foundation
@testable import RegisterFiles
import Tabular
import Testing

/// A Stata file read in row ranges on several threads (RegisterFileReader+Parts)
/// gives the table one parser gives: same columns, values, missing cells, text,
/// labels and storage widths, for every split of the rows; and the same errors.
@Suite struct RegisterFilePartsTests {
    static let stataFiles = FixtureFiles.labelled.filter { $0.hasSuffix(".dta") } + ["demo_panel.dta"]

    func read(_ path: String, parts: Int, kinds: [String: ColumnKind] = FixtureFiles.kinds,
              defaultKind: ColumnKind = .auto) throws -> Table {
        try RegisterFileReader.read(path: path, format: .stata, kinds: kinds, defaultKind: defaultKind, parts: parts)
    }

    func expectSame(_ a: Table, _ b: Table, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(a.columnNames == b.columnNames, "\(what)", sourceLocation: sourceLocation)
        #expect(a.rowCount == b.rowCount, "\(what)", sourceLocation: sourceLocation)
        for name in a.columnNames {
            let x = try a.column(name), y = try b.column(name)
            #expect(x == y, "column \(name) of \(what)", sourceLocation: sourceLocation)
            if case .numeric(let p) = x, case .numeric(let q) = y {
                #expect(p.bytesPerValue == q.bytesPerValue, "storage of \(name) in \(what)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: stataFiles)
    func everySplitReadsTheTableOneParserReads(file: String) throws {
        let path = FixtureFiles.path(file)
        let whole = try read(path, parts: 1)
        // 2 and 3 split evenly or not; 7 leaves parts of different lengths; 1000 is more parts than rows.
        for parts in [2, 3, 7, 1000] {
            try expectSame(try read(path, parts: parts), whole, "\(file) in \(parts) parts")
        }
    }

    @Test func theSplitAlsoMatchesTheCSV() throws {
        let expected = try FixtureFiles.csv(labelled: true)
        try expectSame(try read(FixtureFiles.path("register_v14.dta"), parts: 4), expected, "register_v14.dta in 4 parts against register.csv")
    }

    @Test func skippedAndNumericKindsHoldInParts() throws {
        let path = FixtureFiles.path("register_v14.dta")
        let kinds: [String: ColumnKind] = ["edu": .numeric, "city": .text, "income": .numeric]
        try expectSame(try read(path, parts: 3, kinds: kinds, defaultKind: .skip),
                       try read(path, parts: 1, kinds: kinds, defaultKind: .skip), "register_v14.dta, three columns")
    }

    @Test(arguments: ["register_v8.dta", "register_v14.dta", "register_pandas119.dta"])
    func truncatedFilesAreRefusedInParts(file: String) throws {
        let size = try FileManager.default.attributesOfItem(atPath: FixtureFiles.path(file))[.size] as? Int ?? 0
        for fraction in [0.1, 0.5, 0.9] {
            let path = try FixtureFiles.scratch(from: file, as: file, bytes: Int(Double(size) * fraction))
            do {
                _ = try read(path, parts: 3)
                Issue.record("no error for \(path)")
            } catch let error as DataError {
                #expect(error.description.contains(path) && error.description.contains("truncated"), "\(error)")
            }
        }
    }

    @Test(arguments: [1, 3])
    func theIntegerMissingSentinelIsRefusedWholeOrInParts(parts: Int) throws {
        // register_v14.dta: data at byte 4972 (after "<data>"), 47-byte rows (city is str7), `year` a Stata long at
        // byte 8 of each row; row 200's year set to -2147483648 (little-endian 00 00 00 80), which
        // ReadStat delivers as a value and DiDKit's 4-byte columns reserve for missing.
        let at = 4972 + 200 * 47 + 8
        let path = try FixtureFiles.scratch(from: "register_v14.dta", as: "sentinel.dta",
                                            patch: [at: 0x00, at + 1: 0x00, at + 2: 0x00, at + 3: 0x80])
        do {
            _ = try read(path, parts: parts)
            Issue.record("no error for \(path)")
        } catch let error as DataError {
            #expect(error.description.contains(path) && error.description.contains("'year' holds -2147483648"), "\(error)")
        }
    }

    @Test func onlyLargeFilesAreSplitByDefault() {
        #expect(RegisterFileReader.defaultParts(FixtureFiles.path("register_v14.dta")) == 1)
        #expect(RegisterFileReader.range(0, of: 3, rows: 10) == 0..<4)
        #expect(RegisterFileReader.range(1, of: 3, rows: 10) == 4..<7)
        #expect(RegisterFileReader.range(2, of: 3, rows: 10) == 7..<10)
    }
}
