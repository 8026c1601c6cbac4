import ETWFE
import Estimation
import Foundation
import Staggered
import Testing

/// The logit ETWFE on the seeded synthetic panel Fixtures/etwfe_logit_panel.csv (1,200 persons x
/// 2001-2008, cohorts 2004, 2006, 2008 and never treated, effects growing with time since start),
/// against statsmodels `Logit(...).fit(method="newton")` on the same explicit-dummy design, with the
/// ATTs, delta-method SEs (cluster: Stata's `G/(G-1)` sandwich; robust: `N/(N-1)`; oim: the inverse Hessian) and odds
/// ratios computed by numpy in Fixtures/make_etwfe_fixtures.py.
@Suite struct LogitTests {
    func check(_ key: String, covariates: [String]) throws {
        let fit = try Fixture.logitPanel(covariates: covariates)
        #expect(fit.family == .logit)  // the default for a 0/1 outcome
        let fx = try dict(try Fixture.json()[key])
        #expect(fit.coefficients.count == Int(try num(fx["K"])))
        if case .logit(let m) = fit.regression {
            #expect(relativelyClose(m.logLikelihood, try num(fx["loglik"]), 1e-9))
        } else { Issue.record("not a logit fit") }
        for (vce, name) in [(VCEKind.cluster, "cluster"), (.oim, "oim"), (.robust, "robust")] {
            let e = try fit.effects(vce: vce)
            let f = try dict(fx[name])
            #expect(e.attgt.scale == .percentagePoints)
            try expectAgree(e.attgt, try list(f["attgt"]), key: "cell", scale: 100, tolerance: fixtureTolerance)
            try expectAgree(e.aggregate(.group), try list(f["group"]), key: "group", scale: 100, tolerance: fixtureTolerance)
            try expectAgree(e.aggregate(.calendar), try list(f["calendar"]), key: "time", scale: 100, tolerance: fixtureTolerance)
            try expectAgree(e.aggregate(.event), try list(f["event"]), key: "event", scale: 100, tolerance: fixtureTolerance)
            let simple = try dict(f["simple"]), overall = try req(e.overall)
            #expect(relativelyClose(overall.estimate, 100 * (try num(simple["att"])), fixtureTolerance))
            #expect(relativelyClose(overall.standardError ?? .nan, 100 * (try num(simple["se"])), fixtureTolerance))
            let ors = try req(e.oddsRatios)
            #expect(ors.scale == .oddsRatio)
            let fixtureORs = try list(f["oddsRatios"])
            #expect(ors.rows.count == fixtureORs.count)
            for o in fixtureORs {
                let r = try req(ors.row(group: Int(try num(o["group"])), time: Int(try num(o["time"]))))
                #expect(relativelyClose(r.estimate, try num(o["oddsRatio"]), fixtureTolerance), "\(r.label.text)")
                #expect(relativelyClose(r.ciLower ?? .nan, try num(o["lo"]), fixtureTolerance), "\(r.label.text)")
                #expect(relativelyClose(r.ciUpper ?? .nan, try num(o["hi"]), fixtureTolerance), "\(r.label.text)")
            }
        }
    }

    @Test func withoutCovariatesAgreesWithStatsmodels() throws { try check("logit_nox", covariates: []) }
    @Test func withCovariateAgreesWithStatsmodels() throws { try check("logit_x", covariates: ["x"]) }

    /// Non-collapsibility made visible: on the probability scale the ATT is not a function of the
    /// odds ratio alone (the same OR gives different pp at different baselines), so the two tables differ
    /// in order across cells; here only the signs must agree (every true effect is positive).
    @Test func oddsRatiosAndATTsAgreeInSign() throws {
        let e = try Fixture.logitPanel(covariates: []).effects()
        let ors = try req(e.oddsRatios)
        for r in e.attgt.rows {
            let o = try req(ors.row(group: r.label.group, time: r.label.time))
            #expect((r.estimate > 0) == (o.estimate > 1), "\(r.label.text)")
        }
    }
}

/// The collapsed path (no-covariate logit on cohort x period x outcome cells with frequency weights)
/// against the row-level fit on the same data: the same estimates and the same `oim` and `robust`
/// SEs (exact regrouping of the sums; tolerance for the different summation order and Newton path),
/// and the same clustered SEs (the collapsed fit's from the cohort moments of the outcome vectors).
@Suite struct CollapsedTests {
    static let tolerance = 1e-8

    @Test func collapsedFitEqualsTheRowLevelFit() throws {
        let table = try Fixture.table("etwfe_logit_panel.csv")
        func fit(_ collapse: Bool) throws -> ETWFEFit {
            try ETWFE.fit(table: table, id: "id", time: "year", outcome: "y", group: "cohort",
                          options: ETWFEOptions(family: .logit, collapse: collapse))
        }
        let rows = try fit(false), cells = try fit(true)
        #expect(cells.collapsed && !rows.collapsed)
        #expect(cells.observations == rows.observations)
        for (a, b) in zip(cells.coefficients, rows.coefficients) { #expect(relativelyClose(a, b, Self.tolerance, floor: 1e-6)) }
        for vce in [VCEKind.oim, .robust, .cluster] {
            let c = try cells.effects(vce: vce), r = try rows.effects(vce: vce)
            for type in ETWFEAggregation.allCases {
                for (x, y) in zip(c.aggregate(type).rows + c.attgt.rows, r.aggregate(type).rows + r.attgt.rows) {
                    #expect(x.label == y.label)
                    #expect(relativelyClose(x.estimate, y.estimate, Self.tolerance), "\(vce) \(x.label.text)")
                    #expect(relativelyClose(x.standardError ?? .nan, y.standardError ?? .nan, Self.tolerance), "\(vce) \(x.label.text)")
                }
            }
        }
        #expect(throws: ETWFEError.collapseNotExact) {
            try ETWFE.fit(table: table, id: "id", time: "year", outcome: "y", group: "cohort", covariates: ["x"],
                          options: ETWFEOptions(collapse: true))
        }
    }

    @Test func collapsedClusterSEsEqualTheRowLevelOnesWithClustersOfSeveralUnits() throws {
        let table = try Fixture.table("etwfe_logit_panel.csv")
        let columns = try ["id", "year", "y", "cohort"].map { name in try table.numeric(name) }
        let values = columns.map { c in (0..<c.count).map { c[$0] } }
        // Clusters of several units, across cohorts: id mod 7.
        let cluster = values[0].map { Int($0) % 7 }
        let data = try StaggeredData(id: values[0], time: values[1], outcome: values[2], group: values[3], cluster: cluster)
        let rows = try ETWFE.fit(data, options: ETWFEOptions(family: .logit, collapse: false))
        let cells = try ETWFE.fit(data, options: ETWFEOptions(family: .logit, collapse: true))
        let c = try cells.effects(vce: .cluster), r = try rows.effects(vce: .cluster)
        for type in ETWFEAggregation.allCases {
            for (x, y) in zip(c.aggregate(type).rows + c.attgt.rows, r.aggregate(type).rows + r.attgt.rows) {
                #expect(relativelyClose(x.standardError ?? .nan, y.standardError ?? .nan, Self.tolerance), "\(x.label.text)")
            }
        }
    }
}
