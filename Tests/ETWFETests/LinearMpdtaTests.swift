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

    @Test func oneFitServesEverySEKind() throws {
        let fit = try Fixture.mpdta()
        let c = try req(try fit.effects(vce: .cluster).overall)
        let r = try req(try fit.effects(vce: .robust).overall)
        let o = try req(try fit.effects(vce: .oim).overall)
        #expect(c.estimate == r.estimate && r.estimate == o.estimate)
        #expect(c.standardError != r.standardError && r.standardError != o.standardError)
    }
}
