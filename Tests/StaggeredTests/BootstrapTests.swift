import Foundation
import Staggered
import Testing

/// Independent checks of the influence-function standard errors.
@Suite struct BootstrapTests {
    /// The nonparametric bootstrap over counties (moderndid's dr estimator re-run on 400 resamples,
    /// seeded; Fixtures/make_staggered_fixtures.py) against our analytic SE of dr / never treated with lpop.
    /// Tolerance: the bootstrap SE of B = 400 replications has a relative Monte Carlo error of about
    /// 1/sqrt(2(B-1)) = 3.5% for normal draws; 4 such errors (14%, rounded to 15%) bound all 12 cells
    /// with probability above 0.999 (12 x 6e-5).
    @Test func analyticSEMatchesTheNonparametricBootstrap() throws {
        let boot = try req(try Fixture.json("staggered_reference.json")["nonparametricBootstrap"] as? [String: Any])
        let rows = try req(boot["attgt"] as? [[String: Any]])
        let est = try GroupTimeATT(Fixture.panel(covariates: ["lpop"]), options: StaggeredOptions(method: .dr))
        let se = est.standardErrors
        for r in rows {
            let g = try req(r["group"] as? Int), t = try req(r["time"] as? Int)
            let k = try req(est.cells.firstIndex { $0.group == g && $0.time == t })
            let b = try req(r["se"] as? Double)
            let a = try req(se[k])
            #expect(Swift.abs(a / b - 1) < 0.15, "ATT(\(g),\(t)): analytic \(a), bootstrap \(b)")
        }
    }

    /// Our multiplier bootstrap (999 Mammen draws, seed 7) against the analytic SEs. The bootstrap SE is
    /// R did's IQR / (q75 - q25) scale, whose relative Monte Carlo error is about
    /// 1/sqrt(2 x 0.37 x B) = 3.7% for B = 999 (0.37: the IQR's efficiency for the normal scale);
    /// 4 errors = 15%.
    @Test func multiplierBootstrapSEsAndBands() throws {
        let data = try Fixture.panel(covariates: ["lpop"])
        let analytic = try GroupTimeATT(data, options: StaggeredOptions(method: .dr))
        let options = StaggeredOptions(method: .dr, bootstrap: 999, seed: 7)
        let est = try GroupTimeATT(data, options: options)
        let table = est.attgtTable()
        #expect(table.uniformBand)
        let se = analytic.standardErrors
        for (k, row) in table.rows.enumerated() {
            let b = try req(row.standardError)
            let a = try req(se[k])
            #expect(Swift.abs(b / a - 1) < 0.15, "cell \(k): bootstrap \(b), analytic \(a)")
            // A simultaneous band over 12 cells is wider than the pointwise 1.96 and narrower than Bonferroni's 2.87.
            let crit = (try req(row.ciUpper) - row.estimate) / b
            #expect(crit > 1.96 && crit < 2.87, "critical value \(crit)")
        }
        // Reproducible: the same seed gives the same table, whatever the scheduling of replications.
        let again = try GroupTimeATT(data, options: options).attgtTable()
        #expect(again == table)
        // Aggregations with a bootstrap: dynamic effects get a uniform band.
        let dynamic = est.aggregate(.dynamic)
        #expect(dynamic.table.uniformBand)
        #expect(dynamic.overall?.standardError != nil)
    }
}
