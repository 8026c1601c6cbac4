import Linalg

/// The Abadie-Imbens matching estimator and its variance, given every person's matches in the other arm.
///
/// With `J(i)` the matches of person `i` (ties included, weights `1/#J(i)`),
/// `Yhat_i(w) = Y_i` in the own arm and the mean of `Y` over `J(i)` otherwise:
/// - ATE `= (1/N) sum_i (Yhat_i(1) - Yhat_i(0))`; ATET `= (1/N1) sum_{t=1} (Y_i - Yhat_i(0))`.
/// - Variance (Abadie and Imbens 2006, eqs. 14-15, generalised to ties): with `k_i = sum_l 1{i in J(l)}/#J(l)`
///   and `k2_i = sum_l 1{i in J(l)}/#J(l)^2` (for the ATET counting only the treated `l`),
///   ATE: `N^2 V = sum_i (Yhat_i(1) - Yhat_i(0) - tau)^2 + sum_i (k_i^2 + 2 k_i - k2_i) sigma2_i`;
///   ATET: `N1^2 V = sum_{t=1} (Y_i - Yhat_i(0) - tau)^2 + sum_{t=0} (k_i^2 - k2_i) sigma2_i`
///   (without ties these are AI's `(K/M)^2 + ((2M-1)/M)(K/M)` and `K(K-1)/M^2`).
/// - `sigma2_i`: the conditional variance, the sample variance (divisor `#S - 1`) of `Y` over the set `S` of person `i`
///   and its `nn - 1` nearest other persons of the same arm, ties at that distance included (Stata's
///   `vce(robust, nn(2))`: the unit counts as the first of its `nn` within-arm neighbours). Without ties this is
///   Abadie-Imbens (2006)'s `(J/(J+1)) (Y_i - mean_J Y)^2` with `J = nn - 1`; see ``conditionalVariance(of:neighbours:y:)``.
/// - Complexity: `O(N (M + ties))` once the matches are known.
struct MatchingEstimate {
    /// Stata's default `vce(robust, nn(2))`: the person itself and its nearest other person of the same arm.
    static let varianceNeighbors = 2

    /// The sample variance (divisor `#S - 1`) of `y` over `S = {i} + neighbours`; `0` when `neighbours` is empty.
    /// With cattaneo2 (`teffects psmatch (bweight) (mbsmoke mmarried mage fage medu prenatal1)`) this reproduces
    /// Stata's ATE standard error 25.88746 to 7 digits, where the AI (2006) form `(J/(J+1)) (Y_i - mean_J)^2` with
    /// the two nearest others gives 26.79 (`Fixtures/make_psmatch_fixtures.py`).
    static func conditionalVariance(of i: Int, neighbours: [Int], y: [Double]) -> Double {
        guard !neighbours.isEmpty else { return 0 }
        let k = Double(neighbours.count + 1)
        let mean = (neighbours.reduce(y[i]) { $0 + y[$1] }) / k
        let d = y[i] - mean
        return (neighbours.reduce(d * d) { $0 + (y[$1] - mean) * (y[$1] - mean) }) / (k - 1)
    }

    let effect: Double
    let variance: Double
    /// `Yhat_i(0)`, `Yhat_i(1)` for every person.
    let imputed0: [Double]
    let imputed1: [Double]
    let mu0: Double
    let mu1: Double

    /// - Parameter imputed: the missing potential outcome of every person when it is not the plain mean of the
    ///   matches' outcomes (the bias-corrected `nnmatch`); `nil`: the mean over `matches[i]`.
    init(y: [Double], t: [Double], matches: [[Int]], imputed: [Double]? = nil, sigma2: [Double], estimand: TreatmentEffectEstimand) {
        let n = y.count
        var other = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let m = matches[i]
            var s = 0.0
            for j in m { s += y[j] }
            other[i] = imputed?[i] ?? (m.isEmpty ? Double.nan : s / Double(m.count))
        }
        var k = [Double](repeating: 0, count: n), k2 = k
        for l in 0..<n where estimand == .ate || t[l] == 1 {
            let w = 1 / Double(matches[l].count)
            for j in matches[l] { k[j] += w; k2[j] += w * w }
        }
        self.init(y: y, t: t, missingOutcome: other, k: k, k2: k2, sigma2: sigma2, estimand: estimand)
    }

    /// The estimate and variance from each person's imputed missing potential outcome and its weights
    /// `k_i`, `k2_i` (see the type's documentation); `O(n)`.
    init(y: [Double], t: [Double], missingOutcome other: [Double], k: [Double], k2: [Double], sigma2: [Double],
         estimand: TreatmentEffectEstimand) {
        let n = y.count
        var y0 = [Double](repeating: 0, count: n), y1 = y0
        for i in 0..<n {
            if t[i] == 1 { y1[i] = y[i]; y0[i] = other[i] } else { y0[i] = y[i]; y1[i] = other[i] }
        }
        imputed0 = y0
        imputed1 = y1
        switch estimand {
        case .ate:
            var tau = 0.0, m0 = 0.0, m1 = 0.0
            for i in 0..<n { tau += y1[i] - y0[i]; m0 += y0[i]; m1 += y1[i] }
            tau /= Double(n)
            var v = 0.0
            for i in 0..<n {
                let d = y1[i] - y0[i] - tau
                v += d * d + (k[i] * k[i] + 2 * k[i] - k2[i]) * sigma2[i]
            }
            effect = tau
            variance = v / (Double(n) * Double(n))
            mu0 = m0 / Double(n)
            mu1 = m1 / Double(n)
        case .atet:
            var tau = 0.0, m0 = 0.0, n1 = 0.0
            for i in 0..<n where t[i] == 1 { tau += y[i] - y0[i]; m0 += y0[i]; n1 += 1 }
            tau /= n1
            var v = 0.0
            for i in 0..<n {
                if t[i] == 1 {
                    let d = y[i] - y0[i] - tau
                    v += d * d
                } else {
                    v += (k[i] * k[i] - k2[i]) * sigma2[i]
                }
            }
            effect = tau
            variance = v / (n1 * n1)
            mu0 = m0 / n1
            mu1 = mu0 + tau
        }
    }
}
