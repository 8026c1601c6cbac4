import Design
import Linalg
import RealModule
import Regression

/// The nuisance models of one 2x2 cell, with what the influence functions need.
///
/// - Outcome model: OLS (our ``LinearRegression``) of `dY` on the baseline design among the
///   comparison units (optionally weighted), giving the kept columns and the bread
///   `(X_c' W X_c)^-1` (``ComparisonSet`` forms each period's `x_i'b` itself).
/// - Propensity model: our logit (``LogisticRegression``) of the treated indicator on the baseline
///   design, giving `p_i` and the bread `(X' V X)^-1` (DRDID's `vcov(ps.fit)`), or the
///   inverse-probability-tilting fit of Graham, Pinto & Egel (2012) (DRDID `pscore.cal`).
///
/// Complexity: `O(n1 k^2)` per model and cell (`n1` units of the cell, `k` design columns).
struct OutcomeModel {
    /// Columns of the cell design the fit kept (collinear ones dropped with a note).
    let columns: [Int]
    let coefficients: [Double]
    /// `(X_c' W X_c)^-1` over ``columns``.
    let bread: Matrix
    /// The fit's notes (collinear terms dropped).
    let notes: [String]

    init(dY: [Double], controls: [Int], x: Matrix, names: [String], weights: [Double]? = nil) throws {
        let xc = x.selecting(rows: controls, columns: Array(0..<x.columns))
        let yc = controls.map { dY[$0] }
        let fit = try LinearRegression().fit(xc, y: yc, names: names, weights: weights, weightKind: .analytic)
        var index: [String: Int] = [:]
        for (j, n) in names.enumerated() { index[n] = j }
        columns = fit.names.compactMap { index[$0] }
        coefficients = fit.coefficients
        // LinearRegression's bread is `(X'WX)^-1` of the rescaled analytic weights; DRDID's OLS bread uses
        // the weights as given. Only the unweighted bread is used (reg and dr), so no rescaling is needed.
        bread = fit.bread
        notes = fit.notes.map { "outcome model: \($0)" }
    }
}

struct PropensityModel {
    let columns: [Int]
    /// `p_i`, capped at `1 - 1e-6` as DRDID does ("do not divide by zero").
    let score: [Double]
    /// `(X' V X)^-1` over ``columns`` (logit only; IPT's estimation effect is zero by construction).
    let bread: Matrix

    /// Logit by our IRLS.
    ///
    /// With `patterns` (the units' distinct design rows), the fit is first made on the distinct
    /// (pattern, treated) rows weighted by their counts: the same likelihood, score and information as
    /// the fit on every unit (frequency weights replicate rows), so the same estimate up to the order
    /// of the sums (about 1e-15 relative), and `p` and the bread follow per pattern. That fit is used
    /// only when it is clean: converged, nothing omitted, no row dropped, no note. Otherwise (a
    /// collinear or perfectly predicting term, separation, an error) the fit on every unit is made, so
    /// its notes, counts and errors are exactly those of the uncompressed route.
    static func logit(treated: [Double], x: Matrix, names: [String], patterns: CovariatePatterns.Subset? = nil) throws -> PropensityModel {
        if let patterns, let model = compressedLogit(treated: treated, names: names, patterns: patterns) { return model }
        let fit = try LogisticRegression().fit(x, y: treated, names: names)
        if fit.rowIndices.count != treated.count {
            throw RegressionError.perfectPrediction("the propensity model dropped \(treated.count - fit.rowIndices.count) perfectly predicted units")
        }
        var index: [String: Int] = [:]
        for (j, n) in names.enumerated() { index[n] = j }
        let columns = fit.names.compactMap { index[$0] }
        let p = fit.fittedProbabilities.map { Swift.min($0, 1 - 1e-6) }
        return PropensityModel(columns: columns, score: p, bread: fit.bread, coefficients: fit.coefficients,
                               notes: fit.notes.map { "propensity model: \($0)" })
    }

