import Linalg

/// The stacked estimating equations of a treatment-effect estimate and their sandwich covariance.
///
/// Parameters, in order: `theta = (mu0, mu1, b0, b1, gamma)`: the two potential-outcome means
/// (over everyone for the ATE, over the treated for the ATET), the outcome-model coefficients of
/// the control and the treated arm (if the estimator has outcome models) and the treatment-model
/// coefficients (if it has one). Each person contributes `psi_i(theta)`; the estimate solves
/// `sum_i psi_i = 0`. With `A = (1/n) sum_i d psi_i / d theta'` (analytic, below) and
/// `B = (1/n) sum_i psi_i psi_i'`,
///
///     V = A^-1 B A^-T / n
///
/// Stata's `teffects` convention (Methods and formulas, "vce(robust)"): no small-sample factor
/// (neither `n/(n-1)` nor `n/(n-k)`), normal reference distribution. The cattaneo2 tests reproduce
/// Stata's printed standard errors with it.
///
/// The equations, for arm `j` (`a_j = 1{t = j}`), propensity `p = F(z'gamma)` (`f = F'`), outcome
/// mean `m_j = m(x'b_j)`, residual `r_j = y - m_j`, selector `s = 1` (ATE) or `t` (ATET):
/// - treatment model: `g(z'gamma) z` (the logit/probit score);
/// - outcome model: `a_j w_j(p) r_j x` with `w = 1` (ra, aipw), IPW weights (ipwra) or `wnls` weights;
/// - ra, ipwra: `s (m_j - mu_j)`;
/// - ipw: `a_j v_j(p) (y - mu_j)` (normalised weights: `mu_j` is a weighted mean);
/// - aipw: `m_j + a_j r_j / pi_j - mu_j` with `pi_1 = p`, `pi_0 = 1 - p`.
///
/// - Complexity: `O(n K^2)` time for `A` and `B` (`K` parameters) in one pass over row blocks, every sum of
///   products of design columns a BLAS call (``moments(mu:predictors:)``); `O(K^2)` memory beyond the designs
///   (`psi` is never held for all persons).
struct StackedEstimatingEquations {
    let method: TreatmentEffectMethod
    let estimand: TreatmentEffectEstimand
    let weightedOutcomeModels: Bool
    let sample: TreatmentEffectsSample
    let outcomeModels: [ArmOutcomeModel]  // [control, treated] or empty
    let treatmentModel: TreatmentModelEstimate?

    /// The parameter names: `POmean:0`, `POmean:1`, then `OME0:term`, `OME1:term`, `TME1:term` (Stata's equation names).
    var parameterNames: [String] {
        var names = ["POmean:0", "POmean:1"]
        for m in outcomeModels { names += m.names.map { "OME\(m.arm):\($0)" } }
        if let tm = treatmentModel { names += tm.names.map { "TME1:\($0)" } }
        return names
    }

    /// Offsets of the blocks in `theta`.
    var outcomeOffsets: [Int] {
        var o: [Int] = []
        var k = 2
        for m in outcomeModels { o.append(k); k += m.columns.count }
        return o
    }
    var treatmentOffset: Int { 2 + outcomeModels.reduce(0) { $0 + $1.columns.count } }
    var parameterCount: Int { treatmentOffset + (treatmentModel?.columns.count ?? 0) }

    /// The outcome-model weight of arm `j` at `p` and its derivative.
    func outcomeWeight(arm: Int, p: Double) -> (w: Double, dw: Double) {
        switch method {
        case .ipwra: return ArmWeight.inverseProbability(arm: arm, p: p, estimand: estimand)
        case .aipw where weightedOutcomeModels: return ArmWeight.weightedNonlinearLeastSquares(arm: arm, p: p)
        default: return (1, 0)
        }
    }

