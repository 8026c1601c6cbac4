import ETWFE
import Estimation
import Linalg
@testable import Regression
import Testing

/// The logit with covariates runs on the design's cell structure (row `(i, p)` is `A_{(c_i, p)} z_i`,
/// `z_i = (1, x_i)`; ``ETWFEDesign/cellLoadings``). Checked two ways: the loadings rebuild every dense
/// design row exactly, and the fit equals the dense fit of the same materialised design (the regrouped
/// sums' order only). The statsmodels agreement of the covariate fit (LogitTests) runs on this path too.
@Suite struct CellStructureTests {
    @Test func theCellLoadingsRebuildEveryDesignRow() throws {
        let fit = try Fixture.logitPanel(covariates: ["x"])
        let design = fit.design, loadings = design.cellLoadings
        let q = loadings.factorCount, n = design.rows
        var cells = [Int32](repeating: 0, count: n), z = [Double](repeating: 0, count: n * q)
        loadings.source.factors(rows: 0..<n, cells: &cells, z: &z)
        let nT = fit.panel.periodCount
        for r in 0..<n {
            var row = [Double](repeating: 0, count: design.columns)
            for e in loadings.cells[Int(cells[r])] { row[e.column] += e.coefficient * z[r * q + e.factor] }
            #expect(row == design.row(unit: r / nT, period: r % nT), "row \(r)")
            if row != design.row(unit: r / nT, period: r % nT) { break }
        }
    }

    @Test func theCovariateLogitOnCellsEqualsTheDenseFit() throws {
        let fit = try Fixture.logitPanel(covariates: ["x"])
        guard case .logit(let cells) = fit.regression else { Issue.record("not a logit fit"); return }
        #expect(cells.design.cellStructure != nil)
        let dense = try LogisticRegression().fit(fit.design.materialized(), y: fit.panel.outcome, names: fit.design.names,
                                                 outcomeName: "outcome", hasIntercept: true)
        #expect(dense.design.cellStructure == nil && cells.names == dense.names)
        #expect(relativelyClose(cells.logLikelihood, dense.logLikelihood, 1e-12))
        for (a, b) in zip(cells.coefficients, dense.coefficients) { #expect(relativelyClose(a, b, 1e-9, floor: 1e-6)) }
        let vc = try cells.covariance(.robust), vd = try dense.covariance(.robust)
        for j in 0..<vd.columns { #expect(relativelyClose(vc[j, j], vd[j, j], 1e-9)) }
    }
}
