import Linalg
import Regression

/// The units of one group g and one comparison set, with every nuisance quantity that does not
/// depend on the period: the 2x2 DiD of ``TwoPeriodDiD`` for each period `t` then needs only the
/// outcome change `dY` and two BLAS passes over the cell's design.
///
/// Why this is exact: the covariates enter at their baseline values, so the design `x`, the
/// treated indicator and hence the propensity model (logit, or inverse probability tilting) and
/// the outcome model's Gram matrix `X_c'X_c` are the same for every period that shares the
/// comparison set. With never-treated comparisons that is every period of the group; with
/// not-yet-treated comparisons the set changes only when a later group stops being "not yet"
/// treated. R did refits both models in every cell and gets the same numbers.
///
/// Per cell (``estimate(dY:)``), with `n1` units and `k` design columns:
/// - pass A (`dgemm`, `X' [u, w0 dY]`): the outcome model's `X_c' dY_c` (so `b = (X_c'X_c)^-1 X_c'dY_c`)
///   and `mean(w0 dY x)`;
/// - the propensity estimation effect's `M2 = mean(w0 (r - eta0) x)` from it by algebra:
///   `mean(w0 dY x) - mean(w0 x x') b - eta0 mean(w0 x)` (`r = dY - x'b`; the period-free
///   `mean(w0 x x')` and `mean(w0 x)` are kept here);
/// - pass B (`dgemm`, `X [b, c_ols, c_ps]`): the fitted values and both linear representations
///   (DRDID's `asy.lin.rep.ols` and `asy.lin.rep.ps` contracted with their `M` vectors), from which
///   `psi` follows element by element, in the formulas of ``TwoPeriodDiD``.
///
/// Complexity: models `O(n1 k^2)` once per set; `O(n1 k)` and two reads of the `n1 x k` design per
/// cell. Memory: the set's design copy `8 n1 k` bytes plus `40 n1` bytes per cell in flight.
struct ComparisonSet: Sendable {
    let method: ATTMethod
    /// Sample positions of the cell's units, ascending.
    let units: [Int]
    /// 1 for group g, 0 for comparison units.
    let treated: [Double]
    /// The baseline design of ``units`` (`_cons` included).
    let x: Matrix
    /// `w0` after DRDID's trimming (zero for treated units), and `p` (ipw, dr, drimp).
    let w0: [Double]
    let score: [Double]
    let trimmed: Int
    /// Means over the `n1` units: `mean(D)`, `mean(w0)`, `mean(D x)`, `mean(w0 x)` (length `k`).
    let meanTreated: Double
    let meanW0: Double
    let meanTreatedX: [Double]
    let meanW0X: [Double]
    /// `mean(w0 x x')` (`k x k`; dr only).
    let meanW0XX: Matrix?
    /// Outcome model: kept columns and `(X_c' W X_c)^-1` over them (reg, dr: `W = I`; drimp: `W` the odds).
    let olsColumns: [Int]
    let olsBread: Matrix?
    /// drimp's outcome weights `p/(1-p)` on comparison units (0 on treated units).
    let olsWeights: [Double]?
    /// Propensity model: kept columns and `(X'VX)^-1` (ipw, dr).
    let psColumns: [Int]
    let psBread: Matrix?
    let notes: [String]

