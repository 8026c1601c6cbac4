import ETWFE
import Estimation
import Linalg
@testable import Regression
import Testing

/// The logit with covariates runs on the design's cell structure (row `(i, p)` is `A_{(c_i, p)} z_i`,
/// `z_i = (1, x_i)`; ``ETWFEDesign/cellLoadings``, the design's one description). Checked two ways: every
/// design row equals the columns' definitions written out in the test, and the fit equals the dense fit of
/// the same materialised design (the regrouped sums' order only). The statsmodels agreement of the covariate fit (LogitTests) runs on this path too.
@Suite struct CellStructureTests {
    /// Every design row (made from the cell loadings) against the columns' definitions written out
    /// here from the panel alone, column by column by name (ETWFEDesign's doc: cohort and period dummies,
    /// `x`, `x*cohort`, `x*period`, `D(g,t)`, `D(g,t)*x` with `x` centred on the cohort mean, `_cons`).
    @Test func everyDesignRowMatchesTheColumnDefinitions() throws {
        let fit = try Fixture.logitPanel(covariates: ["x"])
        let panel = fit.panel, design = fit.design
        #expect(panel.covariateNames == ["x"])
        let nT = panel.periodCount
        var mismatches = 0
        for i in 0..<panel.unitCount {
            let g = panel.groups[i], c = panel.cohortIndex[i], x = panel.covariates[i, 0]
            for p in 0..<nT {
                let t = panel.periods[p]
                let cohort = { (h: Int) in c >= 0 && panel.treatedCohorts[c] == h ? 1.0 : 0.0 }
                let period = { (s: Int) in t == s ? 1.0 : 0.0 }
                let expected: [Double] = design.names.map { name in
                    if name == "_cons" { return 1 }
                    if name == "x" { return x }
                    if let h = Int(name.dropFirst("x*cohort".count)), name.hasPrefix("x*cohort") { return x * cohort(h) }
                    if let s = Int(name.dropFirst("x*period".count)), name.hasPrefix("x*period") { return x * period(s) }
                    if let h = Int(name.dropFirst("cohort".count)), name.hasPrefix("cohort") { return cohort(h) }
                    if let s = Int(name.dropFirst("period".count)), name.hasPrefix("period") { return period(s) }
                    // D(g,t) and D(g,t)*x.
                    let inner = name.dropFirst(2).prefix { $0 != ")" }.split(separator: ",").compactMap { Int($0) }
                    let d = inner.count == 2 && g == inner[0] && t == inner[1] && c >= 0 ? 1.0 : 0.0
                    return name.hasSuffix("*x") ? d * (x - panel.cohortMeans[max(c, 0)][0]) : d
                }
                if design.row(unit: i, period: p) != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(design.rows) rows differ from the column definitions")
        #expect(design.names.contains { $0.hasPrefix("D(") && $0.hasSuffix("*x") })  // the centred interactions are checked
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