    /// The sandwich `A^-1 B A^-T / n` from the meat `B` and `A` (both `K x K`, means over the `n` persons).
    /// - Throws: ``TreatmentEffectsError/singularJacobian``.
    static func sandwich(meat b: Matrix, jacobian a: Matrix, observations: Int) throws -> Matrix {
        let n = Double(observations)
        let lu = try LUFactorization(a)
        let c = lu.solve(b)                 // A^-1 B
        let d = lu.solve(c.transposed)      // A^-1 (A^-1 B)' = A^-1 B A^-T (B symmetric)
        var v = (1 / n) * d.transposed
        // Symmetrise against rounding.
        for i in 0..<v.rows { for j in 0..<i { let s = (v[i, j] + v[j, i]) / 2; v[i, j] = s; v[j, i] = s } }
        return v
    }
}

/// LU factorisation with partial pivoting of a small square matrix (the Jacobian `A` is not symmetric), of the
/// equilibrated `R A C` (`R`, `C` diagonal powers of two: each row, then each column, of largest magnitude
/// between 1/2 and 1), so that the singularity test `|pivot| <= 1e-13` does not depend on the covariates' units.
/// Without it a covariate in kroner (income ~1e6, so `A` holds ~1e12 beside ~1) made a well-posed model singular.
/// Written by hand (a `K x K` matrix, `K` a few dozen): Linalg wraps no general LU, and LAPACK's `dgesvx` would be
/// the same work behind a wider C interface.
/// - Complexity: `O(K^3)`.
struct LUFactorization {
    private var lu: Matrix
    private var pivot: [Int]
    /// `R` and `C` of `R A C`: `A^-1 b = C (R A C)^-1 R b`.
    private var rowScale: [Double], columnScale: [Double]

    init(_ a: Matrix) throws {
        precondition(a.rows == a.columns, "LUFactorization: square matrices only")
        let k = a.rows
        lu = a
        pivot = Array(0..<k)
        // Powers of two: the scaling itself is exact.
        func powerOfTwo(_ largest: Double) -> Double {
            largest > 0 && largest.isFinite ? Double(sign: .plus, exponent: -largest.exponent - 1, significand: 1) : 1
        }
        rowScale = (0..<k).map { i in powerOfTwo((0..<k).reduce(0.0) { Swift.max($0, Swift.abs(a[i, $1])) }) }
        for i in 0..<k { for j in 0..<k { lu[i, j] *= rowScale[i] } }
        columnScale = (0..<k).map { [lu] j in powerOfTwo((0..<k).reduce(0.0) { Swift.max($0, Swift.abs(lu[$1, j])) }) }
        for i in 0..<k { for j in 0..<k { lu[i, j] *= columnScale[j] } }
        for c in 0..<k {
            var best = c
            for r in c..<k where Swift.abs(lu[r, c]) > Swift.abs(lu[best, c]) { best = r }
            guard Swift.abs(lu[best, c]) > 1e-13, lu[best, c].isFinite else { throw TreatmentEffectsError.singularJacobian }
            if best != c {
                for j in 0..<k { let tmp = lu[c, j]; lu[c, j] = lu[best, j]; lu[best, j] = tmp }
                pivot.swapAt(c, best)
            }
            for r in (c + 1)..<k {
                let factor = lu[r, c] / lu[c, c]
                lu[r, c] = factor
                if factor != 0 { for j in (c + 1)..<k { lu[r, j] -= factor * lu[c, j] } }
            }
        }
    }

    /// `A^-1 B`, column by column.
    func solve(_ b: Matrix) -> Matrix {
        let k = lu.rows
        var out = Matrix(rows: k, columns: b.columns)
        for col in 0..<b.columns {
            var v = pivot.map { b[$0, col] * rowScale[$0] }
            for i in 0..<k { for j in 0..<i { v[i] -= lu[i, j] * v[j] } }
            for i in stride(from: k - 1, through: 0, by: -1) {
                for j in (i + 1)..<k { v[i] -= lu[i, j] * v[j] }
                v[i] /= lu[i, i]
            }
            for i in 0..<k { out[i, col] = v[i] * columnScale[i] }
        }
        return out
    }
}
