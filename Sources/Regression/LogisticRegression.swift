import _DiDKitParallel
import Distributions
import Linalg
import Design
import Estimation
import Tabular

/// Maximum-likelihood logit and probit regression by Newton-Raphson (IRLS).
///
/// ## Detailed design
/// Each iteration is one parallel pass over fixed row blocks of the design
/// (see ``RowBlocks``): for a block `X_b`, `eta = X_b b` (`dgemv`), then the
/// per-row log-likelihood, score `s_i` and weight `w_i` (logit: `y - mu`,
/// `mu (1 - mu)`; probit: observed-Hessian weights as Stata's `probit`), the
/// gradient `X_b' (f s)` (`dgemv`) and the information `X_b' diag(f w) X_b` by
/// `dsyrk` on the block scaled by `sqrt(f w)` (`f` = weights). No `n x p`
/// temporary exists besides the design; per-stripe partial sums are combined
/// in a fixed order, so results do not depend on the number of cores.
///
/// The fit starts at the intercept-only estimate (`logit(ybar)`, zero for the
/// other terms). There every row has the same linear predictor, so for an
/// unweighted logit the first pass is not made: its log-likelihood, gradient
/// and information follow from the survey's sums (``IRLSPass`` `atConstant`,
/// `O(p^2)`), one pass of `n p^2` fewer (a probit's observed weights depend
/// on the outcome, and weights or dropped rows change the sums, so those fits
/// make the pass).
///
/// The Newton step solves `I delta = g` by Cholesky (`dpotrf`/`dpotrs`); a
/// step that lowers the log-likelihood is halved (up to 30 times), as Stata
/// does. Convergence: the largest relative coefficient change
/// `|delta_j| / (|b_j| + 1)` falls below `tolerance` (default 1e-10), or the
/// log-likelihood changes by less than 1e-13 relative while the scaled
/// gradient `g' I^-1 g` is below 1e-10 (this is how quasi-separated fits,
/// whose estimates drift, stop, as in Stata). The reported estimate is the
/// one the last pass was made at, and every pass keeps its information,
/// scores, linear predictor and log-likelihood, so the covariance belongs to
/// the reported coefficients without an extra pass.
///
/// Before the fit, as Stata's `logit` does:
/// - terms collinear with earlier terms (or constant, with an intercept) are
///   dropped (`_rmcoll` rule: the later term goes), see
///   ``Matrix/dependentColumnsInOrder(tolerance:)``;
/// - a 0/1 indicator term for which one value predicts the outcome perfectly
///   is dropped together with the observations it determines
///   ("x != 0 predicts failure perfectly; x dropped and 12 obs not used").
/// After the fit, observations whose fitted probability is 0 or 1 to machine
/// precision are counted (quasi-complete separation, a note); if every
/// observation is determined the data are completely separated and the fit
/// throws ``RegressionError/perfectPrediction(_:)``.
///
/// ## Complexity
/// `O(n p^2)` per iteration (dominated by `dsyrk`), usually 4-8 iterations,
/// plus the survey pass (`dsyrk` and two `dgemv` per block).
public struct LogisticRegression: Sendable {
    public var link: BinaryLink
    /// Maximum Newton iterations (Stata's default is 16,000; separation is caught earlier by the diagnostics).
    public var maxIterations: Int
    /// Relative coefficient change that counts as converged.
    public var tolerance: Double
    /// Tolerance of the collinearity check on `1 - R^2` of a term on the earlier ones.
    public var collinearityTolerance: Double

    public init(link: BinaryLink = .logit, maxIterations: Int = 300, tolerance: Double = 1e-10,
                collinearityTolerance: Double = 1e-9) {
        self.link = link
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.collinearityTolerance = collinearityTolerance
    }

    /// Fits the model to a built design (it must carry a response).
    /// - Throws: ``RegressionError``.
    /// - Parameter weightKind: overrides the kind the design was built with (default: the design's).
    public func fit(_ design: DesignMatrix, outcomeName: String = "outcome", weightKind: WeightKind? = nil) throws -> BinaryModelFit {
        guard let y = design.response else { preconditionFailure("LogisticRegression.fit: the design has no response") }
        let clusters = design.clusters.map { ClusterIDs(codes: $0, count: design.clusterCount) }
        return try fit(design.matrix, y: y, names: design.columnNames, weights: design.weights, weightKind: weightKind ?? design.weightKind,
                       outcomeName: outcomeName, hasIntercept: design.coding.intercept, rowIndices: design.rowIndices,
                       droppedRows: design.droppedRows, notes: design.notes, clusters: clusters)
    }

