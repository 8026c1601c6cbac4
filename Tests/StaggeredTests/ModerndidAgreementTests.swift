import Foundation
import Staggered
import Testing

/// Agreement with an independent implementation: moderndid (Python port of R did / DRDID), run by
/// Fixtures/make_staggered_fixtures.py on mpdta with covariate lpop; its output (with the package
/// versions) is Fixtures/staggered_reference.json.
///
/// Tolerance: 1e-6 relative, with a floor of 1e-3 on the scale for values near zero (so at most 1e-9
/// absolute there). Both sides solve the same estimating equations (logit by IRLS here, by
/// statsmodels' GLM there; OLS by QR here, by least squares there) to about 1e-10, so 1e-6 leaves room
/// only for the fits' convergence criteria, never for a different formula.
@Suite struct ModerndidAgreementTests {
    static let tolerance = 1e-6

    static func reference() throws -> [[String: Any]] {
        try req(try Fixture.json("staggered_reference.json")["cases"] as? [[String: Any]])
    }

    static func options(_ c: [String: Any]) throws -> StaggeredOptions {
        let method = try req(ATTMethod(rawValue: try req(c["method"] as? String)))
        let control = try req(ComparisonGroup(rawValue: try req(c["control"] as? String)))
        return StaggeredOptions(method: method, control: control)
    }

    @Test func groupTimeATTsAndStandardErrors() throws {
        let data = try Fixture.panel(covariates: ["lpop"])
        let cases = try Self.reference()
        #expect(cases.count == 8)  // reg, ipw, dr, drimp x never, notyet
        for c in cases {
            let options = try Self.options(c)
            let est = try GroupTimeATT(data, options: options)
            let se = est.standardErrors
            let rows = try req(c["attgt"] as? [[String: Any]])
            #expect(rows.count == est.cells.count)
            for r in rows {
                let g = try req(r["group"] as? Int), t = try req(r["time"] as? Int)
                let k = try req(est.cells.firstIndex { $0.group == g && $0.time == t })
                let att = try req(r["att"] as? Double), s = try req(r["se"] as? Double)
                #expect(relativelyClose(est.cells[k].att, att, Self.tolerance),
                        "\(options.method) \(options.control) ATT(\(g),\(t)) \(est.cells[k].att) vs \(att)")
                #expect(relativelyClose(try req(se[k]), s, Self.tolerance),
                        "\(options.method) \(options.control) SE(\(g),\(t)) \(se[k] ?? .nan) vs \(s)")
            }
        }
    }

    @Test func aggregationsWithWeightInfluence() throws {
        let data = try Fixture.panel(covariates: ["lpop"])
        for c in try Self.reference() {
            let options = try Self.options(c)
            let est = try GroupTimeATT(data, options: options)
            let aggs = try req(c["aggregates"] as? [String: [String: Any]])
            for type in AggregationType.allCases {
                let ref = try req(aggs[type.rawValue])
                let mine = est.aggregate(type)
                let overall = try req(mine.overall)
                let tag = "\(options.method) \(options.control) \(type)"
                #expect(relativelyClose(overall.estimate, try req(ref["overall_att"] as? Double), Self.tolerance), "\(tag) overall")
                #expect(relativelyClose(try req(overall.standardError), try req(ref["overall_se"] as? Double), Self.tolerance),
                        "\(tag) overall SE \(overall.standardError ?? .nan) vs \(ref["overall_se"] ?? "")")
                if type == .simple { continue }
                let effects = try req(ref["effects"] as? [[String: Any]])
                #expect(effects.count == mine.table.rows.count, "\(tag) rows")
                for e in effects {
                    let key = try req(e["key"] as? Int)
                    let row = try req(mine.table.rows.first { r in
                        switch type {
                        case .dynamic: return r.label.event == key
                        case .group: return r.label.group == key
                        default: return r.label.time == key
                        }
                    })
                    #expect(relativelyClose(row.estimate, try req(e["att"] as? Double), Self.tolerance), "\(tag) \(key)")
                    #expect(relativelyClose(try req(row.standardError), try req(e["se"] as? Double), Self.tolerance),
                            "\(tag) \(key) SE \(row.standardError ?? .nan) vs \(e["se"] ?? "")")
                }
            }
        }
    }

    @Test func waldPreTest() throws {
        let data = try Fixture.panel(covariates: ["lpop"])
        for c in try Self.reference() {
            let options = try Self.options(c)
            let wald = try req(c["wald"] as? [String: Any])
            guard let w = wald["statistic"] as? Double else { continue }
            let test = try req(try GroupTimeATT(data, options: options).preTest())
            #expect(test.degreesOfFreedom == 5)  // pre-treatment cells: (2006: 2004, 2005), (2007: 2004, 2005, 2006)
            #expect(relativelyClose(test.statistic, w, Self.tolerance), "\(options.method) \(options.control) W \(test.statistic) vs \(w)")
        }
    }
}
