import Tabular
import Testing
import TreatmentEffects

/// `TreatmentEffects.fitWithCells` makes the fit and the disclosure cells from one estimation sample: the same fit
/// as `fit(_:)` and the same cells as `armCells(_:)`, which each redo the listwise deletion.
struct FitWithCellsTests {
    @Test("the fit of fit(_:) and the cells of armCells(_:), after listwise deletion, for every kind of estimator",
          arguments: [TreatmentEffectMethod.ra, .ipw, .aipw, .ipwra, .psmatch, .nnmatch])
    func sameAsSeparateCalls(method: TreatmentEffectMethod) throws {
        let base = try BadInputTests.simulated(n: 400)
        // Two missing covariate values and a 0/1 outcome (so that the cells carry the 1s per arm).
        var x = try base.numeric("x").doubles
        x[3] = .nan
        x[17] = .nan
        let table = try Table(numeric: [("x", x), ("t", try base.numeric("t").doubles), ("yb", try base.numeric("yb").doubles)])
        let spec = TreatmentEffectsSpecification(outcome: "yb", treatment: "t", method: method,
                                                 outcomeCovariates: method == .ipw || method == .psmatch ? [] : ["x"],
                                                 treatmentCovariates: method == .ra || method == .nnmatch ? [] : ["x"])
        let estimator = TreatmentEffects(spec)
        let (fit, cells) = try estimator.fitWithCells(table)
        let separate = try estimator.fit(table)
        #expect(cells == (try estimator.armCells(table)))
        #expect(cells.treatedPersons + cells.controlPersons == 398)
        #expect(cells.treatedOnes != nil && cells.controlOnes != nil)
        #expect(fit.observations == separate.observations)
        #expect(fit.parameters == separate.parameters)
        #expect(fit.effectVariance == separate.effectVariance)
    }
}
