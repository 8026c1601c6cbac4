import Foundation
import Tabular
import Testing
import TreatmentEffects

/// nnmatch point estimates against causalinference (Fixtures/make_nnmatch_fixtures.py: the same estimator with
/// the inverse-variance metric, exact ties, the matched-sample bias regression). The algorithm is the same, so
/// the estimates must agree to `nnmatchTolerance` relative (rounding only).
let nnmatchTolerance = 1e-9

struct NearestNeighborMatchingTests {
    @Test("ATE and ATET as causalinference (1 and 3 neighbours, with and without bias correction)")
    func causalinference() throws {
        let root = try readJSON("causalinference_nnmatch.json")
        let cases = try #require(root["cases"] as? [[String: Any]])
        try #require(cases.count == 4)
        let table = try CSVReader.read(path: try fixtureURL("nnmatch_data.csv").path)
        for c in cases {
            let m = try #require(c["neighbors"] as? Int)
            let bias = try #require(c["bias_adjust"] as? Bool)
            for (estimand, key) in [(TreatmentEffectEstimand.ate, "ate"), (.atet, "att")] {
                let spec = TreatmentEffectsSpecification(outcome: "y", treatment: "t", method: .nnmatch, estimand: estimand,
                                                         outcomeCovariates: ["x1", "x2"], neighbors: m, metric: .ivariance,
                                                         biasAdjust: bias)
                let fit = try TreatmentEffects(spec).fit(table)
                let expected = try #require(c[key] as? Double)
                #expect(relativeClose(fit.effect, expected, nnmatchTolerance), "m=\(m) bias=\(bias) \(key): \(fit.effect) vs \(expected)")
                #expect(fit.effectVariance > 0 && fit.effectVariance.isFinite)
            }
        }
    }

    @Test("Mahalanobis metric, ties on discrete covariates, and the errors")
    func cattaneo() throws {
        let spec = TreatmentEffectsSpecification(outcome: "bweight", treatment: "mbsmoke_", method: .nnmatch,
                                                 outcomeCovariates: ["mage", "prenatal1_", "mmarried_", "fbaby_"])
        // Every 4th birth (1161 persons): the brute-force matching stays fast in a debug build.
        let subset = cattaneo2.selectingRows(Array(stride(from: 0, to: cattaneo2.rowCount, by: 4)))
        let fit = try TreatmentEffects(spec).fit(subset)
        #expect(fit.effect.isFinite && fit.effectVariance > 0)
        #expect((fit.matching?.maximumMatches ?? 0) > 1)  // discrete covariates: ties
        var noCovariates = spec
        noCovariates.outcomeCovariates = []
        #expect(throws: TreatmentEffectsError.self) { _ = try TreatmentEffects(noCovariates).fit(subset) }
    }
}
