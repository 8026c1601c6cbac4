import Design
import Estimation
import Linalg

extension IRLSPass {
    /// The pass at a linear predictor `eta` that is the same for every row
    /// (the start of a fit: the intercept-only estimate, or zero), from the
    /// survey's sums instead of a pass over the data.
    ///
    /// With one `eta` for all rows, a row's contributions depend only on its
    /// outcome: `(l1, s1, w1)` for `y = 1`, `(l0, s0, w0)` for `y = 0`. With
    /// `n1 = sum y`, `n0 = n - n1`, `t = X'y` and `u = X'1` (the plain column
    /// sums), `G` the centred Gram and `m` the means:
    /// - log-likelihood `n1 l1 + n0 l0`;
    /// - gradient `X's = s1 t + s0 (u - t)`;
    /// - information `X' diag(w) X = w (G + n m m')` when `w1 = w0 = w`.
    ///
    /// The same quantities as a pass makes, up to the order of the additions
    /// (the Newton iterations from them are the same; tested against the pass).
    ///
    /// - Returns: `nil` when the weights differ by outcome (a probit's observed
    ///   information: the survey has no Gram per outcome).
    /// - Precondition: the pass is over the survey's rows, without weights,
    ///   `columns` picks the design's columns in use, and `y` is 0/1.
    /// - Complexity: `O(p^2)`; no pass over the rows.
    static func atConstant<L: LinkKernel>(_ link: L.Type, eta: Double, survey: DesignSurvey, columns: [Int],
                                          y: [Double]) -> IRLSPass? {
        precondition(y.count == survey.rows, "IRLSPass.atConstant: the outcomes are not the survey's rows")
        let one = L.contributions(y: 1, eta: eta), zero = L.contributions(y: 0, eta: eta)
        guard one.weight == zero.weight else { return nil }
        let n = Double(survey.rows), n1 = survey.outcomeSum, n0 = n - n1
        let gradient = columns.map { j in
            let t = survey.outcomeCrossProducts[j]
            return one.score * t + zero.score * (survey.columnSums[j] - t)
        }
        return IRLSPass(logLikelihood: n1 * one.logLik + n0 * zero.logLik, gradient: gradient,
                        information: one.weight * survey.gram(columns: columns),
                        perRow: .constant(eta: eta, scoreOfOne: one.score, scoreOfZero: zero.score))
    }
}
