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

    /// The case's options: method, control, base period, anticipation and aggte's window.
    static func options(_ c: [String: Any]) throws -> StaggeredOptions {
        let method = try req(ATTMethod(rawValue: try req(c["method"] as? String)))
        let control = try req(ComparisonGroup(rawValue: try req(c["control"] as? String)))
        let base = try req(BasePeriod(rawValue: c["base"] as? String ?? "varying"))
        let window = c["window"] as? [String: Int] ?? [:]
        return StaggeredOptions(method: method, control: control, basePeriod: base, anticipation: c["anticipation"] as? Int ?? 0,
                                minEvent: window["min_e"], maxEvent: window["max_e"], balanceEvent: window["balance_e"])
    }

    /// Both missing (a reference cell or period: no SE), or both present and close.
    static func seAgree(_ mine: Double?, _ ref: Any?) -> Bool {
        guard let r = ref as? Double else { return mine == nil }
        guard let m = mine else { return false }
        return relativelyClose(m, r, tolerance)
    }

    @Test func groupTimeATTsAndStandardErrors() throws {
        let data = try Fixture.panel(covariates: ["lpop"])
        let cases = try Self.reference()
        #expect(cases.count == 12)  // reg, ipw, dr, drimp x never, notyet; universal base; anticipation; two aggte windows
        for c in cases {
            let options = try Self.options(c)
            let est = try GroupTimeATT(data, options: options)
            let se = est.standardErrors
            let rows = try req(c["attgt"] as? [[String: Any]])
            #expect(rows.count == est.cells.count)
            for r in rows {
                let g = try req(r["group"] as? Int), t = try req(r["time"] as? Int)
                let k = try req(est.cells.firstIndex { $0.group == g && $0.time == t })
                let att = try req(r["att"] as? Double)
                #expect(relativelyClose(est.cells[k].att, att, Self.tolerance),
                        "\(options) ATT(\(g),\(t)) \(est.cells[k].att) vs \(att)")
                #expect(Self.seAgree(se[k], r["se"]), "\(options) SE(\(g),\(t)) \(se[k] ?? .nan) vs \(r["se"] ?? "nil")")
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
                let tag = "\(options) \(type)"
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
                    #expect(Self.seAgree(row.standardError, e["se"]), "\(tag) \(key) SE \(row.standardError ?? .nan) vs \(e["se"] ?? "nil")")
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
            let est = try GroupTimeATT(data, options: options)
            let test = try req(est.preTest())
            // Varying base: pre-treatment cells (2006: 2004, 2005), (2007: 2004, 2005, 2006).
            if options.basePeriod == .varying && options.anticipation == 0 { #expect(test.degreesOfFreedom == 5) }
            #expect(relativelyClose(test.statistic, w, Self.tolerance), "\(options) W \(test.statistic) vs \(w)")
        }
    }
}
