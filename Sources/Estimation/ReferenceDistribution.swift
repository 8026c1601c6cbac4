import Distributions

/// The distribution of `b / SE(b)` used for p-values and intervals.
public enum ReferenceDistribution: Sendable, Equatable {
    case normal
    case studentT(degreesOfFreedom: Double)

    /// Two-sided p-value of a statistic.
    public func pValue(_ stat: Double) -> Double {
        switch self {
        case .normal: return Normal.twoSidedPValue(stat)
        case .studentT(let df): return StudentT(degreesOfFreedom: df).twoSidedPValue(stat)
        }
    }

    /// The critical value for a two-sided interval at `level` percent.
    public func critical(level: Double) -> Double {
        let p = 1 - (1 - level / 100) / 2
        switch self {
        case .normal: return Normal.quantile(p)
        case .studentT(let df): return StudentT(degreesOfFreedom: df).quantile(p)
        }
    }
}

