/// How observation weights enter a model.
public enum WeightKind: String, Sendable, Equatable {
    /// Frequency weights: a weight of 3 is three identical rows (Stata `fweight`);
    /// the number of observations is the sum of the weights.
    case frequency
    /// Analytic weights, rescaled to sum to the number of rows (Stata `aweight`).
    case analytic
}
