import Distributions
import Foundation
import Linalg
import Tabular

/// The synthetic regression data of the statsmodels comparison tests.
///
/// `Tests/RegressionTests/Fixtures/statsmodels/make_statsmodels_fixtures.py`
/// generates exactly the same numbers with NumPy (same SplitMix64 stream, same
/// order of draws), fits them with statsmodels and stores only the results, so
/// the test suite needs neither Python nor a 30 MB data file.
///
/// Per row, in this order: 26 continuous `x0..x25` with
/// `x_j = 2 (u + u + u - 1.5) + 0.4 x_{j-1}`; 4 indicators `d0..d3` with
/// `d_j = [u < 0.2 + 0.1 j]`; a cluster `floor(2000 u)`; the logit outcome
/// `y = [u < 1 / (1 + exp(-eta))]`; the linear outcome
/// `ylin = eta + 2 (u - 0.5)(1 + |x0|)`; where
/// `eta = -0.3 + sum_j 0.05 ((j mod 7) - 3) x_j + 0.4 d0 - 0.3 d1 + 0.2 d2 + 0.5 d3`.
public struct SyntheticRegressionData: Sendable {
    public static let continuousCount = 26
    public static let indicatorCount = 4
    public let table: Table
    public let covariates: [String]

    public init(rows n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let p = Self.continuousCount, q = Self.indicatorCount
        var x = [[Double]](repeating: [Double](repeating: 0, count: n), count: p)
        var d = [[Double]](repeating: [Double](repeating: 0, count: n), count: q)
        var cluster = [Double](repeating: 0, count: n)
        var y = [Double](repeating: 0, count: n)
        var ylin = [Double](repeating: 0, count: n)
        let gamma = [0.4, -0.3, 0.2, 0.5]
        for i in 0..<n {
            var eta = -0.3
            for j in 0..<p {
                let s = rng.uniform() + rng.uniform() + rng.uniform()
                var v = 2 * (s - 1.5)
                if j > 0 { v += 0.4 * x[j - 1][i] }
                x[j][i] = v
                eta += 0.05 * Double((j % 7) - 3) * v
            }
            for j in 0..<q {
                let v: Double = rng.uniform() < 0.2 + 0.1 * Double(j) ? 1 : 0
                d[j][i] = v
                eta += gamma[j] * v
            }
            cluster[i] = (2000 * rng.uniform()).rounded(.down)
            y[i] = rng.uniform() < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
            ylin[i] = eta + 2 * (rng.uniform() - 0.5) * (1 + Swift.abs(x[0][i]))
        }
        var cols: [(String, [Double])] = []
        for j in 0..<p { cols.append(("x\(j)", x[j])) }
        for j in 0..<q { cols.append(("d\(j)", d[j])) }
        cols.append(("cluster", cluster))
        cols.append(("y", y))
        cols.append(("ylin", ylin))
        table = try! Table(numeric: cols)
        covariates = (0..<p).map { "x\($0)" } + (0..<q).map { "d\($0)" }
    }
}

/// Reads a JSON fixture into a dictionary.
public func loadJSON(_ url: URL) throws -> [String: Any] {
    let data = try Data(contentsOf: url)
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
}