    init(method: ATTMethod, units: [Int], treated: [Double], x: Matrix, names: [String], firstChange: [Double]) throws {
        self.method = method
        self.units = units
        self.treated = treated
        self.x = x
        let n = treated.count
        let nn = Double(n)
        let k = x.columns
        let controls = (0..<n).filter { treated[$0] == 0 }
        var notes: [String] = []
        var w0 = [Double](repeating: 0, count: n)
        var score = [Double](repeating: 0, count: n)
        var trimmed = 0
        var psColumns: [Int] = []
        var psBread: Matrix?
        var olsWeights: [Double]?
        switch method {
        case .reg:
            break
        case .ipw, .dr:
            let ps = try PropensityModel.logit(treated: treated, x: x, names: names)
            (_, w0, trimmed) = TwoPeriodDiD.weights(treated, ps.score)
            score = ps.score
            psColumns = ps.columns
            psBread = ps.bread
            notes += ps.notes
        case .drimp:
            guard let ps = try PropensityModel.tilting(treated: treated, x: x, names: names) else {
                throw StaggeredError.iptNotConverged(group: 0, time: 0)
            }
            (_, w0, trimmed) = TwoPeriodDiD.weights(treated, ps.score)
            score = ps.score
            notes += ps.notes
            olsWeights = (0..<n).map { treated[$0] == 1 ? 0 : ps.score[$0] / (1 - ps.score[$0]) }
        }
        // Every comparison unit trimmed: the weighted comparison mean does not exist (DRDID divides by 0).
        if method != .reg, !w0.contains(where: { $0 > 0 }) { throw StaggeredError.comparisonsTrimmed(group: 0, time: 0) }
        self.w0 = w0
        self.score = score
        self.trimmed = trimmed
        self.psColumns = psColumns
        self.psBread = psBread
        self.olsWeights = olsWeights
        meanTreated = treated.reduce(0, +) / nn
        meanW0 = w0.reduce(0, +) / nn
        meanTreatedX = x.multiply(treated, transposed: true).map { $0 / nn }
        meanW0X = x.multiply(w0, transposed: true).map { $0 / nn }
        if method == .dr {
            let root = w0.map { $0.squareRoot() }
            var elements = x.storage
            elements.withUnsafeMutableBufferPointer { e in
                root.withUnsafeBufferPointer { r in for j in 0..<k { for i in 0..<n { e[j * n + i] *= r[i] } } }
            }
            var g = Matrix(rows: n, columns: k, columnMajor: elements).gram
            for a in 0..<k { for b in 0..<k { g[a, b] /= nn } }
            meanW0XX = g
        } else {
            meanW0XX = nil
        }
        if method == .ipw {
            olsColumns = []
            olsBread = nil
        } else {
            // The columns the fit keeps (collinearity among the comparison units) and its notes, once.
            let weights = olsWeights.map { w in controls.map { w[$0] } }
            let om = try OutcomeModel(dY: firstChange, controls: controls, x: x, names: names, weights: weights)
            olsColumns = om.columns
            notes += om.notes
            if let w = olsWeights {
                var xw = x.selecting(rows: controls, columns: om.columns)
                for j in 0..<xw.columns { for (a, i) in controls.enumerated() { xw[a, j] *= w[i].squareRoot() } }
                olsBread = try CholeskyFactor(xw.gram).inverse()
            } else {
                olsBread = om.bread
            }
        }
        self.notes = notes
    }

    /// ATT and influence function (in the order of ``units``) of one period's change `dY`.
    func estimate(dY: [Double]) throws -> TwoPeriodDiD.Estimate {
        let n = treated.count
        let nn = Double(n)
        let k = x.columns
        let d = treated
        // Pass A: X'[u, w0 dY] with u the outcome model's weighted comparison outcome.
        var columns = [Double](repeating: 0, count: 2 * n)
        columns.withUnsafeMutableBufferPointer { out in
            for i in 0..<n {
                let control = d[i] == 0 ? 1.0 : 0.0
                out[i] = control * (olsWeights?[i] ?? 1) * dY[i]
                out[n + i] = w0[i] * dY[i]
            }
        }
        let q = Matrix.multiply(x, transposeA: true, Matrix(rows: n, columns: 2, columnMajor: columns))
        var b = [Double](repeating: 0, count: k)
        if let bread = olsBread {
            let coef = bread.multiply(olsColumns.map { q[$0, 0] })
            for (a, j) in olsColumns.enumerated() { b[j] = coef[a] }
        }
        var meanDdY = 0.0, meanW0dY = 0.0
        for i in 0..<n { meanDdY += d[i] * dY[i]; meanW0dY += w0[i] * dY[i] }
        meanDdY /= nn
        meanW0dY /= nn
        // The linear-representation directions (full length k, zero off the kept columns).
        var cOLS = [Double](repeating: 0, count: k)
        var cPS = [Double](repeating: 0, count: k)
        switch method {
        case .reg:
            cOLS = expand(olsBread!.multiply(olsColumns.map { meanTreatedX[$0] }), olsColumns, k)
        case .ipw:
            let eta0 = meanW0dY / meanW0
            let m2 = (0..<k).map { q[$0, 1] / nn - eta0 * meanW0X[$0] }
            cPS = expand(psBread!.multiply(psColumns.map { m2[$0] }), psColumns, k)
        case .dr:
            // M2 = mean(w0 (r - eta0) x) directly from the residuals (the algebraic shortcut through
            // mean(w0 x x') loses digits when the propensity bread is large: rare groups).
            let fitted = x.multiply(b)
            var eta0 = 0.0
            for i in 0..<n { eta0 += w0[i] * (dY[i] - fitted[i]) }
            eta0 /= nn * meanW0
            let v = (0..<n).map { w0[$0] * (dY[$0] - fitted[$0] - eta0) }
            let m2 = x.multiply(v, transposed: true).map { $0 / nn }
            cPS = expand(psBread!.multiply(psColumns.map { m2[$0] }), psColumns, k)
            let m = olsColumns.map { meanTreatedX[$0] / meanTreated - meanW0X[$0] / meanW0 }
            cOLS = expand(olsBread!.multiply(m), olsColumns, k)
        case .drimp:
            break
        }
        // Pass B: X [b, cOLS, cPS].
        let dirs = Matrix(columns: [b, cOLS, cPS])
        let f = Matrix.multiply(x, dirs)
        return finish(dY: dY, fitted: f.column(0), ols: f.column(1), ps: f.column(2))
    }

