/// The weights of one arm as functions of the propensity score `p = P(t = 1 | z)`, with `dw/dp`
/// (the estimating equations' Jacobian needs them: the weights depend on the treatment model).
enum ArmWeight {
    /// Inverse-probability weights of `ipw` and `ipwra`:
    /// ATE: treated `1 / p`, controls `1 / (1 - p)`;
    /// ATET: treated `1`, controls `p / (1 - p)` (the controls reweighted to the treated's covariates).
    static func inverseProbability(arm: Int, p: Double, estimand: TreatmentEffectEstimand) -> (w: Double, dw: Double) {
        switch (estimand, arm) {
        case (.ate, 1): return (1 / p, -1 / (p * p))
        case (.ate, _): return (1 / (1 - p), 1 / ((1 - p) * (1 - p)))
        case (.atet, 1): return (1, 0)
        case (.atet, _): return (p / (1 - p), 1 / ((1 - p) * (1 - p)))
        }
    }

    /// Stata's `aipw, wnls` outcome-model weights: treated `(1/p)(1/p - 1) = (1 - p) / p^2`,
    /// controls `p / (1 - p)^2` (Kang and Schafer's weighted least squares).
    static func weightedNonlinearLeastSquares(arm: Int, p: Double) -> (w: Double, dw: Double) {
        if arm == 1 { return ((1 - p) / (p * p), -2 / (p * p * p) + 1 / (p * p)) }
        let q = 1 - p
        return (p / (q * q), (1 + p) / (q * q * q))
    }

    /// The AIPW correction's inverse probability of the person's own arm: `1 / p` or `1 / (1 - p)`.
    static func ownArmInverse(arm: Int, p: Double) -> (w: Double, dw: Double) {
        arm == 1 ? (1 / p, -1 / (p * p)) : (1 / (1 - p), 1 / ((1 - p) * (1 - p)))
    }
}
