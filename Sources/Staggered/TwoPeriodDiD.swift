import Linalg

/// One 2x2 DiD on the units of a cell: the ATT and its influence function.
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
/// Complexity: `O(n1 k^2)`.
enum TwoPeriodDiD {
    struct Estimate {
        var att: Double
        /// `psi_i` for the `n1` units of the cell, in the cell's order.
        var influence: [Double]
        /// Comparison units trimmed for a propensity score `>= 0.995`.
        var trimmed: Int
        /// The nuisance models' notes.
        var notes: [String] = []
    }

    static let trimLevel = 0.995

    static func estimate(_ method: ATTMethod, dY: [Double], treated: [Double], x: Matrix, names: [String]) throws -> Estimate {
        let n = treated.count
        let nn = Double(n)
        let controls = (0..<n).filter { treated[$0] == 0 }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / nn }
        /// `mean(v_i x_i)` over the given columns.
        func colMeans(_ v: [Double], _ cols: [Int]) -> [Double] {
            cols.map { j in var s = 0.0; for i in 0..<n { s += v[i] * x[i, j] }; return s / nn }
        }
        /// `a_i . (B m)` for each unit, where `a_i = n1 s_i x_i` (the asymptotic linear representation of a fit).
        func linearRep(_ s: [Double], bread: Matrix, cols: [Int], m: [Double]) -> [Double] {
            let bm = bread.multiply(m)
            return (0..<n).map { i in
                if s[i] == 0 { return 0 }
                var d = 0.0
                for (a, j) in cols.enumerated() { d += x[i, j] * bm[a] }
                return nn * s[i] * d
            }
        }

        switch method {
        case .reg:
            let om = try OutcomeModel(dY: dY, controls: controls, x: x, names: names)
            let w1 = treated
            let mw1 = mean(w1)
            let attTreat = (0..<n).map { w1[$0] * dY[$0] }
            let attCont = (0..<n).map { w1[$0] * om.fitted[$0] }
            let eta1 = mean(attTreat) / mw1
            let eta0 = mean(attCont) / mw1
            let e = (0..<n).map { treated[$0] == 0 ? dY[$0] - om.fitted[$0] : 0 }
            let l = linearRep(e, bread: om.bread, cols: om.columns, m: colMeans(w1, om.columns))
            let psi = (0..<n).map { i in
                (attTreat[i] - w1[i] * eta1) / mw1 - (attCont[i] - w1[i] * eta0 + l[i]) / mw1
            }
            return Estimate(att: eta1 - eta0, influence: psi, trimmed: 0, notes: om.notes)

        case .ipw:
            let ps = try PropensityModel.logit(treated: treated, x: x, names: names)
            let (w1, w0, trimmed) = weights(treated, ps.score)
            let mw1 = mean(w1), mw0 = mean(w0)
            guard mw0 > 0 else { throw StaggeredError.comparisonsTrimmed(group: 0, time: 0) }
            let eta1 = mean((0..<n).map { w1[$0] * dY[$0] }) / mw1
            let eta0 = mean((0..<n).map { w0[$0] * dY[$0] }) / mw0
            let m2 = colMeans((0..<n).map { w0[$0] * (dY[$0] - eta0) }, ps.columns)
            let l = linearRep((0..<n).map { treated[$0] - ps.score[$0] }, bread: ps.bread, cols: ps.columns, m: m2)
            let psi = (0..<n).map { i in
                w1[i] * (dY[i] - eta1) / mw1 - (w0[i] * (dY[i] - eta0) + l[i]) / mw0
            }
            return Estimate(att: eta1 - eta0, influence: psi, trimmed: trimmed, notes: ps.notes)

        case .dr:
            let ps = try PropensityModel.logit(treated: treated, x: x, names: names)
            let om = try OutcomeModel(dY: dY, controls: controls, x: x, names: names)
            let (w1, w0, trimmed) = weights(treated, ps.score)
            let mw1 = mean(w1), mw0 = mean(w0)
            guard mw0 > 0 else { throw StaggeredError.comparisonsTrimmed(group: 0, time: 0) }
            let r = (0..<n).map { dY[$0] - om.fitted[$0] }
            let eta1 = mean((0..<n).map { w1[$0] * r[$0] }) / mw1
            let eta0 = mean((0..<n).map { w0[$0] * r[$0] }) / mw0
            let e = (0..<n).map { treated[$0] == 0 ? r[$0] : 0 }
            let lOLS1 = linearRep(e, bread: om.bread, cols: om.columns, m: colMeans(w1, om.columns))
            let m2 = colMeans((0..<n).map { w0[$0] * (r[$0] - eta0) }, ps.columns)
            let lPS = linearRep((0..<n).map { treated[$0] - ps.score[$0] }, bread: ps.bread, cols: ps.columns, m: m2)
            let lOLS3 = linearRep(e, bread: om.bread, cols: om.columns, m: colMeans(w0, om.columns))
            let psi = (0..<n).map { i in
                (w1[i] * (r[i] - eta1) - lOLS1[i]) / mw1 - (w0[i] * (r[i] - eta0) + lPS[i] - lOLS3[i]) / mw0
            }
            return Estimate(att: eta1 - eta0, influence: psi, trimmed: trimmed, notes: ps.notes + om.notes)

        case .drimp:
            guard let ps = try PropensityModel.tilting(treated: treated, x: x, names: names) else {
                throw StaggeredError.iptNotConverged(group: 0, time: 0)
            }
            let odds = controls.map { ps.score[$0] / (1 - ps.score[$0]) }
            let om = try OutcomeModel(dY: dY, controls: controls, x: x, names: names, weights: odds)
            // DRDID's form: both parts over mean(D), `att = mean(k (D - (1-D) p/(1-p)) (dY - x'b)) / mean(D)`,
            // `psi = k (summand - D att) / mean(D)` (k: 0 for trimmed comparison units). Without trimming it
            // equals the Hajek form, since the tilting makes the comparison odds sum to the treated count.
            let (_, w0, trimmed) = weights(treated, ps.score)
            let md = mean(treated)
            guard w0.contains(where: { $0 > 0 }) else { throw StaggeredError.comparisonsTrimmed(group: 0, time: 0) }
            let keep = (0..<n).map { treated[$0] == 1 || w0[$0] > 0 ? 1.0 : 0.0 }
            let summand = (0..<n).map { i in keep[i] * (treated[i] - w0[i]) * (dY[i] - om.fitted[i]) }
            let att = mean(summand) / md
            let psi = (0..<n).map { i in keep[i] * (summand[i] - treated[i] * att) / md }
            return Estimate(att: att, influence: psi, trimmed: trimmed, notes: ps.notes + om.notes)
        }
    }

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
