import Linalg
import Regression

/// The units of one group g and one comparison set, with every nuisance quantity that does not
/// depend on the period: the 2x2 DiD of ``TwoPeriodDiD`` for each period `t` then needs only the
/// outcome change `dY` and a few streamed passes over the set's design
/// (``estimate(cells:scale:into:)``, all the set's cells at once).
///
/// Why this is exact: the covariates enter at their baseline values, so the design `x`, the
/// treated indicator and hence the propensity model (logit, or inverse probability tilting) and
/// the outcome model's Gram matrix `X_c'X_c` are the same for every period that shares the
/// comparison set. With never-treated comparisons that is every period of the group; with
/// not-yet-treated comparisons the set changes only when a later group stops being "not yet"
/// treated. R did refits both models in every cell and gets the same numbers.
///
/// Complexity: models `O(n1 k^2)` once per set; `O(n1 k C)` for its `C` cells, in at most four
/// passes over the `n1 x k` design. Memory: the set's design copy `8 n1 k` bytes.
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
    /// Outcome model: kept columns and `(X_c' W X_c)^-1` over them (reg, dr: `W = I`; drimp: `W` the odds).
    let olsColumns: [Int]
    let olsBread: Matrix?
    /// The outcome model's weight per unit: `1 - D` (reg, dr), drimp's odds `p/(1-p)` on comparison
    /// units and 0 on treated units; unused by ipw.
    let outcomeWeights: [Double]
    /// Propensity model: kept columns and `(X'VX)^-1` (ipw, dr).
    let psColumns: [Int]
    let psBread: Matrix?
    let notes: [String]

    /// - Parameter sharedOutcome: reg and dr: the outcome model's structure fitted once for every set with the
    ///   same comparison units (its kept columns, bread `(X_c'X_c)^-1` and notes depend only on their design
    ///   rows, not on `dY`), or the error that fit threw; taken at the point where this set would fit it.
    /// - Parameter firstChange: the first cell's `dY` over the set's units, formed only when the set fits its
    ///   own outcome model (not for ipw, nor with `sharedOutcome`).
    /// - Parameter patterns: the units' distinct design rows, when few (the propensity logit is then fitted on them).
    init(method: ATTMethod, units: [Int], treated: [Double], x: Matrix, names: [String], firstChange: () -> [Double],
         sharedOutcome: Result<OutcomeModel, any Error>? = nil, patterns: CovariatePatterns.Subset? = nil) throws {
        self.method = method
        self.units = units
        self.treated = treated
        self.x = x
        let n = treated.count
        let nn = Double(n)
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
            let ps = try PropensityModel.logit(treated: treated, x: x, names: names, patterns: patterns)
            (_, w0, trimmed) = TwoPeriodDiD.weights(treated, ps.score)
            score = ps.score
            psColumns = ps.columns
            psBread = ps.bread
            notes += ps.notes
        case .drimp:
            guard let ps = try PropensityModel.tilting(treated: treated, x: x, names: names, patterns: patterns) else {
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
        outcomeWeights = olsWeights ?? treated.map { 1 - $0 }
        meanTreated = treated.reduce(0, +) / nn
        meanW0 = w0.reduce(0, +) / nn
        meanTreatedX = x.multiply(treated, transposed: true).map { $0 / nn }
        meanW0X = x.multiply(w0, transposed: true).map { $0 / nn }
        if method == .ipw {
            olsColumns = []
            olsBread = nil
        } else {
            // The columns the fit keeps (collinearity among the comparison units) and its notes, once.
            let weights = olsWeights.map { w in controls.map { w[$0] } }
            let om = try olsWeights == nil ? sharedOutcome?.get() ?? OutcomeModel(dY: firstChange(), controls: controls, x: x, names: names)
                : OutcomeModel(dY: firstChange(), controls: controls, x: x, names: names, weights: weights)
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
}
