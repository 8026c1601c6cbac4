import Foundation
import Regression
import Design
import Estimation
import Testing

/// The shared checker of fitted-model results (after statsmodels' CheckModelResults):
/// every comparison names what it compares and uses one of the named tolerances.
struct ModelChecker {
    /// Agreement with an independent implementation on the same data (issue: 1e-6 relative).
    static let independentImplementation = 1e-6

    /// Relative difference, with an absolute floor for values near zero.
    static func relativeDifference(_ a: Double, _ b: Double, floor: Double = 1e-12) -> Double {
        Swift.abs(a - b) / Swift.max(Swift.abs(b), floor)
    }

    static func expectRelative(_ got: [Double], _ want: [Double], tolerance: Double, _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, "\(what): \(got.count) values, expected \(want.count)", sourceLocation: sourceLocation)
        for (k, (g, w)) in zip(got, want).enumerated() {
            let d = relativeDifference(g, w)
            #expect(d <= tolerance, "\(what)[\(k)]: \(g) vs \(w) (relative difference \(d))", sourceLocation: sourceLocation)
        }
    }

    static func expectAbsolute(_ got: Double, _ want: Double, tolerance: Double, _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Swift.abs(got - want) <= tolerance, "\(what): \(got) vs published \(want) (tolerance \(tolerance))",
                sourceLocation: sourceLocation)
    }
}

/// One published value of a `shared/reference` case (`expected.json`):
/// the key, the value as printed and the tolerance its printed precision implies.
struct PublishedValue {
    let key: String
    let value: Double
    let tolerance: Double
}

/// A reference case: its citation and its published values.
struct PublishedCase {
    let citation: String
    let values: [PublishedValue]

    init(_ name: String) throws {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)/expected.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let published = json["published"] as! [String: Any]
        citation = published["citation"] as! String
        values = (published["values"] as! [[String: Any]]).map {
            PublishedValue(key: $0["key"] as! String, value: ($0["value"] as! NSNumber).doubleValue,
                           tolerance: ($0["tolerance_abs"] as! NSNumber).doubleValue)
        }
    }

    func dataPath(_ name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(name)/data.csv").path
    }
}
