import _DiDKitTestSupport
import Foundation
import Linalg
import Regression
import Tabular
import Design
import Estimation
import Testing

/// Agreement with statsmodels on 100,000 synthetic rows x 30 covariates (+ intercept).
/// Expected values: `Fixtures/statsmodels/statsmodels_reference.json`, made by
/// `make_statsmodels_fixtures.py` in the same folder (versions in the file).
@Suite("Agreement with statsmodels (100,000 x 30)", .serialized)
struct StatsmodelsAgreementTests {
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/statsmodels/statsmodels_reference.json")
        return try! loadJSON(url)
    }()
    static let data = SyntheticRegressionData(rows: reference["rows"] as! Int,
                                              seed: UInt64((reference["seed"] as! NSNumber).int64Value))

    func section(_ name: String) -> [String: Any] { Self.reference[name] as! [String: Any] }
    func doubles(_ s: [String: Any], _ key: String) -> [Double] { (s[key] as! [NSNumber]).map(\.doubleValue) }

    func design(outcome: String) throws -> DesignMatrix {
        try DesignMatrix.build(Self.data.table, ModelSpecification(outcome: outcome, covariates: Self.data.covariates,
                                                                   cluster: "cluster"))
    }

    @Test("the Swift generator reproduces the script's data")
    func sameData() throws {
        let sums = Self.reference["checksums"] as! [String: Double]
        #expect(try Self.data.table.numeric("y").reduce(0, +) == sums["sum_y"]!)
        #expect(Swift.abs(try Self.data.table.numeric("x0").reduce(0, +) - sums["sum_x0"]!) < 1e-9)
        #expect(Swift.abs(try Self.data.table.numeric("ylin").reduce(0, +) - sums["sum_ylin"]!) < 1e-9)
        #expect(try design(outcome: "y").columnNames == (Self.reference["names"] as! [String]))
    }

    @Test("logit: coefficients, OIM/robust/cluster SEs, log-likelihoods, Wald tests, predictions")
    func logit() throws {
        let ref = section("logit")
        let d = try design(outcome: "y")
        let fit = try LogisticRegression().fit(d)
        let tol = ModelChecker.independentImplementation
        ModelChecker.expectRelative(fit.coefficients, doubles(ref, "params"), tolerance: tol, "logit params")
        let clusters = try #require(fit.designClusterIDs)
        #expect(clusters.count == Self.reference["clusters"] as! Int)
        let oim = try fit.inference(vce: .oim), robust = try fit.inference(vce: .robust)
        let cluster = try fit.inference(vce: .cluster(clusters))
        ModelChecker.expectRelative(oim.standardErrors, doubles(ref, "bse_oim"), tolerance: tol, "logit OIM SE")
        ModelChecker.expectRelative(robust.standardErrors, doubles(ref, "bse_robust"), tolerance: tol, "logit robust SE")
        ModelChecker.expectRelative(cluster.standardErrors, doubles(ref, "bse_cluster"), tolerance: tol, "logit cluster SE")
        ModelChecker.expectRelative([fit.logLikelihood, fit.nullLogLikelihood!],
                                    [ref["llf"] as! Double, ref["llnull"] as! Double], tolerance: 1e-10, "logit log-likelihoods")
        let wald = ref["wald_x1_x2_d0"] as! [String: Double]
        for (table, key) in [(oim, "oim"), (robust, "robust"), (cluster, "cluster")] {
            let w = try table.waldTest(["x1", "x2", "d0"])
            #expect(w.df == 3)
            ModelChecker.expectRelative([w.chi2], [wald[key]!], tolerance: tol, "Wald chi2 (\(key))")
        }
        var r = Matrix(rows: 1, columns: fit.names.count)
        r[0, fit.names.firstIndex(of: "x3")!] = 1
        r[0, fit.names.firstIndex(of: "x4")!] = -1
        ModelChecker.expectRelative([try oim.waldTest(r, value: [0]).chi2], [ref["wald_x3_eq_x4_oim"] as! Double],
                                    tolerance: tol, "Wald chi2 x3 = x4")
        let rows = (ref["new_rows"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
        let x = Matrix(rowMajor: rows)
        let preds = fit.predictions(x, columnNames: d.columnNames, covariance: oim.covariance)
        ModelChecker.expectRelative(preds.map(\.probability), doubles(ref, "predicted"), tolerance: tol, "predicted probabilities")
        ModelChecker.expectRelative(preds.map(\.standardError), doubles(ref, "predicted_se_oim"), tolerance: tol, "prediction SEs")
    }

    @Test("probit: coefficients, OIM and robust SEs, log-likelihood")
    func probit() throws {
        let ref = section("probit")
        let fit = try LogisticRegression(link: .probit).fit(try design(outcome: "y"))
        let tol = ModelChecker.independentImplementation
        ModelChecker.expectRelative(fit.coefficients, doubles(ref, "params"), tolerance: tol, "probit params")
        ModelChecker.expectRelative(try fit.inference().standardErrors, doubles(ref, "bse_oim"), tolerance: tol, "probit OIM SE")
        ModelChecker.expectRelative(try fit.inference(vce: .robust).standardErrors, doubles(ref, "bse_robust"),
                                    tolerance: tol, "probit robust SE")
        ModelChecker.expectRelative([fit.logLikelihood], [ref["llf"] as! Double], tolerance: 1e-10, "probit log-likelihood")
    }

    @Test("OLS: coefficients, classical/HC1/CR1 SEs, R2, Wald test, t p-values")
    func ols() throws {
        let ref = section("ols")
        let fit = try LinearRegression().fit(try design(outcome: "ylin"))
        let tol = ModelChecker.independentImplementation
        ModelChecker.expectRelative(fit.coefficients, doubles(ref, "params"), tolerance: tol, "OLS params")
        let classical = try fit.inference()
        ModelChecker.expectRelative(classical.standardErrors, doubles(ref, "bse_classical"), tolerance: tol, "OLS classical SE")
        ModelChecker.expectRelative(try fit.inference(vce: .robust).standardErrors, doubles(ref, "bse_hc1"), tolerance: tol, "OLS HC1 SE")
        ModelChecker.expectRelative(try fit.inference(vce: .cluster(fit.designClusterIDs!)).standardErrors,
                                    doubles(ref, "bse_cluster"), tolerance: tol, "OLS CR1 SE")
        ModelChecker.expectRelative([fit.rSquared], [ref["rsquared"] as! Double], tolerance: tol, "OLS R2")
        ModelChecker.expectRelative([try classical.waldTest(["x1", "x2", "d0"]).chi2], [ref["wald_x1_x2_d0_classical"] as! Double],
                                    tolerance: tol, "OLS Wald chi2")
        // p-values far below 1e-300 underflow differently; compare those above it.
        let pv = classical.rows.map(\.pValue), want = doubles(ref, "pvalues_classical")
        for (g, w) in zip(pv, want) where w > 1e-300 {
            #expect(ModelChecker.relativeDifference(g, w) < tol, "OLS p-value \(g) vs \(w)")
        }
    }
}