    /// Fits the model to any row-block design source.
    ///
    /// - Parameters:
    ///   - x: the design (`n x p`), the intercept column (if any) named `_cons`.
    ///   - y: the 0/1 outcome (`n`).
    ///   - names: column names (`p`).
    ///   - weights: optional frequency or analytic weights (`n`, positive).
    ///   - rowIndices: source-row numbers of the design rows (defaults to `0..<n`).
    ///   - clusters: optional cluster ids of the design rows, kept for `vce(cluster)`.
    public func fit(_ x: any RowBlockSource, y: [Double], names: [String], weights: [Double]? = nil,
                    weightKind: WeightKind = .frequency, outcomeName: String = "outcome", hasIntercept: Bool? = nil,
                    rowIndices: [Int]? = nil, droppedRows: Int = 0, notes: [String] = [],
                    clusters: ClusterIDs? = nil) throws -> BinaryModelFit {
        let n = x.rows
        precondition(y.count == n && names.count == x.columns, "LogisticRegression.fit: shape mismatch")
        precondition(weights == nil || weights!.count == n, "LogisticRegression.fit: weights length mismatch")
        var notes = notes
        let interceptColumn = names.firstIndex(of: TermName.intercept)
        let hasIntercept = hasIntercept ?? (interceptColumn != nil)

        // Outcome checks.
        if let bad = nonBinaryValues(y) { throw RegressionError.outcomeNotBinary(column: outcomeName, value: bad.example, count: bad.count) }
        if let first = y.first, y.allSatisfy({ $0 == first }) {
            throw RegressionError.outcomeConstant(column: outcomeName, value: first)
        }

        // Collinearity (Stata's order: intercept first, then terms in order).
        var keptColumns = Array(0..<names.count)
        var omitted: [String] = []
        // One pass surveys the design: centred Gram (collinearity) and 0/1-column outcome counts (perfect prediction).
        let survey = DesignSurvey(x, y: y, interceptColumn: interceptColumn)
        let dependent = Self.collinearColumns(survey, interceptColumn: interceptColumn, tolerance: collinearityTolerance)
        for j in dependent {
            omitted.append(names[j])
            notes.append("\(names[j]) omitted because of collinearity")
        }
        keptColumns.removeAll { dependent.contains($0) }

        // Perfect prediction by 0/1 indicator terms.
        var rowsInUse = Array(0..<n)
        let pp = try Self.dropPerfectPredictors(x, y: y, names: names, columns: &keptColumns, rows: &rowsInUse,
                                                 interceptColumn: interceptColumn, survey: survey)
        omitted.append(contentsOf: pp.omitted)
        notes.append(contentsOf: pp.notes)
        if keptColumns.isEmpty { throw RegressionError.noEstimableTerms }

        // The working design.
        var source: any RowBlockSource = ColumnSubset(x, columns: keptColumns)
        var yy = y
        var ww = weights
        var sourceRows = rowIndices ?? Array(0..<n)
        var clusterIDs = clusters
        if rowsInUse.count < n {
            let m = x.materialized()
            source = m.selecting(rows: rowsInUse, columns: keptColumns)
            yy = rowsInUse.map { y[$0] }
            ww = weights.map { w in rowsInUse.map { w[$0] } }
            sourceRows = rowsInUse.map { sourceRows[$0] }
            clusterIDs = clusters?.selecting(rowsInUse)
            if let first = yy.first, yy.allSatisfy({ $0 == first }) {
                throw RegressionError.perfectPrediction("after dropping perfectly predicted observations the outcome is constant")
            }
        }
        let keptNames = keptColumns.map { names[$0] }
        let nObs = ww.map { w in weightKind == .frequency ? Int(w.reduce(0, +).rounded()) : w.count } ?? yy.count
        if nObs <= keptColumns.count { throw RegressionError.tooFewObservations(observations: nObs, parameters: keptColumns.count) }

        // Newton-Raphson.
        let p = keptColumns.count
        var beta = [Double](repeating: 0, count: p)
        let outcome = Self.weightedOutcomeSums(yy, ww)
        let ybar = outcome.successes / outcome.total
        if let k = keptNames.firstIndex(of: TermName.intercept) {
            beta[k] = link == .logit ? Double.log(ybar / (1 - ybar)) : Normal.quantile(ybar)
        }
        var dataPasses = 1  // the survey; every IRLS pass below adds one
        let kernelPass: ([Double]) -> IRLSPass = { b in
            dataPasses += 1
            switch self.link {
            case .logit: return IRLSPass.run(LogitLink.self, source: source, y: yy, weights: ww, beta: b)
            case .probit: return IRLSPass.run(ProbitLink.self, source: source, y: yy, weights: ww, beta: b)
            }
        }
        // The start's linear predictor is the same for every row; without weights or dropped rows
        // the survey's sums give its pass in closed form (a logit; a probit's weights depend on y).
        var startPass: IRLSPass?
        if ww == nil && rowsInUse.count == n && link == .logit {
            let eta0 = keptNames.firstIndex(of: TermName.intercept).map { beta[$0] } ?? 0
            startPass = IRLSPass.atConstant(LogitLink.self, eta: eta0, survey: survey, columns: keptColumns, y: yy)
        }
        var current = startPass ?? kernelPass(beta)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let factor: CholeskyFactor
            do { factor = try CholeskyFactor(current.information) } catch {
                throw RegressionError.informationNotInvertible
            }
            let delta = factor.solve(current.gradient)
            let scaledGradient = dot(current.gradient, delta)
            var step = 1.0
            var candidate = zip(beta, delta).map { $0 + $1 }
            var next = kernelPass(candidate)
            var halvings = 0
            while !(next.logLikelihood >= current.logLikelihood - 1e-12 * Swift.abs(current.logLikelihood)) && halvings < 30 {
                step /= 2
                halvings += 1
                candidate = zip(beta, delta).map { $0 + step * $1 }
                next = kernelPass(candidate)
            }
            let relChange = zip(delta, beta).map { Swift.abs(step * $0) / (Swift.abs($1) + 1) }.max() ?? 0
            let llChange = Swift.abs(next.logLikelihood - current.logLikelihood) / (Swift.abs(current.logLikelihood) + 1)
            beta = candidate
            current = next
            let done = relChange < tolerance || (llChange < 1e-13 && scaledGradient < 1e-10)
            ProgressReport.report("fitting the model (IRLS)",
                                  fraction: done ? 1 : IRLSPass.progressGuess(passes: iterations, change: relChange, tolerance: tolerance))
            if done {
                converged = true
                break
            }
        }
        if !converged {
            notes.append("convergence not achieved after \(iterations) iterations: the estimates are not reliable")
        }
        let bread: Matrix
        do { bread = try CholeskyFactor(current.information).inverse() } catch {
            throw RegressionError.informationNotInvertible
        }

