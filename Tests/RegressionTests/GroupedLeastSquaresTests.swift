import Linalg
import Regression
import Testing

/// `LinearRegression.fitCoefficientsInTwoGroups` (per-group centred Grams of `[X | y]` in one pass, Cholesky of the
/// centred normal equations) against `LinearRegression.fitCoefficients` on each group's rows (a streamed Householder
/// QR): two factorisations of the same least-squares problems, so the coefficients agree to rounding on these
/// well-conditioned designs, and the collinearity rule (the same survey numbers) omits the same columns.
@Suite("least squares in two groups from one pass of Grams")
struct GroupedLeastSquaresTests {
    /// `StreamedLeastSquaresTests.data` (x1 in units of 50, x2 0/1, x3 = 2 x1 - x2 collinear, intercept), with x1
    /// shifted by `offset` (a column whose mean dwarfs its spread: the centring's case) and the group of row `i`
    /// `i % 3 == 1` (scattered rows: several blocks and stripes per group).
    static func data(_ n: Int, offset: Double = 0) -> (x: Matrix, y: [Double], names: [String], second: [Bool]) {
        var d = StreamedLeastSquaresTests.data(n)
        for i in 0..<n { d.x[i, 0] += offset; d.x[i, 2] = 2 * d.x[i, 0] - d.x[i, 1] }
        return (d.x, d.y, d.names, (0..<n).map { $0 % 3 == 1 })
    }

    func rows(_ second: [Bool], group g: Int) -> [Int] { second.indices.filter { second[$0] == (g == 1) } }

    @Test("coefficients and omitted columns as the streamed QR on each group's rows", arguments: [0.0, 1e4])
    func agreesWithQR(offset: Double) throws {
        let d = Self.data(30_000, offset: offset)
        let fits = LinearRegression().fitCoefficientsInTwoGroups(d.x, y: d.y, names: d.names, inSecondGroup: d.second)
        for g in 0...1 {
            let grouped = try fits[g].get()
            let qr = try LinearRegression().fitCoefficients(d.x, y: d.y, names: d.names, weights: nil, rows: rows(d.second, group: g))
            #expect(grouped.names == qr.names)
            #expect(grouped.names == ["x1", "x2", "_cons"])  // x3 omitted as collinear, by the QR path's rule
            for (a, b) in zip(grouped.coefficients, qr.coefficients) {
                #expect(Swift.abs(a - b) <= 1e-10 * Swift.abs(b), "group \(g): \(a) vs \(b)")
            }
        }
    }

    @Test("without an intercept: the raw normal equations, as the QR without an intercept")
    func noIntercept() throws {
        let d = Self.data(20_000, offset: 3)
        let x = d.x.selecting(rows: Array(0..<d.x.rows), columns: [0, 1])
        let names = ["x1", "x2"]
        let fits = LinearRegression().fitCoefficientsInTwoGroups(x, y: d.y, names: names, inSecondGroup: d.second)
        for g in 0...1 {
            let grouped = try fits[g].get()
            let qr = try LinearRegression().fitCoefficients(x, y: d.y, names: names, weights: nil, rows: rows(d.second, group: g))
            #expect(grouped.names == qr.names)
            for (a, b) in zip(grouped.coefficients, qr.coefficients) {
                #expect(Swift.abs(a - b) <= 1e-10 * Swift.abs(b), "group \(g): \(a) vs \(b)")
            }
        }
    }

    @Test("a group with fewer rows than coefficients gets the QR path's error; the other group is still fitted")
    func tooFewRows() throws {
        let d = StreamedLeastSquaresTests.data(2_000)
        let second = (0..<d.x.rows).map { $0 == 0 || $0 == 4 }  // group 1: two rows
        let fits = LinearRegression().fitCoefficientsInTwoGroups(d.x, y: d.y, names: d.names, inSecondGroup: second)
        var qrError: RegressionError?
        do { _ = try LinearRegression().fitCoefficients(d.x, y: d.y, names: d.names, weights: nil, rows: [0, 4]) } catch let e as RegressionError {
            qrError = e
        }
        #expect(qrError != nil)
        switch fits[1] {
        case .success: Issue.record("two rows cannot fit the kept columns")
        case .failure(let e): #expect(e == qrError)
        }
        let qr0 = try LinearRegression().fitCoefficients(d.x, y: d.y, names: d.names, weights: nil, rows: rows(second, group: 0))
        let grouped0 = try fits[0].get()
        #expect(grouped0.names == qr0.names)
        for (a, b) in zip(grouped0.coefficients, qr0.coefficients) { #expect(Swift.abs(a - b) <= 1e-10 * Swift.abs(b)) }
    }
}
