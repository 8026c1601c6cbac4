import Design
import Estimation
import Linalg

/// What every fitted regression offers the layers above it: the estimates
/// with their names, what was omitted and why, and inference chosen after the
/// fit. ``BinaryModelFit`` (logit, probit) and ``LinearModelFit`` (OLS)
/// conform, so an estimator built on either (the event study, the
/// treatment-effect estimators) fits once and lets its caller choose the
/// variance estimator afterwards.
public protocol RegressionFit: Sendable {
    /// Names of the estimated coefficients (omitted terms excluded), `_cons` last.
    var names: [String] { get }
    var coefficients: [Double] { get }
    /// Design columns dropped before estimation (collinear, perfect predictors).
    var omitted: [String] { get }
    var notes: [String] { get }
    /// Observations used (the sum of frequency weights if any).
    var observations: Int { get }
    var converged: Bool { get }
    /// Cluster ids carried by the design, aligned with the fit's rows.
    var designClusterIDs: ClusterIDs? { get }
    /// The coefficient table under `vce` at `level` percent.
    func inference(vce: VarianceEstimator, level: Double) throws -> CoefficientTable
}

extension BinaryModelFit: RegressionFit {}
extension LinearModelFit: RegressionFit {}

extension VarianceEstimator {
    /// The estimator of kind `kind`; `cluster` uses `clusters` (the fit's design clusters).
    /// - Throws: ``RegressionError/missingClusters`` for `cluster` without cluster ids.
    public init(_ kind: VCEKind, clusters: ClusterIDs?) throws {
        switch kind {
        case .oim: self = .oim
        case .robust: self = .robust
        case .cluster:
            guard let clusters else { throw RegressionError.missingClusters }
            self = .cluster(clusters)
        }
    }

    /// The kind, without the cluster ids.
    public var kind: VCEKind {
        switch self {
        case .oim: return .oim
        case .robust: return .robust
        case .cluster: return .cluster
        }
    }
}

extension CoefficientTable {
    /// The coefficients as an effect table on `scale` (`logOdds` or `outcomeUnits`),
    /// one row per term, labelled by `label` (default: the term's name).
    public func effects(title: String, scale: EffectScale, label: (String) -> EffectLabel = { EffectLabel(term: $0) }) -> EffectTable {
        EffectTable(title: title, scale: scale, level: level, vce: vce,
                    rows: rows.map { r in
                        var e = Effect(label: label(r.name), estimate: r.coefficient, standardError: r.standardError,
                                       ciLower: r.ciLower, ciUpper: r.ciUpper, pValue: r.pValue)
                        if !(r.standardError.isFinite && r.standardError > 0) {
                            e.standardError = nil; e.ciLower = nil; e.ciUpper = nil; e.pValue = nil
                        }
                        return e
                    })
    }
}