    /// `psi` from the fitted values and the two contracted linear representations.
    private func finish(dY: [Double], fitted: [Double], ols: [Double], ps: [Double]) -> TwoPeriodDiD.Estimate {
        let n = treated.count
        let nn = Double(n)
        let d = treated
        func mean(_ f: (Int) -> Double) -> Double { var s = 0.0; for i in 0..<n { s += f(i) }; return s / nn }
        var psi = [Double](repeating: 0, count: n)
        let mw1 = meanTreated
        switch method {
        case .reg:
            let eta1 = mean { d[$0] * dY[$0] } / mw1
            let eta0 = mean { d[$0] * fitted[$0] } / mw1
            for i in 0..<n {
                let e = d[i] == 0 ? dY[i] - fitted[i] : 0
                psi[i] = (d[i] * dY[i] - d[i] * eta1) / mw1 - (d[i] * fitted[i] - d[i] * eta0 + nn * e * ols[i]) / mw1
            }
            return TwoPeriodDiD.Estimate(att: eta1 - eta0, influence: psi, trimmed: 0, notes: notes)
        case .ipw:
            let mw0 = meanW0
            let eta1 = mean { d[$0] * dY[$0] } / mw1
            let eta0 = mean { w0[$0] * dY[$0] } / mw0
            for i in 0..<n {
                psi[i] = d[i] * (dY[i] - eta1) / mw1 - (w0[i] * (dY[i] - eta0) + nn * (d[i] - score[i]) * ps[i]) / mw0
            }
            return TwoPeriodDiD.Estimate(att: eta1 - eta0, influence: psi, trimmed: trimmed, notes: notes)
        case .dr:
            let mw0 = meanW0
            let eta1 = mean { d[$0] * (dY[$0] - fitted[$0]) } / mw1
            let eta0 = mean { w0[$0] * (dY[$0] - fitted[$0]) } / mw0
            for i in 0..<n {
                let r = dY[i] - fitted[i]
                let e = d[i] == 0 ? r : 0
                psi[i] = d[i] * (r - eta1) / mw1 - w0[i] * (r - eta0) / mw0
                    - nn * e * ols[i] - nn * (d[i] - score[i]) * ps[i] / mw0
            }
            return TwoPeriodDiD.Estimate(att: eta1 - eta0, influence: psi, trimmed: trimmed, notes: notes)
        case .drimp:
            var s = 0.0
            var summand = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let keep = d[i] == 1 || w0[i] > 0 ? 1.0 : 0.0
                summand[i] = keep * (d[i] - w0[i]) * (dY[i] - fitted[i])
                s += summand[i]
            }
            let att = s / nn / mw1
            for i in 0..<n {
                let keep = d[i] == 1 || w0[i] > 0 ? 1.0 : 0.0
                psi[i] = keep * (summand[i] - d[i] * att) / mw1
            }
            return TwoPeriodDiD.Estimate(att: att, influence: psi, trimmed: trimmed, notes: notes)
        }
    }

    private func expand(_ v: [Double], _ columns: [Int], _ k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: k)
        for (a, j) in columns.enumerated() { out[j] = v[a] }
        return out
    }
}