    /// ``logit(treated:x:names:patterns:)`` on the distinct (pattern, treated) rows, or nil when that fit is not
    /// clean (then the caller fits every unit).
    static func compressedLogit(treated: [Double], names: [String], patterns: CovariatePatterns.Subset) -> PropensityModel? {
        let m = patterns.rows.rows
        // Unit a's row among the (pattern, treated) pairs: 2 pattern + treated.
        let key = { (a: Int) in 2 * Int(patterns.ofUnit[a]) + (treated[a] == 1 ? 1 : 0) }
        var counts = [Double](repeating: 0, count: 2 * m)
        for a in treated.indices { counts[key(a)] += 1 }
        let keys = counts.indices.filter { counts[$0] > 0 }
        let xm = patterns.rows.selecting(rows: keys.map { $0 / 2 }, columns: Array(0..<patterns.rows.columns))
        guard let fit = try? LogisticRegression().fit(xm, y: keys.map { Double($0 % 2) }, names: names,
                                                       weights: keys.map { counts[$0] }, weightKind: .frequency),
              fit.converged, fit.omitted.isEmpty, fit.notes.isEmpty, fit.rowIndices.count == keys.count,
              fit.names.count == names.count else { return nil }
        let pk = fit.fittedProbabilities.map { Swift.min($0, 1 - 1e-6) }
        var row = [Int](repeating: 0, count: 2 * m)
        for (r, key) in keys.enumerated() { row[key] = r }
        let p = treated.indices.map { pk[row[key($0)]] }
        return PropensityModel(columns: Array(names.indices), score: p, bread: fit.bread, coefficients: fit.coefficients, notes: [])
    }

    let coefficients: [Double]
    /// The fit's notes (collinear terms dropped, quasi-separation, non-convergence).
    let notes: [String]

    init(columns: [Int], score: [Double], bread: Matrix, coefficients: [Double], notes: [String]) {
        self.columns = columns
        self.score = score
        self.bread = bread
        self.coefficients = coefficients
        self.notes = notes
    }

    /// Inverse probability tilting for the ATT (DRDID `pscore.cal`): `gamma` minimises
    /// `-mean(D x'gamma - (1 - D) exp(x'gamma))`, whose first-order condition
    /// `sum_i D_i x_i = sum_i (1 - D_i) exp(x_i'gamma) x_i` makes the comparison units, weighted by
    /// the odds `exp(x'gamma)`, reproduce the treated units' covariate sums exactly. The loss is
    /// convex; Newton steps with halving start from the logit estimate (as DRDID starts from `glm`).
    /// `p = exp(x'gamma) / (1 + exp(x'gamma))`.
    static func tilting(treated: [Double], x: Matrix, names: [String], patterns: CovariatePatterns.Subset? = nil,
                        maxIterations: Int = 100) throws -> PropensityModel? {
        let start = try logit(treated: treated, x: x, names: names, patterns: patterns)
        let xk = x.selecting(columns: start.columns)
        let n = treated.count, k = xk.columns
        var gamma = start.coefficients
        func loss(_ g: [Double]) -> Double {
            let eta = xk.multiply(g)
            var s = 0.0
            for i in 0..<n { s += treated[i] == 1 ? -eta[i] : Double.exp(eta[i]) }
            return s / Double(n)
        }
        var current = loss(gamma)
        var converged = false
        for _ in 0..<maxIterations {
            let eta = xk.multiply(gamma)
            var grad = [Double](repeating: 0, count: k)
            var hess = Matrix(rows: k, columns: k)
            for i in 0..<n {
                let r = xk.row(i)
                if treated[i] == 1 {
                    for a in 0..<k { grad[a] -= r[a] }
                } else {
                    let e = Double.exp(eta[i])
                    for a in 0..<k {
                        grad[a] += e * r[a]
                        for b in 0...a { hess[a, b] += e * r[a] * r[b] }
                    }
                }
            }
            for a in 0..<k { for b in 0..<a { hess[b, a] = hess[a, b] } }
            guard let chol = try? CholeskyFactor(hess) else { return nil }
            let delta = chol.solve(grad)
            var step = 1.0
            var candidate = zip(gamma, delta).map { $0 - $1 }
            var next = loss(candidate)
            var halvings = 0
            while !(next <= current + 1e-15 * Swift.abs(current)) && halvings < 40 {
                step /= 2
                halvings += 1
                candidate = zip(gamma, delta).map { $0 - step * $1 }
                next = loss(candidate)
            }
            let change = zip(delta, gamma).map { Swift.abs(step * $0) / (Swift.abs($1) + 1) }.max() ?? 0
            gamma = candidate
            current = next
            if change < 1e-12 { converged = true; break }
        }
        if !converged || !current.isFinite { return nil }
        let eta = xk.multiply(gamma)
        let p = eta.map { Swift.min(1 / (1 + Double.exp(-$0)), 1 - 1e-6) }
        return PropensityModel(columns: start.columns, score: p, bread: Matrix(rows: 0, columns: 0), coefficients: gamma,
                               notes: start.notes)
    }
}
