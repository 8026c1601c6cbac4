import Foundation
import Linalg
import Staggered
import Tabular
import Testing

/// Shared fixtures: mpdta (R did's `data(mpdta)`, 500 counties x 2003-2007) and the references.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        try req(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)")
    }

    static func mpdta() throws -> Table { try CSVReader.read(path: url("data.csv").path) }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        return try req(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func panel(covariates: [String] = [], table: Table? = nil) throws -> StaggeredData {
        try StaggeredData(table: table ?? mpdta(), id: "countyreal", time: "year", outcome: "lemp", group: "first.treat",
                          covariates: covariates)
    }

    /// mpdta as row arrays (id, year, lemp, first.treat, lpop), for tests that edit rows.
    static func rows() throws -> (id: [Double], time: [Double], y: [Double], g: [Double], lpop: [Double]) {
        let t = try mpdta()
        return (try t.numeric("countyreal").doubles, try t.numeric("year").doubles, try t.numeric("lemp").doubles,
                try t.numeric("first.treat").doubles, try t.numeric("lpop").doubles)
    }
}

/// `|a - b| <= tol * max(|b|, floor)`: relative agreement with a floor for values near zero.
func relativelyClose(_ a: Double, _ b: Double, _ tol: Double, floor: Double = 1e-3) -> Bool {
    Swift.abs(a - b) <= tol * Swift.max(Swift.abs(b), floor)
}

/// A missing fixture value or row (a plain function: `#require` cannot nest inside another `#require`).
struct MissingValue: Error, CustomStringConvertible {
    let description: String
}

func req<T>(_ value: T?, _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    guard let value else {
        Issue.record("missing value \(what())", sourceLocation: sourceLocation)
        throw MissingValue(description: "missing value \(what())")
    }
    return value
}
