import _DiDKitTestSupport
import Distributions
import Foundation
import Linalg
import Regression
import Tabular
import Design
import Estimation
import Testing

/// Properties that must hold for any data (no external reference needed).
@Suite("Logistic regression properties")
struct LogisticPropertyTests {
    static let data = SyntheticRegressionData(rows: 4000, seed: 7)
    static let covariates = ["x0", "x1", "x2", "d0", "d1"]

    func fit(_ table: Table, covariates: [String] = covariates) throws -> BinaryModelFit {
        try LogisticRegression().fit(try DesignMatrix.build(table, ModelSpecification(outcome: "y", covariates: covariates)))
    }

    @Test("estimates do not depend on row order")
    func rowOrderInvariance() throws {
        let a = try fit(Self.data.table)
        var order = Array(0..<Self.data.table.rowCount)
        var rng = SplitMix64(seed: 99)
        order.shuffle(using: &rng)
        let b = try fit(Self.data.table.selectingRows(order))
        ModelChecker.expectRelative(b.coefficients, a.coefficients, tolerance: 1e-10, "shuffled coefficients")
        ModelChecker.expectRelative(try b.inference().standardErrors, try a.inference().standardErrors, tolerance: 1e-10, "shuffled SEs")
    }

    @Test("cluster SEs are the same whether each cluster's rows are contiguous or scattered")
    func contiguousClusters() throws {
        // 20,000 rows in 2,000 clusters: sorted by cluster, the meat is streamed over
        // 5 stripes with clusters cut at block and stripe boundaries; shuffled, it is
        // built as the G x p matrix of cluster sums. Both must give the same SEs.
        let data = SyntheticRegressionData(rows: 20_000, seed: 11)
        let spec = ModelSpecification(outcome: "y", covariates: Self.covariates, cluster: "cluster")
        let cluster = try data.table.numeric("cluster")
        let sorted = (0..<data.table.rowCount).sorted { (cluster[$0], $0) < (cluster[$1], $1) }
        var shuffled = Array(0..<data.table.rowCount)
        var rng = SplitMix64(seed: 5)
        shuffled.shuffle(using: &rng)
        var ses: [[Double]] = []
        for order in [sorted, shuffled] {
            let f = try LogisticRegression().fit(try DesignMatrix.build(data.table.selectingRows(order), spec))
            ses.append(try f.inference(vce: .cluster(try #require(f.designClusterIDs))).standardErrors)
        }
        ModelChecker.expectRelative(ses[0], ses[1], tolerance: 1e-10, "cluster SEs, contiguous vs scattered")
    }

    @Test("odds ratio is exp(b), its SE exp(b) SE(b), its CI exp of the coefficient CI")
    func oddsRatios() throws {
        for row in try fit(Self.data.table).inference(level: 90).rows {
            #expect(row.oddsRatio! == Foundation.exp(row.coefficient))
            #expect(Swift.abs(row.oddsRatioStandardError! - row.oddsRatio! * row.standardError) <= 1e-15 * row.oddsRatio!)
            #expect(row.oddsRatioCILower! == Foundation.exp(row.ciLower))
            #expect(row.oddsRatioCIUpper! == Foundation.exp(row.ciUpper))
            // 90% interval: b +- 1.6448536... SE
            #expect(Swift.abs((row.ciUpper - row.coefficient) / row.standardError - 1.6448536269514722) < 1e-12)
        }
    }

    @Test("rescaling a covariate rescales its coefficient and SE and leaves the rest")
    func rescaling() throws {
        var t = Self.data.table
        try t.setColumn("x1", .numeric(try t.numeric("x1").map { $0 * 1000 }))
        let a = try fit(Self.data.table), b = try fit(t)
        let k = a.names.firstIndex(of: "x1")!
        #expect(ModelChecker.relativeDifference(b.coefficients[k] * 1000, a.coefficients[k]) < 1e-9)
        #expect(ModelChecker.relativeDifference(try b.inference().standardErrors[k] * 1000, try a.inference().standardErrors[k]) < 1e-9)
        #expect(Swift.abs(a.logLikelihood - b.logLikelihood) < 1e-9)
    }

    @Test("a collinear column is omitted (the later one), not crashed on")
    func collinearColumn() throws {
        var t = Self.data.table
        let x0 = try t.numeric("x0"), x1 = try t.numeric("x1")
        try t.setColumn("combo", .numeric(zip(x0, x1).map { 2 * $0 - $1 + 3 }))
        let f = try fit(t, covariates: Self.covariates + ["combo"])
        #expect(f.omitted == ["combo"])
        #expect(f.notes.contains("combo omitted because of collinearity"))
        let base = try fit(Self.data.table)
        ModelChecker.expectRelative(f.coefficients, base.coefficients, tolerance: 1e-9, "coefficients without the collinear term")
        // A constant column is collinear with the intercept.
        try t.setColumn("const7", .numeric([Double](repeating: 7, count: t.rowCount)))
        #expect(try fit(t, covariates: ["x0", "const7"]).omitted == ["const7"])
    }

    @Test("an indicator that predicts the outcome perfectly is dropped with its observations, as Stata does")
    func perfectPredictor() throws {
        var t = Self.data.table
        let y = try t.numeric("y")
        // flag = 1 on 50 rows that all have y = 0.
        var flag = [Double](repeating: 0, count: y.count)
        var set = 0
        for i in y.indices where y[i] == 0 && set < 50 { flag[i] = 1; set += 1 }
        try t.setColumn("flag", .numeric(flag))
        let f = try fit(t, covariates: ["x0", "flag"])
        #expect(f.omitted == ["flag"])
        #expect(f.notes.contains("flag != 0 predicts failure perfectly; flag dropped and 50 obs not used"))
        #expect(f.observations == y.count - 50)
        #expect(f.droppedRows == 50)
    }

    @Test("quasi-complete separation by a continuous term is flagged, complete separation is an error")
    func separation() throws {
        // Complete: y = [x > 0].
        let x = (0..<200).map { Double($0) - 99.5 }
        let y = x.map { $0 > 0 ? 1.0 : 0.0 }
        let complete = try Table(numeric: [("x", x), ("y", y)])
        #expect(throws: RegressionError.self) {
            _ = try LogisticRegression().fit(try DesignMatrix.build(complete, ModelSpecification(outcome: "y", covariates: ["x"])))
        }
        // Quasi-complete: y = [x > 0] except overlap at x = 0 (both outcomes).
        var xq = x.map { $0.rounded() }
        xq.append(contentsOf: [0, 0])
        var yq = xq.dropLast(2).map { $0 > 0 ? 1.0 : 0.0 }
        yq.append(contentsOf: [1, 0])
        let quasi = try Table(numeric: [("x", xq), ("y", yq)])
        let f = try LogisticRegression().fit(try DesignMatrix.build(quasi, ModelSpecification(outcome: "y", covariates: ["x"])))
        #expect(f.separation.isPresent)
        #expect(f.notes.contains { $0.contains("completely determined") })
    }

    @Test("frequency weights equal replicated rows")
    func frequencyWeights() throws {
        let base = Self.data.table.selectingRows(Array(0..<800))
        let w = (0..<800).map { Double($0 % 3 + 1) }
        var weighted = base
        try weighted.setColumn("w", .numeric(w))
        var replicated: [Int] = []
        for i in 0..<800 { for _ in 0..<Int(w[i]) { replicated.append(i) } }
        let spec = ModelSpecification(outcome: "y", covariates: Self.covariates)
        var wspec = spec
        wspec.weights = "w"
        let a = try LogisticRegression().fit(try DesignMatrix.build(weighted, wspec))
        let b = try LogisticRegression().fit(try DesignMatrix.build(base.selectingRows(replicated), spec))
        #expect(a.observations == b.observations)
        ModelChecker.expectRelative(a.coefficients, b.coefficients, tolerance: 1e-9, "fweight coefficients")
        ModelChecker.expectRelative(try a.inference().standardErrors, try b.inference().standardErrors, tolerance: 1e-9, "fweight SEs")
        ModelChecker.expectRelative(try a.inference(vce: .robust).standardErrors, try b.inference(vce: .robust).standardErrors,
                                    tolerance: 1e-9, "fweight robust SEs")
        #expect(Swift.abs(a.logLikelihood - b.logLikelihood) < 1e-8)
    }

    @Test("analytic weights are rescaled: multiplying them by a constant changes nothing")
    func analyticWeights() throws {
        var t = Self.data.table.selectingRows(Array(0..<1000))
        let w = (0..<1000).map { 0.5 + Double($0 % 5) / 4 }
        try t.setColumn("w1", .numeric(w))
        try t.setColumn("w2", .numeric(w.map { $0 * 37 }))
        func fitWith(_ name: String) throws -> BinaryModelFit {
            try LogisticRegression().fit(try DesignMatrix.build(t, ModelSpecification(
                outcome: "y", covariates: Self.covariates, weights: name, weightKind: .analytic)), weightKind: .analytic)
        }
        let a = try fitWith("w1"), b = try fitWith("w2")
        ModelChecker.expectRelative(a.coefficients, b.coefficients, tolerance: 1e-10, "aweight coefficients")
        ModelChecker.expectRelative(try a.inference().standardErrors, try b.inference().standardErrors, tolerance: 1e-10, "aweight SEs")
        #expect(a.observations == 1000)
    }

    @Test("stars follow the thresholds")
    func stars() {
        let s = StarConvention.regression
        #expect(s.stars(0.2) == "" && s.stars(0.07) == "*" && s.stars(0.03) == "**" && s.stars(0.001) == "***")
        #expect(StarConvention.balance.stars(0.2) == "i.s." && StarConvention.balance.stars(0.005) == "**")
        #expect(StarConvention(thresholds: [0.05]).stars(0.01) == "*")
    }
}

@Suite("Regression bad input")
struct RegressionBadInputTests {
    func fit(_ cols: [(String, [Double])], covariates: [String]) throws -> BinaryModelFit {
        try LogisticRegression().fit(try DesignMatrix.build(try Table(numeric: cols), ModelSpecification(outcome: "y", covariates: covariates)),
                                     outcomeName: "y")
    }

    @Test("outcome not 0/1")
    func outcomeNotBinary() {
        #expect(throws: RegressionError.outcomeNotBinary(column: "y", value: 2, count: 1)) {
            _ = try fit([("y", [0, 1, 2, 0]), ("x", [1, 2, 3, 4])], covariates: ["x"])
        }
    }

    @Test("constant outcome")
    func outcomeConstant() {
        #expect(throws: RegressionError.outcomeConstant(column: "y", value: 1)) {
            _ = try fit([("y", [1, 1, 1]), ("x", [1, 2, 3])], covariates: ["x"])
        }
    }

