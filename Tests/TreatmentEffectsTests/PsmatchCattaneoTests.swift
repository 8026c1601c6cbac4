import Foundation
import Testing
import TreatmentEffects

/// `teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1)` on cattaneo2 (logit score, one match,
/// ties, AI robust SEs with nn(2)), against two independent sources:
/// - Stata's published output (a Stata 17 log, https://carlos-mendez.org/post/stata_matching/): ATE -229.4492,
///   SE 25.88746; ATET -224.5927, SE 30.55147; at most 16 matches (printed to 7 significant digits);
/// - the brute-force fixture script `Fixtures/make_psmatch_fixtures.py` (`psmatch_cattaneo.json`), to 1e-6 relative.
/// The ATET's Abadie-Imbens (2016) adjustment is Stata's: `c_t` with its local-mean term and the derivative term
/// with `mu_1(x) - mu_0(x)` matched on the covariates (Euclidean); the earlier form gave 30.4697 (Docs/TreatmentEffects.md).
struct PsmatchCattaneoTests {
    static func spec(_ estimand: TreatmentEffectEstimand) -> TreatmentEffectsSpecification {
        TreatmentEffectsSpecification(outcome: "bweight", treatment: "mbsmoke_", method: .psmatch, estimand: estimand,
                                      treatmentCovariates: ["mmarried_", "mage", "fage", "medu", "prenatal1_"],
                                      treatmentModel: .logit)
    }

    static func fixture(_ key: String) throws -> [String: Double] {
        let json = try readJSON("psmatch_cattaneo.json")
        guard let row = json[key] as? [String: Any] else { throw FixtureError.malformed("psmatch_cattaneo.json \(key)") }
        return row.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    @Test("psmatch ATE and its adjusted AI standard error equal Stata's published 25.88746 and the brute-force fixture")
    func ate() throws {
        let fit = try TreatmentEffects(Self.spec(.ate)).fit(cattaneo2)
        let se = fit.effectVariance.squareRoot()
        let e = try Self.fixture("ate")
        print("psmatch ATE \(fit.effect) se \(se) (fixture \(e["effect"] ?? .nan), \(e["se"] ?? .nan); Stata -229.4492, 25.88746)")
        #expect(Swift.abs(fit.effect - -229.4492) < 5e-5)  // Stata, printed to 4 decimals
        #expect(Swift.abs(se - 25.88746) < 5e-6)            // Stata, printed to 5 decimals
        #expect(relativeClose(fit.effect, try #require(e["effect"]), 1e-9))
        #expect(relativeClose(se, try #require(e["se"]), 1e-6))
        #expect(relativeClose(try #require(fit.matching?.unadjustedVariance).squareRoot(), try #require(e["unadjusted_se"]), 1e-6))
        #expect(fit.matching?.maximumMatches == 16)          // Stata: "max = 16"
    }

    @Test("psmatch ATET and its adjusted AI standard error equal Stata's published -224.5927 and 30.55147 and the brute-force fixture")
    func atet() throws {
        let fit = try TreatmentEffects(Self.spec(.atet)).fit(cattaneo2)
        let se = fit.effectVariance.squareRoot()
        let e = try Self.fixture("atet")
        print("psmatch ATET \(fit.effect) se \(se) (fixture \(e["se"] ?? .nan); Stata -224.5927, 30.55147)")
        #expect(Swift.abs(fit.effect - -224.5927) < 5e-5)  // Stata, printed to 4 decimals
        #expect(Swift.abs(se - 30.55147) < 5e-6)            // Stata, printed to 5 decimals
        #expect(relativeClose(fit.effect, try #require(e["effect"]), 1e-9))
        #expect(relativeClose(se, try #require(e["se"]), 1e-6))
        #expect(relativeClose(try #require(fit.matching?.unadjustedVariance).squareRoot(), try #require(e["unadjusted_se"]), 1e-6))
        #expect(fit.matching?.maximumMatches == 16)          // Stata: "max = 16"
    }
}
