import ETWFE
import Estimation
import Foundation
import Staggered
import Tabular
import Testing

/// Fixtures: mpdta (R did's `data(mpdta)`, 500 counties x 2003-2007, copied from
/// shared/reference/did-mpdta-attgt-reg/data.csv), the seeded logit panel and the
/// statsmodels references written by Fixtures/make_etwfe_fixtures.py.
enum Fixture {
    static func url(_ name: String) throws -> URL {
        try req(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)")
    }

    static func table(_ name: String) throws -> Table { try CSVReader.read(path: url(name).path) }

    static func json() throws -> [String: Any] {
        let data = try Data(contentsOf: url("etwfe_fixtures.json"))
        return try req(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func mpdta(covariates: [String] = ["lpop"], control: ETWFEControl = .notyet) throws -> ETWFEFit {
        try ETWFE.fit(table: table("mpdta.csv"), id: "countyreal", time: "year", outcome: "lemp", group: "first.treat",
                      covariates: covariates, options: ETWFEOptions(control: control))
    }

    static func logitPanel(covariates: [String]) throws -> ETWFEFit {
        try ETWFE.fit(table: table("etwfe_logit_panel.csv"), id: "id", time: "year", outcome: "y", group: "cohort",
                      covariates: covariates)
    }
}

/// `|a - b| <= tol * max(|b|, floor)`.
func relativelyClose(_ a: Double, _ b: Double, _ tol: Double, floor: Double = 1e-8) -> Bool {
    Swift.abs(a - b) <= tol * Swift.max(Swift.abs(b), floor)
}

struct MissingValue: Error, CustomStringConvertible { let description: String }

func req<T>(_ value: T?, _ what: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    guard let value else {
        Issue.record("missing value \(what())", sourceLocation: sourceLocation)
        throw MissingValue(description: "missing value \(what())")
    }
    return value
}

func dict(_ any: Any?) throws -> [String: Any] { try req(any as? [String: Any]) }
func list(_ any: Any?) throws -> [[String: Any]] { try req(any as? [[String: Any]]) }
func num(_ any: Any?) throws -> Double { try req(any as? Double ?? (any as? Int).map(Double.init)) }

/// Compares an effect table with a fixture list (`att`, `se`, keyed by `key`), scaled by `k`.
func expectAgree(_ table: EffectTable, _ fixture: [[String: Any]], key: String, scale k: Double, tolerance: Double,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(table.rows.count == fixture.count, "\(table.title): \(table.rows.count) rows, fixture \(fixture.count)", sourceLocation: sourceLocation)
    for f in fixture {
        let row: Effect?
        switch key {
        case "cell": row = table.row(group: Int(try num(f["group"])), time: Int(try num(f["time"])))
        case "group": row = table.rows.first { $0.label.group == Int((f["group"] as? Int) ?? -1) }
        case "time": row = table.rows.first { $0.label.time == Int((f["time"] as? Int) ?? -1) }
        default: row = table.row(event: Int(try num(f["event"])))
        }
        let r = try req(row, "\(table.title) row \(f)")
        let att = try num(f["att"]) * k, se = try num(f["se"]) * k
        #expect(relativelyClose(r.estimate, att, tolerance), "\(table.title) \(r.label.text): \(r.estimate) vs \(att)", sourceLocation: sourceLocation)
        #expect(relativelyClose(r.standardError ?? .nan, se, tolerance), "\(table.title) \(r.label.text) SE: \(r.standardError ?? .nan) vs \(se)", sourceLocation: sourceLocation)
    }
}
