import Foundation
import RegisterFiles
import Tabular
import Testing

/// Every format reads into the same columns as the CSV written from the same
/// data frame (Fixtures/make_fixtures.py): same values, same missing cells, same
/// storage width.
@Suite struct RegisterFileReaderTests {
    @Test(arguments: FixtureFiles.labelled + FixtureFiles.unlabelled)
    func everyFormatReadsTheSameColumnsAsTheCSV(file: String) throws {
        let expected = try FixtureFiles.csv(labelled: FixtureFiles.labelled.contains(file))
        let table = try TableReader.read(path: FixtureFiles.path(file), kinds: FixtureFiles.kinds)
        #expect(table.columnNames == expected.columnNames)
        #expect(table.rowCount == 300)
        for name in expected.columnNames {
            let a = try table.column(name), b = try expected.column(name)
            #expect(a == b, "column \(name) of \(file)")
            if case .numeric(let x) = a, case .numeric(let y) = b {
                #expect(x.bytesPerValue == y.bytesPerValue, "storage width of \(name) in \(file)")
            }
        }
    }

    @Test func integerColumnsStayCompact() throws {
        let table = try TableReader.read(path: FixtureFiles.path("register_v14.dta"), kinds: FixtureFiles.kinds)
        #expect(try table.numeric("died").bytesPerValue == 1)  // Stata byte, 0/1
        #expect(try table.numeric("year").bytesPerValue == 2)  // Stata int, 2010-2019
        #expect(try table.numeric("income").bytesPerValue == 8)
    }

    @Test func numericIdsReadAsTextWithoutADecimalPoint() throws {
        // pnr is a Stata double (3,000,000,000 and up: beyond a 4-byte long).
        for file in ["register_v14.dta", "register.sav", "register_v5.xpt", "register.sas7bdat"] {
            let pnr = try TableReader.read(path: FixtureFiles.path(file), kinds: ["pnr": .text]).text("pnr")
            #expect(pnr[0] == "3000000000")
            #expect(pnr[1] == "3000007919")
        }
    }

    @Test func extendedAndUserMissingCodesBecomeMissing() throws {
        // income: 9 % of rows are missing in the CSV: system missing, Stata .a/.b (SPSS -9/-8 declared missing).
        let csv = try FixtureFiles.csv(labelled: true).numeric("income")
        let missing = csv.indices.filter { csv.isMissing($0) }
        #expect(missing.count > 15)
        for file in ["register_v8.dta", "register_v14.dta", "register.sav", "register.zsav", "register.sas7bdat"] {
            let income = try TableReader.read(path: FixtureFiles.path(file), kinds: ["income": .numeric], defaultKind: .skip).numeric("income")
            #expect(income.indices.filter { income.isMissing($0) } == missing, "\(file)")
            #expect(income.allSatisfy { $0.isNaN || $0 > 0 }, "no -9/-8 code left in \(file)")
        }
    }

    @Test func labelledColumnReadAsNumericKeepsItsCodes() throws {
        let codes = try FixtureFiles.csv(labelled: false).numeric("edu")
        for file in ["register_v8.dta", "register_v14.dta", "register.sav", "register.zsav"] {
            let edu = try TableReader.read(path: FixtureFiles.path(file), kinds: ["edu": .numeric], defaultKind: .skip).numeric("edu")
            #expect(edu == codes, "\(file)")
        }
        let labels = try TableReader.read(path: FixtureFiles.path("register.sav"), kinds: ["edu": .auto], defaultKind: .skip).text("edu")
        #expect(Set((0..<labels.count).compactMap { labels[$0] }) == ["basic", "upper secondary", "tertiary"])
    }

    @Test func skippedColumnsAreNotRead() throws {
        let table = try TableReader.read(path: FixtureFiles.path("register_v14.dta"), kinds: ["died": .numeric], defaultKind: .skip)
        #expect(table.columnNames == ["died"])
        #expect(table.rowCount == 300)
    }

    @Test func csvStillGoesToTheCSVReader() throws {
        let a = try TableReader.read(path: FixtureFiles.path("register.csv"), kinds: FixtureFiles.kinds)
        #expect(a == (try FixtureFiles.csv(labelled: true)))
    }
}