        // Separation diagnostics at the estimate (probability 0 or 1 to machine precision).
        let eta = current.eta(rows: yy.count)
        var sep = SeparationDiagnostic(determinedFailures: 0, determinedSuccesses: 0)
        // Counted in parts on all cores (a mean, an `exp`, per row).
        let parts = partStarts(count: yy.count, minimumPart: 65_536)
        let link = self.link, outcomes = yy
        let counts: [(failures: Int, successes: Int)] = parallelMap(count: parts.count - 1) { k in
            var counted = (failures: 0, successes: 0)
            for i in parts[k]..<parts[k + 1] {
                let mu = link.mean(eta[i])
                if outcomes[i] == 0 && mu < 1e-12 { counted.failures += 1 }
                if outcomes[i] == 1 && 1 - mu < 1e-12 { counted.successes += 1 }
            }
            return counted
        }
        for c in counts {
            sep.determinedFailures += c.failures
            sep.determinedSuccesses += c.successes
        }
        if sep.determinedFailures + sep.determinedSuccesses == yy.count {
            throw RegressionError.perfectPrediction("a combination of the terms separates the outcome completely")
        }
        if sep.isPresent {
            notes.append("\(sep.determinedFailures) failures and \(sep.determinedSuccesses) successes completely determined (quasi-complete separation: some estimates diverge)")
        }

        // Intercept-only log-likelihood on the same observations (closed form).
        var nullLL: Double?
        if hasIntercept && keptNames.contains(TermName.intercept) {
            let (s1, sw) = (outcome.successes, outcome.total)
            nullLL = s1 * Double.log(ybar) + (sw - s1) * Double.log(1 - ybar)
        }

