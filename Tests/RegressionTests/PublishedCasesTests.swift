import Foundation
import Regression
import Tabular
import Design
import Estimation
import Testing

/// Splits `coef[educ]` into ("coef", "educ"); `const` is DiDKit's `_cons`.
func coefficientKey(_ key: String) -> (String, String)? {
    guard let open = key.firstIndex(of: "["), key.hasSuffix("]") else { return nil }
    let term = String(key[key.index(after: open)..<key.index(before: key.endIndex)])
    return (String(key[..<open]), term == "const" ? "_cons" : term)
}

/// Every published value of the shared reference cases, within the tolerance
/// its printed precision implies. Each case's `expected.json` (copied from
/// `shared/reference/`) carries the citation beside the numbers; it is
/// repeated in a comment here.
@Suite("Published reference cases")
struct PublishedCasesTests {
    /// Hosmer & Lemeshow (2000), Applied Logistic Regression 2nd ed., Table 2.2 (p. 36),
    /// as reproduced by UCLA OARC (SAS PROC LOGISTIC output). Tolerance: one unit in the
    /// last printed digit (SAS stops early: see the case's notes).
    @Test("Hosmer-Lemeshow Table 2.2: low birthweight logit with race dummies")
    func hosmerLemeshowTable22() throws {
        let name = "hl-alr-table2-2-birthwt-logit"
        let ref = try PublishedCase(name)
        let table = try CSVReader.read(path: ref.dataPath(name))
        let design = try DesignMatrix.build(table, ModelSpecification(outcome: "low", covariates: ["age", "lwt", "race", "ftv"],
                                                                      factors: ["race"], baseLevels: ["race": "1"]))
        let fit = try LogisticRegression().fit(design, outcomeName: "low")
        let inf = try fit.inference()
        let termName = ["(Intercept)": "_cons", "race2": "race=2", "race3": "race=3", "age": "age", "lwt": "lwt", "ftv": "ftv"]
        for v in ref.values {
            let got: Double
            if let open = v.key.firstIndex(of: "["), v.key.hasSuffix("]") {
                let what = String(v.key[..<open])
                let term = termName[String(v.key[v.key.index(after: open)..<v.key.index(before: v.key.endIndex)])]!
                let row = try inf.row(term)
                switch what {
                case "coef": got = row.coefficient
                case "se": got = row.standardError
                case "or": got = row.oddsRatio!
                case "ci_lo": got = row.oddsRatioCILower!
                case "ci_hi": got = row.oddsRatioCIUpper!
                default: Issue.record("unknown key \(v.key)"); continue
                }
            } else {
                switch v.key {
                case "minus2ll": got = -2 * fit.logLikelihood
                case "minus2ll_null": got = -2 * fit.nullLogLikelihood!
                case "lr_chi2": got = fit.likelihoodRatioChi2!
                case "nobs": got = Double(fit.observations)
                default: Issue.record("unknown key \(v.key)"); continue
                }
            }
            ModelChecker.expectAbsolute(got, v.value, tolerance: v.tolerance, "\(name) \(v.key)")
        }
        #expect(fit.converged)
        #expect(fit.likelihoodRatioDF == 5)
    }

    /// Wooldridge, Introductory Econometrics, Example 17.1 / Table 17.1, column "Logit (MLE)";
    /// also percent correctly predicted 73.6, log-likelihood -401.77, pseudo R2 .220.
    /// Tolerance: half a unit in the last printed digit.
    @Test("Wooldridge Example 17.1: MROZ labour-force participation logit")
    func wooldridgeExample171() throws {
        let name = "wooldridge-ex17-1-mroz-logit"
        let ref = try PublishedCase(name)
        let table = try CSVReader.read(path: ref.dataPath(name))
        let design = try DesignMatrix.build(table, ModelSpecification(
            outcome: "inlf", covariates: ["nwifeinc", "educ", "exper", "expersq", "age", "kidslt6", "kidsge6"]))
        let fit = try LogisticRegression().fit(design, outcomeName: "inlf")
        let inf = try fit.inference()
        for v in ref.values {
            let key = v.key.replacingOccurrences(of: "logit:", with: "")
            let got: Double
            if let (what, term) = coefficientKey(key) {
                let row = try inf.row(term)
                got = what == "coef" ? row.coefficient : row.standardError
            } else {
                switch key {
                case "loglik": got = fit.logLikelihood
                case "pseudo_r2": got = fit.pseudoR2!
                case "pct_correct": got = fit.percentCorrectlyPredicted(y: design.response!)
                case "nobs": got = Double(fit.observations)
                default: Issue.record("unknown key \(key)"); continue
                }
            }
            ModelChecker.expectAbsolute(got, v.value, tolerance: v.tolerance, "\(name) \(key)")
        }
    }

    /// Wooldridge, Example 13.4 (Meyer, Viscusi & Durbin 1995), Kentucky:
    /// log(durat) = 1.126 + .0077 afchnge + .256 highearn + .191 afchnge*highearn,
    /// SEs (.031) (.0447) (.047) (.069), n = 5,626, R2 = .021.
    @Test("Wooldridge Example 13.4: 2x2 DiD by OLS, Kentucky")
    func wooldridgeExample134() throws {
        let name = "wooldridge-ex13-4-injury-did"
        let ref = try PublishedCase(name)
        let all = try CSVReader.read(path: ref.dataPath(name))
        let ky = try all.numeric("ky")
        let table = all.selectingRows(ky.indices.filter { ky[$0] == 1 })
        let design = try DesignMatrix.build(table, ModelSpecification(outcome: "ldurat", covariates: ["afchnge", "highearn", "afhigh"]))
        let fit = try LinearRegression().fit(design)
        let inf = try fit.inference()
        for v in ref.values {
            let key = v.key.replacingOccurrences(of: "ky:", with: "")
            let got: Double
            if let (what, term) = coefficientKey(key) {
                let row = try inf.row(term)
                got = what == "coef" ? row.coefficient : row.standardError
            } else {
                got = key == "r2" ? fit.rSquared : Double(fit.observations)
            }
            ModelChecker.expectAbsolute(got, v.value, tolerance: v.tolerance, "\(name) \(key)")
        }
    }

    /// Dehejia & Wahba (1999), JASA 94(448), Table 3, row "NSW": 1,794 (633),
    /// the difference in mean 1978 earnings with the pooled-variance SE.
    @Test("Dehejia-Wahba NSW experimental benchmark: difference in means")
    func dehejiaWahbaBenchmark() throws {
        let name = "dw-nsw-experimental-benchmark"
        let ref = try PublishedCase(name)
        let table = try CSVReader.read(path: ref.dataPath(name), kinds: ["data_id": .text])
        let fit = try LinearRegression().fit(try DesignMatrix.build(table, ModelSpecification(outcome: "re78", covariates: ["treat"])))
        let row = try fit.inference().row("treat")
        for v in ref.values {
            let got: Double
            switch v.key {
            case "exp:coef[treat]": got = row.coefficient
            case "exp:se[treat]": got = row.standardError
            case "exp:nobs": got = Double(fit.observations)
            default: Issue.record("unknown key \(v.key)"); continue
            }
            ModelChecker.expectAbsolute(got, v.value, tolerance: v.tolerance, "\(name) \(v.key)")
        }
    }
}