    @Test("more terms than rows")
    func moreTermsThanRows() {
        #expect(throws: RegressionError.self) {
            _ = try fit([("y", [0, 1, 0]), ("a", [1, 2, 4]), ("b", [3, 1, 2]), ("c", [5, 3, 3])], covariates: ["a", "b", "c"])
        }
    }

    @Test("no rows left after listwise deletion")
    func noRowsLeft() {
        #expect(throws: DataError.self) {
            _ = try fit([("y", [0, 1, .nan]), ("x", [.nan, .nan, 1])], covariates: ["x"])
        }
    }

    /// The second sweep: all weights 0 read "after removing the 3 rows with missing values ()".
    @Test("no rows left because every weight is zero says so, naming the weight column")
    func allWeightsZero() throws {
        let table = try Table(numeric: [("y", [0, 1, 0]), ("x", [1, 2, 3]), ("w", [0, 0, 0])])
        let spec = ModelSpecification(outcome: "y", covariates: ["x"], weights: "w", weightKind: .frequency)
        #expect(throws: DataError.noRowsAfterDeletion(dropped: 3, reasons: "w: 3 zero")) { _ = try DesignMatrix.build(table, spec) }
        #expect(DataError.noRowsAfterDeletion(dropped: 3, reasons: "w: 3 zero").description.contains("removing 3 rows (w: 3 zero)"))
    }

    @Test("unknown column")
    func unknownColumn() {
        #expect(throws: DataError.unknownColumn("z", available: ["y", "x"])) {
            _ = try fit([("y", [0, 1]), ("x", [1, 2])], covariates: ["z"])
        }
    }

    @Test("infinite values are rejected with the column and row")
    func infinity() {
        #expect(throws: DataError.nonFinite(column: "x", row: 3, value: "inf")) {
            _ = try Table(numeric: [("x", [1, .infinity])])
        }
    }

    /// A quasi-separated fit can leave the tested terms with zero or non-finite variance; the Wald test then has no
    /// constraint (Stata: `chi2(0) = .`). It used to reach `ChiSquared(degreesOfFreedom: 0)` and trap.
    @Test("a Wald test with no independent constraint is an error, not a trap")
    func waldTestWithoutConstraints() throws {
        for bad in [0.0, .nan, .infinity] {
            let v = Matrix(rowMajor: [[1, 0, 0], [0, bad, 0], [0, 0, bad]])
            let table = CoefficientTable(names: ["a", "b", "c"], coefficients: [0.5, 30, -30], covariance: v, vce: "oim", clusters: nil,
                                         level: 95, distribution: .normal, reportsOddsRatios: false)
            #expect(throws: RegressionError.noIndependentConstraints(tested: 2), "variance \(bad)") { try table.waldTest(["b", "c"]) }
            // A finite constraint beside them is still tested, with one degree of freedom: W = 0.5^2 / 1 = 0.25
            // (coefficient 0.5, variance 1, by construction above).
            let w = try table.waldTest(["a", "b"])
            #expect(w.df == 1 && Swift.abs(w.chi2 - 0.25) < 1e-15, "variance \(bad)")
        }
    }

    @Test("messages say what to do")
    func messages() {
        #expect(RegressionError.outcomeNotBinary(column: "job", value: 2, count: 5).description.contains("recode it to 0/1"))
        #expect(RegressionError.outcomeConstant(column: "job", value: 0).description.contains("needs both 0s and 1s"))
        #expect(RegressionError.tooFewObservations(observations: 3, parameters: 4).description.contains("use fewer terms"))
    }

    @Test("dropped rows are counted with reasons")
    func droppedRows() throws {
        let d = try DesignMatrix.build(try Table(numeric: [("y", [0, 1, 0, 1, .nan, 1, 0]), ("x", [1, .nan, 3, 4, 5, 2, 1])]),
                                       ModelSpecification(outcome: "y", covariates: ["x"]))
        #expect(d.droppedRows == 2)
        #expect(d.notes == ["2 rows dropped for missing values (y: 1, x: 1)"])
    }
}
