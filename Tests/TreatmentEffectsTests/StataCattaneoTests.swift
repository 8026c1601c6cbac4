import Foundation
import Testing
import TreatmentEffects

/// Stata's `teffects` on cattaneo2 (Fixtures/stata_teffects.json, from statsmodels 0.14.4's
/// results_teffects.py). Stata prints 14 significant digits; our fits converge to ~1e-10, so the
/// estimates and standard errors must agree to `stataTolerance` relative.
let stataTolerance = 1e-6

struct StataCattaneoTests {
    static let cases: [(key: String, method: TreatmentEffectMethod, wnls: Bool, atet: Bool)] = [
        ("ra", .ra, false, true), ("ipw", .ipw, false, true), ("aipw", .aipw, false, false),
        ("aipw_wnls", .aipw, true, false), ("ipwra", .ipwra, false, true),
    ]

    @Test("ATE, POmean(0) and their SEs as Stata", arguments: 0..<5)
    func ate(_ c: Int) throws {
        let (key, method, wnls, _) = Self.cases[c]
        let expected = try stataRows(key, "ate")
        let fit = try TreatmentEffects(cattaneoSpecification(method, wnls: wnls)).fit(cattaneo2)
        try checkHead(fit, expected, key)
    }

    @Test("ATET, POmean(0) among the treated and their SEs as Stata", arguments: [0, 1, 4])
    func atet(_ c: Int) throws {
        let (key, method, wnls, _) = Self.cases[c]
        let expected = try stataRows(key, "atet")
        let fit = try TreatmentEffects(cattaneoSpecification(method, estimand: .atet, wnls: wnls)).fit(cattaneo2)
        try checkHead(fit, expected, key)
    }

    func checkHead(_ fit: TreatmentEffectFit, _ e: (b: [Double], se: [Double]), _ key: String) throws {
        let effectSE = fit.effectVariance.squareRoot()
        let pom0SE = try #require(fit.standardError(of: "POmean:0"))
        print("\(key): effect \(fit.effect) vs \(e.b[0]); se \(effectSE) vs \(e.se[0]); pom0 \(fit.potentialOutcomeMeans.control) vs \(e.b[1]); se \(pom0SE) vs \(e.se[1])")
        #expect(relativeClose(fit.effect, e.b[0], stataTolerance), "\(key) effect \(fit.effect) vs Stata \(e.b[0])")
        #expect(relativeClose(effectSE, e.se[0], stataTolerance), "\(key) SE \(effectSE) vs Stata \(e.se[0])")
        #expect(relativeClose(fit.potentialOutcomeMeans.control, e.b[1], stataTolerance), "\(key) POmean0 vs Stata \(e.b[1])")
        #expect(relativeClose(pom0SE, e.se[1], stataTolerance), "\(key) POmean0 SE \(pom0SE) vs Stata \(e.se[1])")
    }

    func stataRows(_ key: String, _ estimand: String) throws -> (b: [Double], se: [Double]) {
        let root = try readJSON("stata_teffects.json")
        guard let est = root["estimators"] as? [String: Any], let e = est[key] as? [String: Any],
              let t = e[estimand] as? [String: Any], let b = t["b"] as? [Double], let se = t["se"] as? [Double] else {
            throw FixtureError.malformed("stata_teffects.json \(key) \(estimand)")
        }
        return (b, se)
    }
}

/// Every coefficient of Stata's tables (outcome models OME0, OME1 and treatment model TME1), with its SE
/// from the stacked equations: the models' SEs are M-estimation SEs too (for ipwra they account for the
/// estimated weights).
struct StataCattaneoParameterTests {
    static let outcomeTerms = ["prenatal1_", "mmarried_", "mage", "fbaby_", "_cons"]
    static let treatmentTerms = ["mmarried_", "mage", "mage2", "fbaby_", "medu", "_cons"]

    @Test("every model coefficient and SE as Stata", arguments: [
        ("ra", "ate"), ("ra", "atet"), ("ipw", "ate"), ("ipw", "atet"), ("aipw", "ate"), ("aipw_wnls", "ate"),
        ("ipwra", "ate"), ("ipwra", "atet"),
    ])
    func parameters(_ key: String, _ estimand: String) throws {
        let method: TreatmentEffectMethod = key == "ra" ? .ra : key == "ipw" ? .ipw : key == "ipwra" ? .ipwra : .aipw
        let fit = try TreatmentEffects(cattaneoSpecification(method, estimand: try TreatmentEffectEstimand.parse(estimand),
                                                             wnls: key == "aipw_wnls")).fit(cattaneo2)
        let root = try readJSON("stata_teffects.json")
        let est = try #require((root["estimators"] as? [String: Any])?[key] as? [String: Any])
        let table = try #require(est[estimand] as? [String: Any])
        let b = try #require(table["b"] as? [Double])
        let se = try #require(table["se"] as? [Double])
        var names: [String] = []
        if method.usesOutcomeModel { names += Self.outcomeTerms.map { "OME0:\($0)" } + Self.outcomeTerms.map { "OME1:\($0)" } }
        if method.usesTreatmentModel { names += Self.treatmentTerms.map { "TME1:\($0)" } }
        try #require(b.count == names.count + 2, "\(key): Stata has \(b.count) rows, we name \(names.count + 2)")
        for (k, name) in names.enumerated() {
            let ours = try #require(fit.parameter(name), "\(key): no parameter \(name)")
            let oursSE = try #require(fit.standardError(of: name))
            #expect(relativeClose(ours, b[k + 2], stataTolerance), "\(key) \(estimand) \(name): \(ours) vs Stata \(b[k + 2])")
            #expect(relativeClose(oursSE, se[k + 2], stataTolerance), "\(key) \(estimand) \(name) SE: \(oursSE) vs Stata \(se[k + 2])")
        }
    }
}
