import Linalg
import Design
import Estimation
import Tabular

extension BinaryModelFit {
    /// Cluster ids carried by the design (`ModelSpecification.cluster`), aligned with the fit's rows.
    public var designClusterIDs: ClusterIDs? { designClusters }

    var scoreData: ScoreData {
        ScoreData(design: design, residuals: scoreResiduals, weights: weights, weightKind: weightKind)
    }

    /// The covariance of the estimates under `vce`.
    ///
    /// - `oim`: `B = I^-1`, the inverse observed information.
    /// - `robust`: `N/(N-1) B M B` with `M = sum_i s_i s_i'` (Stata's `vce(robust)` for ML models).
    /// - `cluster`: `G/(G-1) B M_c B` with `M_c = sum_g u_g u_g'` (Stata's `vce(cluster)`).
    public func covariance(_ vce: VarianceEstimator) throws -> Matrix {
        switch vce {
        case .oim:
            return bread
        case .robust:
            guard !(design is ReleasedDesign) else { throw RegressionError.designReleased }
            let nn = Double(observations)
            return sandwich(bread: bread, meat: scoreData.robustMeat(), multiplier: nn / (nn - 1))
        case .cluster(let ids):
            guard ids.codes.count == scoreResiduals.count else {
                throw RegressionError.clusterLengthMismatch(expected: scoreResiduals.count, found: ids.codes.count)
            }
            guard ids.count >= 2 else { throw RegressionError.tooFewClusters(ids.count) }
            guard !(design is ReleasedDesign) else { throw RegressionError.designReleased }
            let g = Double(ids.count)
            return sandwich(bread: bread, meat: scoreData.clusterMeat(ids), multiplier: g / (g - 1))
        }
    }

    /// The coefficient table with the model-based (OIM) covariance, which needs nothing but the fit.
    public var oimTable: CoefficientTable {
        CoefficientTable(names: names, coefficients: coefficients, covariance: bread, vce: VCEKind.oim.rawValue, clusters: nil,
                         level: 95, distribution: .normal, reportsOddsRatios: link == .logit)
    }

    /// The coefficient table under `vce`, with Wald (z) statistics and, for
    /// logit, odds ratios with delta-method SEs and exponentiated intervals.
    public func inference(vce: VarianceEstimator = .oim, level: Double = 95) throws -> CoefficientTable {
        CoefficientTable(names: names, coefficients: coefficients, covariance: try covariance(vce), vce: vce.name,
                         clusters: vce.clusterCount, level: level, distribution: .normal,
                         reportsOddsRatios: link == .logit)
    }

    /// Maps the fit's coefficients onto the columns of a design with the given
    /// names (omitted terms get 0).
    func coefficientVector(for columnNames: [String]) -> [Double] {
        var index: [String: Int] = [:]
        for (k, n) in names.enumerated() { index[n] = k }
        return columnNames.map { index[$0].map { coefficients[$0] } ?? 0 }
    }

    /// The linear predictor `x'b` for rows of a design whose columns are named `columnNames`.
    public func linearPrediction(_ x: Matrix, columnNames: [String]) -> [Double] {
        precondition(x.columns == columnNames.count, "linearPrediction: shape mismatch")
        return x.multiply(coefficientVector(for: columnNames))
    }

    /// Predicted probabilities for rows of a design (NaN rows give NaN).
    public func predictProbabilities(_ x: Matrix, columnNames: [String]) -> [Double] {
        linearPrediction(x, columnNames: columnNames).map(link.mean)
    }

    /// Predicted probabilities with delta-method standard errors and
    /// intervals, as Stata's `margins` reports them: `se(p) = f(eta) sqrt(x' V x)`
    /// and `p +- z se(p)`, where `f` is the link's density.
    public func predictions(_ x: Matrix, columnNames: [String], covariance v: Matrix, level: Double = 95) -> [PredictedProbability] {
        let z = ReferenceDistribution.normal.critical(level: level)
        var index: [String: Int] = [:]
        for (k, n) in columnNames.enumerated() { index[n] = k }
        return (0..<x.rows).map { i in
            let xi = names.map { index[$0].map { x[i, $0] } ?? 0 }
            return PredictedProbability.deltaMethod(x: xi, coefficients: coefficients, covariance: v, link: link, critical: z)
        }
    }

    /// Percent of observations whose fitted probability is on the observed side of 0.5.
    public func percentCorrectlyPredicted(y: [Double]) -> Double {
        precondition(y.count == linearPredictor.count, "percentCorrectlyPredicted: y must be the fit's rows")
        var correct = 0.0, total = 0.0
        for i in y.indices {
            let f = weights?[i] ?? 1
            let hit = (link.mean(linearPredictor[i]) >= 0.5 ? 1.0 : 0.0) == y[i]
            if hit { correct += f }
            total += f
        }
        return 100 * correct / total
    }
}

/// A predicted probability with its delta-method SE and interval.
public struct PredictedProbability: Sendable, Equatable {
    public let probability: Double
    public let standardError: Double
    public let ciLower: Double
    public let ciUpper: Double

    public init(probability: Double, standardError: Double, ciLower: Double, ciUpper: Double) {
        self.probability = probability
        self.standardError = standardError
        self.ciLower = ciLower
        self.ciUpper = ciUpper
    }

    /// The prediction at design row `x` with its delta-method SE and interval (Stata's `margins`):
    /// `p = F(x'b)`, `se(p) = f(x'b) sqrt(x' V x)`, `p +- z se(p)`, with `F` the link's mean
    /// function and `f` its density; without a link (OLS) the linear prediction `x'b` and
    /// `sqrt(x' V x)`. The one place predictions get their SEs.
    public static func deltaMethod(x: [Double], coefficients b: [Double], covariance v: Matrix, link: BinaryLink?,
                                   critical z: Double) -> PredictedProbability {
        let eta = dot(x, b)
        let seEta = Swift.max(0, v.quadraticForm(x)).squareRoot()
        guard let link else {
            return PredictedProbability(probability: eta, standardError: seEta, ciLower: eta - z * seEta, ciUpper: eta + z * seEta)
        }
        let p = link.mean(eta)
        let se = link.meanDerivative(eta) * seEta
        return PredictedProbability(probability: p, standardError: se, ciLower: p - z * se, ciUpper: p + z * se)
    }
}
