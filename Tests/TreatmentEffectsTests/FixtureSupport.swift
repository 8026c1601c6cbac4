import Foundation
import Tabular
import TreatmentEffects

/// Fixture files of this test target (copied into the bundle).
func fixtureURL(_ name: String) throws -> URL {
    guard let base = Bundle.module.resourceURL else { throw FixtureError.missing(name) }
    return base.appendingPathComponent("Fixtures/\(name)")
}

enum FixtureError: Error { case missing(String), malformed(String) }

/// The cattaneo2 birth-weight data (4642 births; statsmodels 0.14.4's copy of Stata's cattaneo2.dta).
let cattaneo2: Table = {
    // A missing fixture fails every test that reads it (an empty table has no columns).
    guard let url = try? fixtureURL("cattaneo2.csv"), let t = try? CSVReader.read(path: url.path) else {
        return (try? Table(numeric: [])) ?? { fatalError("cannot build an empty table") }()
    }
    return t
}()

func readJSON(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: try fixtureURL(name))
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FixtureError.malformed(name) }
    return obj
}

/// The specification of the Stata runs (statsmodels' test_teffects.py): outcome bweight on
/// prenatal1 mmarried mage fbaby; treatment mbsmoke on mmarried mage mage^2 fbaby medu, probit.
func cattaneoSpecification(_ method: TreatmentEffectMethod, estimand: TreatmentEffectEstimand = .ate,
                           wnls: Bool = false) -> TreatmentEffectsSpecification {
    TreatmentEffectsSpecification(
        outcome: "bweight", treatment: "mbsmoke_", method: method, estimand: estimand,
        outcomeCovariates: ["prenatal1_", "mmarried_", "mage", "fbaby_"],
        treatmentCovariates: ["mmarried_", "mage", "mage2", "fbaby_", "medu"],
        treatmentModel: .probit, outcomeModel: .linear, weightedOutcomeModels: wnls)
}

/// `|a - b| <= tol * max(|b|, 1e-300)`.
func relativeClose(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    Swift.abs(a - b) <= tol * Swift.max(Swift.abs(b), 1e-300)
}
