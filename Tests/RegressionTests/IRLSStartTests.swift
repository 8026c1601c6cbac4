import Distributions
import Linalg
@testable import Regression
import Design
import Estimation
import Testing

/// The first IRLS pass of a fit, at the intercept-only start, comes in closed
/// form from the design survey's sums (`IRLSPass.atConstant`); it must be the
/// pass over the rows that it replaces. The expected values are that pass,
/// `IRLSPass.run` on the same design at the same coefficients.
@Suite("IRLS start pass from the survey")
struct IRLSStartTests {
    /// 20,000 rows (five 4,096-row blocks in five stripes): a continuous
    /// column, a year-like column whose mean (about 2014.5) dwarfs its spread,
    /// an indicator, a count, and the intercept; outcome about 12% ones.
    static func design() -> (x: Matrix, y: [Double]) {
        let n = 20_000
        var rng = SplitMix64(seed: 2026)
        var x0 = [Double](), year = [Double](), d = [Double](), count = [Double](), y = [Double]()
        for _ in 0..<n {
            let a = 2 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5)
            let yr = 2010 + (10 * rng.uniform()).rounded(.down)
            let di: Double = rng.uniform() < 0.3 ? 1 : 0
            let c = (4 * rng.uniform()).rounded(.down)
            let eta = -2.2 + 0.5 * a + 0.05 * (yr - 2014) + 0.4 * di - 0.1 * c
            x0.append(a); year.append(yr); d.append(di); count.append(c)
            y.append(rng.uniform() < 1 / (1 + Double.exp(-eta)) ? 1 : 0)
        }
        return (Matrix(columns: [x0, year, d, count, [Double](repeating: 1, count: n)]), y)
    }

    @Test("the logit start pass from the survey equals a pass over the rows")
    func logitStartEqualsPass() throws {
        let (x, y) = Self.design()
        let survey = DesignSurvey(x, y: y, interceptColumn: 4)
        let ybar = y.reduce(0, +) / Double(y.count)
        let beta = [0, 0, 0, 0, Double.log(ybar / (1 - ybar))]
        let closed = try #require(IRLSPass.atConstant(LogitLink.self, eta: beta[4], survey: survey, columns: Array(0..<5), y: y))
        let pass = IRLSPass.run(LogitLink.self, source: x, y: y, weights: nil, beta: beta)

        ModelChecker.expectRelative([closed.logLikelihood], [pass.logLikelihood], tolerance: 1e-13, "log-likelihood")
        // The gradient at the intercept-only estimate is a difference of large sums (its intercept
        // entry is zero): compared against the size of the sums, sum_i |x_ij s_i|.
        let scores = pass.scores(y: y)
        for j in 0..<5 {
            let scale = (0..<y.count).reduce(0.0) { $0 + Swift.abs(x[$1, j] * scores[$1]) }
            #expect(Swift.abs(closed.gradient[j] - pass.gradient[j]) <= 1e-13 * scale,
                    "gradient[\(j)]: \(closed.gradient[j]) vs \(pass.gradient[j])")
        }
        ModelChecker.expectRelative(closed.information.storage, pass.information.storage, tolerance: 1e-12, "information")
        #expect(closed.eta(rows: y.count) == pass.eta(rows: y.count))
        #expect(closed.scores(y: y) == scores)
    }

    @Test("a fit from the closed-form start equals one that makes the start pass, one pass fewer")
    func fitWithoutStartPass() throws {
        // The year enters centred here: with its raw values (mean 2014.5, sd 2.9) the information's
        // condition number is about 5e5, so any change in the order of additions moves the
        // intercept's and the year's SEs by cond x eps, about 1e-10, whichever start is taken. The
        // closed form's own precision on the raw year is the test above.
        var (x, y) = Self.design()
        for i in 0..<x.rows { x[i, 1] -= 2014 }
        let names = ["x0", "year", "d", "count", "_cons"]
        let closed = try LogisticRegression().fit(x, y: y, names: names)
        // Frequency weights of one are the same model, but weights make the fit read the rows for its start.
        let pass = try LogisticRegression().fit(x, y: y, names: names, weights: [Double](repeating: 1, count: y.count))
        #expect(closed.iterations == pass.iterations)
        #expect(closed.dataPasses == pass.dataPasses - 1)
        ModelChecker.expectRelative(closed.coefficients, pass.coefficients, tolerance: 1e-12, "coefficients")
        ModelChecker.expectRelative(try closed.inference().standardErrors, try pass.inference().standardErrors,
                                    tolerance: 1e-12, "OIM SEs")
        ModelChecker.expectRelative([closed.logLikelihood], [pass.logLikelihood], tolerance: 1e-14, "log-likelihood")
    }

    @Test("a probit start is not taken from the survey (its weights depend on the outcome)")
    func probitHasNoClosedForm() {
        let (x, y) = Self.design()
        let survey = DesignSurvey(x, y: y, interceptColumn: 4)
        #expect(IRLSPass.atConstant(ProbitLink.self, eta: -1.2, survey: survey, columns: Array(0..<5), y: y) == nil)
    }

    @Test("the survey's indicator counts are exact: sums and cross-products with the outcome")
    func surveyCounts() {
        let (x, y) = Self.design()
        let survey = DesignSurvey(x, y: y, interceptColumn: 4)
        // x0 and the year are not 0/1, d is, the count takes 0...3; the intercept is not checked, so it keeps `true`.
        #expect(survey.binary == [false, false, true, false, true])
        let d = x.column(2)
        #expect(survey.columnSums[2] == Double(d.filter { $0 == 1 }.count))
        #expect(survey.outcomeCrossProducts[2] == Double(zip(d, y).filter { $0 == 1 && $1 == 1 }.count))
        #expect(survey.outcomeSum == Double(y.filter { $0 == 1 }.count))
    }
}
