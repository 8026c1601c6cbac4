import Foundation
import Testing
import TreatmentEffects

/// statsmodels' TreatmentEffect (an independent implementation) on cattaneo2, written by
/// Fixtures/make_teffects_fixtures.py into Fixtures/statsmodels_teffects.json (versions recorded there).
/// Every estimate, SE, ratio and interval below must agree to `statsmodelsTolerance` relative.
let statsmodelsTolerance = 1e-6

struct StatsmodelsFixtureTests {
    static func cases() throws -> [[String: Any]] {
        let root = try readJSON("statsmodels_teffects.json")
        guard let cases = root["cases"] as? [[String: Any]] else { throw FixtureError.malformed("statsmodels_teffects.json cases") }
        return cases
    }

    @Test("the fixture holds all 17 cases and its package versions")
    func fixtureShape() throws {
        let root = try readJSON("statsmodels_teffects.json")
        let versions = try #require(root["versions"] as? [String: String])
        #expect(versions["statsmodels"] == "0.14.4")
        #expect(try Self.cases().count == 17)
    }

    @Test("effect, potential-outcome means and SEs as statsmodels", arguments: 0..<17)
    func matches(_ index: Int) throws {
        let all = try Self.cases()
        try #require(index < all.count)
        let c = all[index]
        let name = c["name"] as? String ?? "?"
        let methodKey = try #require(c["method"] as? String)
        let method: TreatmentEffectMethod
        var wnls = false
        switch methodKey {
        case "ra": method = .ra
        case "ipw": method = .ipw
        case "aipw": method = .aipw
        case "aipw_wls": method = .aipw; wnls = true
        case "ipw_ra": method = .ipwra
        default: Issue.record("unknown method \(methodKey)"); return
        }
        var spec = cattaneoSpecification(method, estimand: try TreatmentEffectEstimand.parse(try #require(c["estimand"] as? String)),
                                         wnls: wnls)
        spec.outcome = try #require(c["outcome"] as? String)
        spec.treatmentModel = c["treatment_model"] as? String == "logit" ? .logit : .probit
        spec.outcomeModel = c["outcome_model"] as? String == "logit" ? .logit : .linear
        let fit = try TreatmentEffects(spec).fit(cattaneo2)

        func check(_ ours: Double?, _ key: String) {
            guard let expected = c[key] as? Double else { Issue.record("\(name): no \(key) in the fixture"); return }
            guard let ours else { Issue.record("\(name): no \(key) computed"); return }
            #expect(relativeClose(ours, expected, statsmodelsTolerance), "\(name) \(key): \(ours) vs statsmodels \(expected)")
        }
        check(fit.effect, "effect")
        check(fit.effectVariance.squareRoot(), "effect_se")
        check(fit.potentialOutcomeMeans.control, "pomean0")
        check(fit.standardError(of: "POmean:0"), "pomean0_se")
        check(fit.potentialOutcomeMeans.treated, "pomean1")
        check(fit.standardError(of: "POmean:1"), "pomean1_se")

        let table = fit.effectTable()
        let row = try #require(table.rows.first)
        if c["risk_ratio"] != nil {
            // 0/1 outcome: the effect in percentage points, and the ratios of the potential-outcome means.
            #expect(table.scale == .percentagePoints)
            check(row.estimate / 100, "effect")
            check(row.standardError.map { $0 / 100 }, "effect_se")
            let ratios = try #require(fit.ratioTable())
            let rr = try #require(ratios.rows.first { $0.label.name == "risk ratio" })
            let or = try #require(ratios.rows.first { $0.label.name == "odds ratio" })
            check(rr.estimate, "risk_ratio")
            check(rr.standardError, "risk_ratio_se")
            check(or.estimate, "odds_ratio")
            check(or.standardError, "odds_ratio_se")
            let rrCI = try #require(c["risk_ratio_ci"] as? [Double])
            let orCI = try #require(c["odds_ratio_ci"] as? [Double])
            #expect(relativeClose(try #require(rr.ciLower), rrCI[0], statsmodelsTolerance))
            #expect(relativeClose(try #require(rr.ciUpper), rrCI[1], statsmodelsTolerance))
            #expect(relativeClose(try #require(or.ciLower), orCI[0], statsmodelsTolerance))
            #expect(relativeClose(try #require(or.ciUpper), orCI[1], statsmodelsTolerance))
        } else {
            #expect(table.scale == .outcomeUnits)
            check(row.estimate, "effect")
            #expect(fit.ratioTable() == nil)
        }
        // The estimating equations are solved at the estimate.
        #expect(fit.maxMeanEstimatingEquation < 1e-6, "\(name): mean estimating equation \(fit.maxMeanEstimatingEquation)")
    }
}
