import Linalg

/// One 2x2 DiD on the units of a cell: the ATT and its influence function (computed by
/// ``ComparisonSet/estimate(cells:scale:into:at:)``, which shares the period-free parts and the passes
/// over the design across the cells of a set).
///
/// Units: the `n1` units of the cell (group g and its comparison units); `dY = Y_t - Y_base`,
/// `D = 1` for group g, `x` the baseline design (intercept included). Every mean is over the
/// `n1` units, as DRDID computes with unit weights 1. The influence function `psi_i` is DRDID's
/// `att.inf.func` (so that `att - ATT ~ mean(psi)`), including the estimation effect of the
/// propensity and outcome models. Formulas (Sant'Anna & Zhao 2020, sections 2-3; DRDID 1.x):
///
/// - reg (`reg_did_panel`): `att = mean(D dY)/mean(D) - mean(D x'b)/mean(D)`, `b` the OLS of `dY` on
///   `x` among `D = 0`; `psi = (D dY - D eta1)/mean(D) - [D x'b - D eta0 + l_ols' M1]/mean(D)` with
///   `l_ols,i = n1 (1-D_i) e_i (X_0'X_0)^-1 x_i` and `M1 = mean(D x)`.
/// - ipw (`std_ipw_did_panel`, Hajek-normalised weights): `w1 = D`, `w0 = p (1-D)/(1-p)`,
///   `att = mean(w1 dY)/mean(w1) - mean(w0 dY)/mean(w0)`; the control part of `psi` adds
///   `l_ps' M2`, `l_ps,i = n1 (D_i - p_i) (X'VX)^-1 x_i`, `M2 = mean(w0 (dY - eta0) x)`.
/// - dr (`drdid_panel`): as ipw on `dY - x'b`; `psi` adds `-l_ols' M1/mean(w1)` to the treated part
///   and `(l_ps' M2 - l_ols' M3)/mean(w0)` to the control part, `M2 = mean(w0 (dY - x'b - eta0) x)`,
///   `M3 = mean(w0 x)`.
/// - drimp (`drdid_imp_panel`): IPT propensity score, OLS weighted by `p/(1-p)` among `D = 0`;
///   `att = mean((D - (1-D) p/(1-p)) (dY - x'b)) / mean(D)` (the comparison part is normalised by the
///   treated count, which the tilting makes equal to the sum of the comparison odds); the
///   first-order conditions of both fits make their estimation effects vanish, so `psi` is the
///   leading term only.
/// Trimming (DRDID since 1.0.4, `trim.level = 0.995`): comparison units with `p >= 0.995` get weight 0
/// in ipw, dr and drimp.
///
/// Complexity: `O(n1 k^2)` for the models, `O(n1 k)` per cell.
enum TwoPeriodDiD {
    struct Estimate {
        var att: Double
        /// Comparison units trimmed for a propensity score `>= 0.995`.
        var trimmed: Int
        /// The nuisance models' notes.
        var notes: [String] = []
    }

    static let trimLevel = 0.995

    /// DRDID's weights with trimming: `w1 = D`, `w0 = 1{p < 0.995} p (1-D)/(1-p)`.
    static func weights(_ d: [Double], _ p: [Double]) -> (w1: [Double], w0: [Double], trimmed: Int) {
        var trimmed = 0
        let w0 = d.indices.map { i -> Double in
            if d[i] == 1 { return 0 }
            if p[i] >= trimLevel { trimmed += 1; return 0 }
            return p[i] / (1 - p[i])
        }
        return (d, w0, trimmed)
    }
}
