import ETWFE
import Estimation
import Foundation
import Testing

/// Agreement with the independent statsmodels fixture (Fixtures/make_etwfe_fixtures.py: the explicit-dummy
/// design fitted by `sm.OLS(...).fit(cov_type="cluster")`, CR1 `G/(G-1) (N-1)/(N-K)`; ATTs and
/// aggregations by numpy's delta method). Relative tolerance:
let fixtureTolerance = 1e-6

@Suite struct LinearMpdtaTests {
    @Test func attgtAndAggregationsAgreeWithStatsmodels() throws {
        let fit = try Fixture.mpdta()
        let fx = try dict(try Fixture.json()["mpdta_linear"])
        #expect(fit.family == .linear)
        #expect(fit.observations == 2500)
        #expect(fit.coefficients.count == Int(try num(fx["K"])))
        let e = try fit.effects(vce: .cluster)
        #expect(e.attgt.scale == .outcomeUnits)
        try expectAgree(e.attgt, try list(fx["attgt"]), key: "cell", scale: 1, tolerance: fixtureTolerance)
        try expectAgree(e.aggregate(.group), try list(fx["group"]), key: "group", scale: 1, tolerance: fixtureTolerance)
        try expectAgree(e.aggregate(.calendar), try list(fx["calendar"]), key: "time", scale: 1, tolerance: fixtureTolerance)
        try expectAgree(e.aggregate(.event), try list(fx["event"]), key: "event", scale: 1, tolerance: fixtureTolerance)
        let simple = try dict(fx["simple"])
        let overall = try req(e.overall)
        #expect(relativelyClose(overall.estimate, try num(simple["att"]), fixtureTolerance))
        #expect(relativelyClose(overall.standardError ?? .nan, try num(simple["se"]), fixtureTolerance))
    }

    /// Published check: R etwfe's README (grantmcdermott/etwfe, `etwfe(lemp ~ lpop, tvar = year,
    /// gvar = first.treat, data = mpdta, vcov = ~countyreal)`, then `emfx(mod)`) prints the simple
    /// ATT -0.0506 with SE 0.0125. Agreement to the printed digits (half a unit of the last digit).
    /// fixest counts fewer parameters in its small-sample factor (nested fixed effects), which moves
    /// the SE in the 5th digit, below the printed precision.
    @Test func simpleATTReproducesEtwfeReadme() throws {
        let overall = try req(try Fixture.mpdta().effects(vce: .cluster).overall)
        #expect(Swift.abs(overall.estimate - -0.0506) <= 0.00005, "\(overall.estimate)")
        #expect(Swift.abs((overall.standardError ?? .nan) - 0.0125) <= 0.00005, "\(overall.standardError ?? .nan)")
    }

    @Test func neverTreatedControlsAgreeWithStatsmodels() throws {
        let fit = try Fixture.mpdta(control: .never)
        let fx = try dict(try Fixture.json()["mpdta_linear_never"])
        #expect(fit.coefficients.count == Int(try num(fx["K"])))
        let e = try fit.effects(vce: .cluster)
        try expectAgree(e.attgt, try list(fx["attgt"]), key: "cell", scale: 1, tolerance: fixtureTolerance)
        try expectAgree(e.aggregate(.event), try list(fx["event"]), key: "event", scale: 1, tolerance: fixtureTolerance)
        // Pre-treatment (placebo) event times are present with never-treated controls.
        #expect(e.aggregate(.event).rows.contains { ($0.label.event ?? 0) < 0 })
    }

    /// HC1 (Stata's `regress, vce(robust)`; statsmodels `cov_type="HC1"` in the fixture).
    @Test func robustAgreesWithStatsmodelsHC1() throws {
        let e = try Fixture.mpdta().effects(vce: .robust)
        let fx = try dict(try Fixture.json()["mpdta_linear_robust"])
        try expectAgree(e.attgt, try list(fx["attgt"]), key: "cell", scale: 1, tolerance: fixtureTolerance)
        try expectAgree(e.aggregate(.event), try list(fx["event"]), key: "event", scale: 1, tolerance: fixtureTolerance)
    }

    @Test func oneFitServesEverySEKind() throws {
        let fit = try Fixture.mpdta()
        let c = try req(try fit.effects(vce: .cluster).overall)
        let r = try req(try fit.effects(vce: .robust).overall)
        let o = try req(try fit.effects(vce: .oim).overall)
        #expect(c.estimate == r.estimate && r.estimate == o.estimate)
        #expect(c.standardError != r.standardError && r.standardError != o.standardError)
    }
}

/// Published check at full precision: R etwfe's own test suite (inst/tinytest/test_etwfe.R, `m1_known`,
/// "from etwfe(...) |> fixest::coeftable() |> dput()", clustered by countyreal) lists the mpdta
/// coefficients and SEs of the seven `.Dtreat:first.treat::g:year::t` terms. Our no-covariate design
/// reproduces them (so `m1` is `lemp ~ 0`); in the linear model a cell's ATT is its coefficient.
/// Tolerance 1e-9 relative (the values are printed to 15-17 digits; fixest's small-sample factor
/// equals Stata's here).
@Suite struct EtwfeTinytestTests {
    static let tolerance = 1e-9
    static let m1Known: [(g: Int, t: Int, estimate: Double, se: Double)] = [
        (2004, 2004, -0.0193723636759116, 0.0223952764912568),
        (2004, 2005, -0.0783190990620529, 0.030506236091693),
        (2004, 2006, -0.136078114440309, 0.0354768817979489),
        (2004, 2007, -0.104707471576594, 0.0338947465597152),
        (2006, 2006, 0.00251386194191313, 0.0199448451562706),
        (2006, 2007, -0.0391927355917248, 0.0240232361043774),
        (2007, 2007, -0.0431060328087001, 0.0184422693090335),
    ]

    @Test func noCovariateCellsReproduceEtwfesTestSuite() throws {
        let e = try Fixture.mpdta(covariates: []).effects(vce: .cluster)
        #expect(e.attgt.rows.count == Self.m1Known.count)
        for k in Self.m1Known {
            let r = try req(e.attgt.row(group: k.g, time: k.t), "cell \(k.g) \(k.t)")
            #expect(relativelyClose(r.estimate, k.estimate, Self.tolerance), "\(k.g),\(k.t): \(r.estimate) vs \(k.estimate)")
            #expect(relativelyClose(r.standardError ?? .nan, k.se, Self.tolerance), "\(k.g),\(k.t) SE: \(r.standardError ?? .nan) vs \(k.se)")
        }
    }
}
