import Foundation
@testable import RegisterFiles
import Tabular
import Testing

/// Bad files end in one DataError sentence naming the file and what to do, never a crash.
@Suite struct BadRegisterFileTests {
    /// The error's sentence, checked to name the file.
    func message(_ path: String, kinds: [String: ColumnKind] = [:], _ fragment: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try TableReader.read(path: path, kinds: kinds)
            Issue.record("no error for \(path)", sourceLocation: sourceLocation)
        } catch let error as DataError {
            let text = error.description
            #expect(text.contains(path), "\(text)", sourceLocation: sourceLocation)
            #expect(text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
            #expect(!text.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a DataError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["register_v8.dta", "register_v14.dta", "register_pandas119.dta", "register.sav", "register.zsav",
                      "register_v5.xpt", "register_v8.xpt", "register.sas7bdat"])
    func truncatedFilesAreRefused(file: String) throws {
        let size = try FileManager.default.attributesOfItem(atPath: FixtureFiles.path(file))[.size] as? Int ?? 0
        for fraction in [0.1, 0.5, 0.9] {
            let path = try FixtureFiles.scratch(from: file, as: file, bytes: Int(Double(size) * fraction))
            message(path, "truncated")
        }
    }

    @Test(arguments: ["garbage.dta", "garbage.sav", "garbage.zsav", "garbage.xpt", "garbage.sas7bdat"])
    func garbageIsRefused(file: String) throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        message(try FixtureFiles.scratch([0x01, 0x00] + bytes, as: file), "header")
    }

    @Test("random bytes without a NUL are a damaged file, not text to rename .csv; CSV text, also UTF-8 cut mid-character, is text")
    func randomBytesAreNotText() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<4096).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56) | 1  // never 0: the old NUL test read these as text
        }
        message(try FixtureFiles.scratch(bytes, as: "noise.dta"), "header")
        message(try FixtureFiles.scratch(Array("id,year,y\n1,2003,0\n".utf8), as: "csv.dta"), "holds text")
        // "æ" is two bytes in UTF-8; the sniffed head (64 bytes) cuts the 32nd one after its first byte.
        #expect(RegisterFormat.sniff(Array(String(repeating: "æ", count: 40).utf8.prefix(63))) == .text)
        #expect(RegisterFormat.sniff([0x41, 0x07, 0x42]) == .unknown)  // a BEL control byte
    }

    @Test func damagedHeaderInsideAStataFileIsRefused() throws {
        // A Stata 118 file whose <header> tag is overwritten: ReadStat's parse error, said with the file.
        let path = try FixtureFiles.scratch(from: "register_v14.dta", as: "damaged.dta", patch: [12: UInt8(ascii: "X"), 13: UInt8(ascii: "X")])
        message(path, "damaged or truncated")
    }

    @Test func unsupportedStataVersionIsRefused() throws {
        // register_v10.dta is format 114; format 101 (Stata 1-3) is not read by ReadStat.
        let path = try FixtureFiles.scratch(from: "register_v10.dta", as: "old.dta", patch: [0: 101])
        message(path, "version is not supported")
    }

    @Test func wrongExtensionsNameTheRightOne() throws {
        message(try FixtureFiles.scratch(from: "register_v14.dta", as: "stata.sav"), "rename it with the extension .dta")
        message(try FixtureFiles.scratch(from: "register_v10.dta", as: "stata.xpt"), "rename it with the extension .dta")
        message(try FixtureFiles.scratch(from: "register.sav", as: "spss.dta"), "rename it with the extension .sav")
        message(try FixtureFiles.scratch(from: "register.sas7bdat", as: "sas.dta"), "rename it with the extension .sas7bdat")
        message(try FixtureFiles.scratch(from: "register_v5.xpt", as: "xport.sav"), "rename it with the extension .xpt")
        message(try FixtureFiles.scratch(from: "register.csv", as: "text.dta"), "rename it .csv")
        message(try FixtureFiles.scratch(from: "register_v14.dta", as: "stata.csv"), "rename it with the extension .dta")
        message(try FixtureFiles.scratch(from: "register_v10.dta", as: "stata"), "rename it with the extension .dta")
    }

    @Test func emptyMissingAndFolderPathsAreRefused() throws {
        let empty = try FixtureFiles.scratch([], as: "empty.dta")
        message(empty, "is empty")
        message("/nonexistent/register.dta", "cannot find")
        message(FixtureFiles.folder.path + "/", "folder")
    }

    @Test func unknownColumnsAndTextAsNumbersAreRefused() throws {
        let path = FixtureFiles.path("register_v14.dta")
        #expect(throws: DataError.unknownColumn("nosuch", available: ["pnr", "year", "died", "edu", "income", "bmi", "city"])) {
            try TableReader.read(path: path, kinds: ["nosuch": .numeric])
        }
        do {
            _ = try TableReader.read(path: path, kinds: ["city": .numeric])
            Issue.record("text read as numbers")
        } catch let error as DataError {
            #expect(error.description.contains("city") && error.description.contains(path) && error.description.contains("destring"))
        }
    }
}
