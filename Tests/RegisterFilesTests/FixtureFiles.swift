import Foundation
import RegisterFiles
import Tabular

/// The fixtures written by Fixtures/make_fixtures.py (one 300-row register table in every format).
enum FixtureFiles {
    static let folder = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Files with value labels on edu: they read like register.csv (labels as text).
    static let labelled = [
        "register_v8.dta", "register_v10.dta", "register_v12.dta", "register_v13.dta", "register_v14.dta", "register_v15.dta",
        "register_pandas114.dta", "register_pandas118.dta", "register_pandas119.dta", "register.sav", "register.zsav",
    ]
    /// SAS files keep no value labels: they read like register_codes.csv (edu's codes).
    static let unlabelled = ["register_v5.xpt", "register_v8.xpt", "register.sas7bdat"]

    /// The kinds every comparison uses: the id as text, everything else guessed as the CSV reader guesses.
    static let kinds: [String: ColumnKind] = ["pnr": .text]

    static func csv(labelled: Bool) throws -> Table {
        try CSVReader.read(path: path(labelled ? "register.csv" : "register_codes.csv"), kinds: kinds)
    }

    /// A scratch copy of a fixture's first `bytes` bytes (all of it when nil) under a new name.
    static func scratch(from name: String, as newName: String, bytes: Int? = nil, patch: [Int: UInt8] = [:]) throws -> String {
        var data = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
        if let bytes { data = Array(data.prefix(bytes)) }
        for (offset, byte) in patch { data[offset] = byte }
        return try scratch(data, as: newName)
    }

    /// A scratch file holding `data`.
    static func scratch(_ data: [UInt8], as newName: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-registerfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(newName)
        try Data(data).write(to: url)
        return url.path
    }
}
