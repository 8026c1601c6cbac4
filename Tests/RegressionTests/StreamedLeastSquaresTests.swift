import Linalg
import Regression
import Testing

/// `LinearRegression.fitCoefficients` (a tall-skinny QR streamed over row blocks of some rows) against the dense
/// Householder fit of the same rows (`LinearRegression.fit` on a copy of them): an independent factorisation of
/// the same problem, so the two agree to rounding.
@Suite("streamed least squares on a subset of rows")
struct StreamedLeastSquaresTests {
    /// n rows: x1 ~ U(-1, 1) * 50, x2 = 0/1, x3 = 2 x1 - x2 (collinear), intercept; y = 3 + 0.2 x1 - 1.5 x2 + noise.
    static func data(_ n: Int) -> (x: Matrix, y: [Double], w: [Double], names: [String]) {
        var x = Matrix(rows: n, columns: 4)
        var y = [Double](repeating: 0, count: n), w = y
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for i in 0..<n {
            let x1 = (uniform() * 2 - 1) * 50, x2: Double = uniform() < 0.3 ? 1 : 0
            x[i, 0] = x1; x[i, 1] = x2; x[i, 2] = 2 * x1 - x2; x[i, 3] = 1
            y[i] = 3 + 0.2 * x1 - 1.5 * x2 + (uniform() - 0.5)
            w[i] = 0.5 + uniform()
        }
        return (x, y, w, ["x1", "x2", "x3", "_cons"])
    }

    @Test("coefficients as the dense QR fit on the same rows, with and without weights, across many row blocks",
          arguments: [false, true])
    func agreesWithDenseFit(weighted: Bool) throws {
        let d = Self.data(30_000)
        let rows = (0..<d.x.rows).filter { $0 % 3 != 1 }  // 20,000 scattered rows: several blocks and stripes
        let streamed = try LinearRegression().fitCoefficients(d.x, y: d.y, names: d.names, weights: weighted ? d.w : nil, rows: rows)
        let sub = d.x.selecting(rows: rows, columns: Array(0..<4))
        let dense = try LinearRegression().fit(sub, y: rows.map { d.y[$0] }, names: d.names,
                                               weights: weighted ? rows.map { d.w[$0] } : nil, weightKind: .analytic)
        #expect(streamed.names == dense.names)
        #expect(streamed.names == ["x1", "x2", "_cons"])  // x3 omitted as collinear, as the dense fit does
        for (a, b) in zip(streamed.coefficients, dense.coefficients) {
            #expect(Swift.abs(a - b) <= 1e-10 * Swift.abs(b), "\(a) vs \(b)")
        }
    }

    /// Relative agreement of two matrices, entry by entry, against the largest entry of `b`.
    static func close(_ a: Matrix, _ b: Matrix, _ tol: Double) -> Bool {
        let scale = b.storage.map(Swift.abs).max() ?? 0
        return a.rows == b.rows && a.columns == b.columns && zip(a.storage, b.storage).allSatisfy { Swift.abs($0 - $1) <= tol * scale }
    }

    /// The whole fit streamed (`fit(streaming:)`, never holding the design) against the dense QR fit of the
    /// materialised design: the same kept columns and notes, coefficients to 1e-10 relative, the bread, the
    /// sums of squares and every SE kind (classical, HC1, CR1 with contiguous and scattered clusters) to
    /// 1e-9, the fitted values to 1e-12 of their scale. 30,000 rows: several blocks and stripes.
    @Test("the streamed fit is the dense fit: coefficients, bread, sums of squares, every covariance")
    func streamedFitIsTheDenseFit() throws {
        let d = Self.data(30_000)
        let contiguous = ClusterIDs(codes: (0..<d.x.rows).map { Int32($0 / 7) }, count: (d.x.rows + 6) / 7)
        let scattered = ClusterIDs(codes: (0..<d.x.rows).map { Int32($0 % 50) }, count: 50)
        let streamed = try LinearRegression().fit(streaming: d.x, y: d.y, names: d.names, clusters: contiguous)
        let dense = try LinearRegression().fit(d.x, y: d.y, names: d.names, clusters: contiguous)
        #expect(streamed.names == ["x1", "x2", "_cons"] && streamed.names == dense.names)
        #expect(streamed.omitted == dense.omitted && streamed.notes == dense.notes)
        #expect(streamed.observations == dense.observations)
        for (a, b) in zip(streamed.coefficients, dense.coefficients) { #expect(Swift.abs(a - b) <= 1e-10 * Swift.abs(b), "\(a) vs \(b)") }
        #expect(Self.close(streamed.bread, dense.bread, 1e-9))
        #expect(Swift.abs(streamed.residualSumOfSquares - dense.residualSumOfSquares) <= 1e-9 * dense.residualSumOfSquares)
        #expect(Swift.abs(streamed.totalSumOfSquares - dense.totalSumOfSquares) <= 1e-9 * dense.totalSumOfSquares)
        let yScale = d.y.map(Swift.abs).max() ?? 1
        #expect(zip(streamed.fittedValues, dense.fittedValues).allSatisfy { Swift.abs($0 - $1) <= 1e-12 * yScale })
        for vce in [VarianceEstimator.oim, .robust, .cluster(contiguous), .cluster(scattered)] {
            #expect(Self.close(try streamed.covariance(vce), try dense.covariance(vce), 1e-9), "\(vce.name)")
        }
    }

    @Test("fewer rows than coefficients: the dense fit's error on the same rows")
    func tooFewRows() {
        let d = Self.data(10)
        let rows = [0, 4]  // two rows: at least x1 and the intercept are kept
        func error(_ body: () throws -> Void) -> RegressionError? {
            do { try body(); return nil } catch let e as RegressionError { return e } catch { return nil }
        }
        let streamed = error { _ = try LinearRegression().fitCoefficients(d.x, y: d.y, names: d.names, weights: nil, rows: rows) }
        let dense = error {
            _ = try LinearRegression().fit(d.x.selecting(rows: rows, columns: Array(0..<4)), y: rows.map { d.y[$0] }, names: d.names)
        }
        #expect(dense != nil)
        #expect(streamed == dense)
    }
}