        // Display order: terms as given, `_cons` last (it already is, by construction).
        return BinaryModelFit(link: link, names: keptNames, coefficients: beta, information: current.information,
                              bread: bread, omitted: omitted, logLikelihood: current.logLikelihood,
                              nullLogLikelihood: nullLL, iterations: iterations, dataPasses: dataPasses, converged: converged,
                              observations: nObs, rowIndices: sourceRows, droppedRows: droppedRows + (n - yy.count),
                              notes: notes, separation: sep, linearPredictor: eta, design: source,
                              scoreResiduals: current.scores(y: yy), weights: ww, weightKind: weightKind,
                              designClusters: clusterIDs)
    }

    /// `sum w y` and `sum w` (with no weights, `sum y` and the row count): the
    /// start's outcome mean and the intercept-only log-likelihood both come from them.
    static func weightedOutcomeSums(_ y: [Double], _ w: [Double]?) -> (successes: Double, total: Double) {
        guard let w else { return (y.reduce(0, +), Double(y.count)) }
        var s = 0.0, sw = 0.0
        for i in y.indices { s += w[i] * y[i]; sw += w[i] }
        return (s, sw)
    }

    /// Columns to drop for collinearity, Stata's rule: with an intercept, a
    /// constant column is collinear with it; the others are checked on their
    /// correlation matrix in order, the later of two collinear columns going.
    static func collinearColumns(_ survey: DesignSurvey, interceptColumn: Int?, tolerance: Double) -> [Int] {
        collinearColumns(centeredGram: survey.centeredGram, means: survey.means, rows: survey.rows,
                         interceptColumn: interceptColumn, tolerance: tolerance)
    }

    /// ``collinearColumns(_:interceptColumn:tolerance:)`` from the design's centred Gram, column means and row count.
    static func collinearColumns(centeredGram: Matrix, means: [Double], rows: Int, interceptColumn: Int?, tolerance: Double) -> [Int] {
        let p = means.count
        if p == 0 { return [] }
        // With an intercept the centred Gram; without, the raw one `X'X = G + n m m'`.
        var g = centeredGram
        if interceptColumn == nil {
            let n = Double(rows)
            for j in 0..<p { for i in 0..<p { g[i, j] = centeredGram[i, j] + n * means[i] * means[j] } }
        }
        var order = Array(0..<p)
        var dropped: [Int] = []
        if let ic = interceptColumn {
            order.removeAll { $0 == ic }
            // After centring, a constant column has zero variance.
            let scale = (0..<p).map { g[$0, $0] }.max() ?? 0
            for j in order where g[j, j] <= 1e-24 * Swift.max(1, scale) || g[j, j] == 0 {
                dropped.append(j)
            }
            order.removeAll { dropped.contains($0) }
        }
        // Correlation matrix of the remaining columns, in order.
        let k = order.count
        var r = Matrix(rows: k, columns: k)
        for (a, i) in order.enumerated() {
            for (b, j) in order.enumerated() { r[a, b] = g[i, j] / (g[i, i] * g[j, j]).squareRoot() }
        }
        for d in r.dependentColumnsInOrder(tolerance: tolerance) { dropped.append(order[d]) }
        return dropped.sorted()
    }

    /// Drops 0/1 indicator columns one of whose values predicts the outcome
    /// perfectly, with the rows they determine, until none is left (Stata's
    /// check for dummy variables).
    static func dropPerfectPredictors(_ x: any RowBlockSource, y: [Double], names: [String], columns: inout [Int],
                                      rows: inout [Int], interceptColumn: Int?, survey: DesignSurvey) throws -> (omitted: [String], notes: [String]) {
        var omitted: [String] = []
        var notes: [String] = []
        let candidates = columns.filter { $0 != interceptColumn }
        if candidates.isEmpty { return ([], []) }
        // The survey pass found which columns are 0/1 and whether either value of one has a single outcome;
        // only if some kept indicator is flagged are the indicator columns read whole (rare).
        if !candidates.contains(where: { survey.predictsPerfectly(column: $0) }) { return ([], []) }
        let full = x.materialized()
        var indicatorColumns: [Int: [Double]] = [:]
        for j in candidates where survey.binary[j] { indicatorColumns[j] = full.column(j) }
        var changed = true
        while changed {
            changed = false
            for j in columns where indicatorColumns[j] != nil {
                let c = indicatorColumns[j]!
                var count1 = 0, sumY1 = 0.0, count0 = 0, sumY0 = 0.0
                for i in rows {
                    if c[i] == 1 { count1 += 1; sumY1 += y[i] } else { count0 += 1; sumY0 += y[i] }
                }
                var determinedValue: Double?
                var message = ""
                if count1 > 0 && (sumY1 == 0 || sumY1 == Double(count1)) {
                    determinedValue = 1
                    message = "\(names[j]) != 0 predicts \(sumY1 == 0 ? "failure" : "success") perfectly; \(names[j]) dropped and \(count1) obs not used"
                } else if count0 > 0 && count1 > 0 && (sumY0 == 0 || sumY0 == Double(count0)) {
                    determinedValue = 0
                    message = "\(names[j]) == 0 predicts \(sumY0 == 0 ? "failure" : "success") perfectly; \(names[j]) dropped and \(count0) obs not used"
                }
                if let v = determinedValue {
                    rows.removeAll { c[$0] == v }
                    columns.removeAll { $0 == j }
                    omitted.append(names[j])
                    notes.append(message)
                    changed = true
                    if rows.isEmpty { throw RegressionError.perfectPrediction(message) }
                    break
                }
            }
        }
        return (omitted, notes)
    }
}
