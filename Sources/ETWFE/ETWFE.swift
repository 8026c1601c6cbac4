import Estimation
import Linalg
import Regression
import Staggered
import Tabular

/// Wooldridge's extended two-way fixed effects (ETWFE) estimator, linear and logit.
///
/// ## Model
/// For unit `i` of cohort `g_i` (first treated period; 0 never treated) in period `t`,
/// `E[y_it | .] = F( a + sum_g c_g 1[g_i = g] + sum_s l_s 1[t = s] + x_i'(b + b_g + b_t)
///                  + sum_{(g,s) cells} 1[g_i = g, t = s] (delta_gs + (x_i - xbar_g)' gamma_gs) )`
/// with `F` the identity (linear, OLS) or the logistic function (logit, pooled
/// QMLE as Wooldridge 2023). The cells are the treated cohorts' periods `t >= g`
/// (`notyet` controls, etwfe's default) or all periods but the first (`never`).
/// See ``ETWFEDesign`` for the columns and ``ETWFEPanel`` for the sample rules.
///
/// ## Conventions (R etwfe 0.5 / Stata jwdid)
/// - Cohort dummies, not unit fixed effects (etwfe's default `ivar = NULL`; jwdid's default),
///   which the logit requires and which give the same linear ATTs as unit effects.
/// - The covariates are time-invariant or their baseline (first-period) values, as
///   ``StaggeredData`` reads them; they enter with cohort- and period-specific slopes and,
///   centred within cohort, interacted with every treatment indicator (etwfe's `xvar` demeaning).
/// - ATT(g,t) is `mean_{i in cell} [F(eta_i) - F(eta_i - tau_i)]`, `tau_i` the cell's
///   treatment terms (etwfe's `emfx`, jwdid's `estat`), with delta-method SEs.
///
/// ## Complexity
/// Linear: `O(N p^2)` (tall-skinny QR of the design read in row blocks, `N = n T` rows), memory `O(N)`
/// (``LinearRegression/fit(streaming:y:names:clusters:)``: the design is never held).
/// Logit: `O(N q^2)` per IRLS iteration on the design's cell structure (row `(i, t)` is
/// `A_gt (1, x_i)`, `q = 1 + k`; see ``ETWFEDesign/cellLoadings`` and Linalg's `CellLoadings`), memory
/// `O(N)` for the outcome, cluster codes and linear predictor; the design is never held, unless a
/// perfect predictor forces dropping rows, which materialises it. Without covariates, above
/// ``ETWFEOptions/collapseAbove`` person-years, the collapsed fit (`O(C T p^2)` per iteration).
/// Here `p = C + T + k (C + T) + M (1 + k)` for `C` cohorts, `T` periods, `k` covariates, `M` cells.
public enum ETWFE {
    /// Fits the ETWFE model once; choose the SE kind and aggregation afterwards with
    /// ``ETWFEFit/effects(vce:level:)``.
    /// - Throws: ``ETWFEError``.
    public static func fit(_ data: StaggeredData, options: ETWFEOptions = ETWFEOptions()) throws -> ETWFEFit {
        let panel = try ETWFEPanel(data, control: options.control)
        let family = options.family ?? (panel.isBinaryOutcome ? .logit : .linear)
        if family == .logit && !panel.isBinaryOutcome { throw ETWFEError.outcomeNotBinary }
        // The design's cells are coded in 32 bits (ETWFECellFactors): refuse a panel with more, never truncate.
        let cellCount = (panel.treatedCohorts.count + 1).multipliedReportingOverflow(by: panel.periodCount)
        if cellCount.overflow || cellCount.partialValue > Int(Int32.max) {
            throw ETWFEError.tooManyCells(cellCount.overflow ? Int.max : cellCount.partialValue)
        }
        let design = ETWFEDesign(panel: panel)
        let nT = panel.periodCount
        let regression: ETWFEFit.Regression
        // Collapsing is exact for the logit without covariates; it is chosen for large panels
        // (over `collapseAbove` person-years, etwfe's `emfx(collapse = "auto")` threshold) or when asked.
        let collapsible = family == .logit && panel.covariateNames.isEmpty
        if options.collapse || (collapsible && panel.observations > ETWFEOptions.collapseAbove) {
            guard collapsible else { throw ETWFEError.collapseNotExact }
            do {
                regression = .logit(try collapsedLogit(panel: panel, design: design))
            } catch let e as RegressionError { throw ETWFEError.model(e) }
            return ETWFEFit(panel: panel, design: design, family: family, control: options.control, regression: regression,
                            collapsed: true)
        }
        var rowClusters = [Int32](repeating: 0, count: panel.observations)
        for i in 0..<panel.unitCount { for p in 0..<nT { rowClusters[i * nT + p] = panel.clusters[i] } }
        let clusters = ClusterIDs(codes: rowClusters, count: panel.clusterCount)
        do {
            switch family {
            case .linear:
                regression = .linear(try LinearRegression().fit(streaming: design, y: panel.outcome, names: design.names,
                                                                clusters: clusters))
            case .logit:
                regression = .logit(try LogisticRegression().fit(design, y: panel.outcome, names: design.names,
                                                                 outcomeName: "outcome", hasIntercept: true, clusters: clusters))
            }
        } catch let e as RegressionError {
            throw ETWFEError.model(e)
        }
        return ETWFEFit(panel: panel, design: design, family: family, control: options.control, regression: regression,
                        collapsed: false)
    }

    /// The no-covariate logit on collapsed cells (as etwfe does for large data): one row per
    /// (cohort, period, outcome value) with its count as a frequency weight. Exact, because the
    /// design row depends only on (cohort, period): the log-likelihood, information and the
    /// frequency-weighted robust meat `sum f r^2 x x'` are the row-level sums regrouped, and
    /// `N = sum f` is the same. Cost `O(N)` to count, then `O(C T p^2)` per iteration instead of `O(N p^2)`.
    static func collapsedLogit(panel: ETWFEPanel, design: ETWFEDesign) throws -> BinaryModelFit {
        let nT = panel.periodCount
        // Cohort keys: -1 (reference) and 0..<C, stored at key + 1; a representative unit of each.
        let slots = (panel.cohortIndex.max() ?? -1) + 2
        var representative = [Int](repeating: -1, count: slots)
        var ones = [Double](repeating: 0, count: slots * nT), zeros = [Double](repeating: 0, count: slots * nT)
        panel.outcome.withUnsafeBufferPointer { y in
            for i in 0..<panel.unitCount {
                let c = panel.cohortIndex[i] + 1
                if representative[c] < 0 { representative[c] = i }
                for p in 0..<nT {
                    if y[i * nT + p] == 1 { ones[c * nT + p] += 1 } else { zeros[c * nT + p] += 1 }
                }
            }
        }
        var rows: [[Double]] = [], y: [Double] = [], w: [Double] = []
        for c in 0..<slots where representative[c] >= 0 {
            let i = representative[c]
            for p in 0..<nT {
                let x = design.row(unit: i, period: p)
                if ones[c * nT + p] > 0 { rows.append(x); y.append(1); w.append(ones[c * nT + p]) }
                if zeros[c * nT + p] > 0 { rows.append(x); y.append(0); w.append(zeros[c * nT + p]) }
            }
        }
        return try LogisticRegression().fit(Matrix(rowMajor: rows), y: y, names: design.names, weights: w, weightKind: .frequency,
                                            outcomeName: "outcome", hasIntercept: true)
    }

    /// Reads the panel from a table by column names (see ``StaggeredData/init(table:id:time:outcome:group:covariates:factors:cluster:)``)
    /// and fits it.
    public static func fit(table: Table, id: String, time: String, outcome: String, group: String, covariates: [String] = [],
                           factors: [String] = [], cluster: String? = nil, options: ETWFEOptions = ETWFEOptions()) throws -> ETWFEFit {
        let data: StaggeredData
        do {
            data = try StaggeredData(table: table, id: id, time: time, outcome: outcome, group: group, covariates: covariates,
                                     factors: factors, cluster: cluster)
        } catch let e as StaggeredError { throw ETWFEError.panel(e) }
        do {
            return try fit(data, options: options)
        } catch ETWFEError.model(.outcomeConstant(_, let v)) {
            // The panel knows no column names: the logit's rows (the estimation sample, which can be smaller than
            // the balanced panel) are constant in the column `outcome`.
            throw ETWFEError.model(.outcomeConstant(column: outcome, value: v))
        }
    }
}

/// A fitted ETWFE model: the panel, the design and the regression fit, from
/// which every SE kind and every aggregation is computed without refitting.
public struct ETWFEFit: Sendable {
    /// The regression behind the estimates.
    public enum Regression: Sendable {
        case linear(LinearModelFit)
        case logit(BinaryModelFit)
    }

    public let panel: ETWFEPanel
    public let design: ETWFEDesign
    public let family: ETWFEFamily
    public let control: ETWFEControl
    public let regression: Regression
    /// Whether the fit was made on collapsed cells (``ETWFEOptions/collapse``).
    public let collapsed: Bool

    /// The fit's coefficient names (omitted terms excluded) and estimates.
    public var names: [String] {
        switch regression { case .linear(let f): return f.names; case .logit(let f): return f.names }
    }
    public var coefficients: [Double] {
        switch regression { case .linear(let f): return f.coefficients; case .logit(let f): return f.coefficients }
    }
    /// Terms dropped (collinear, or perfect predictors for the logit).
    public var omitted: [String] {
        switch regression { case .linear(let f): return f.omitted; case .logit(let f): return f.omitted }
    }
    /// The panel's notes, then the regression's (and the collapsed path, when it ran).
    public var notes: [String] {
        let path = collapsed
            ? ["fit on the cohort x period x outcome cells with frequency weights (exact without covariates; clustered SEs from the cohort moments of the outcome)"]
            : []
        switch regression { case .linear(let f): return panel.notes + f.notes + path; case .logit(let f): return panel.notes + f.notes + path }
    }
    /// Observations (person-years) used by the regression.
    public var observations: Int {
        switch regression { case .linear(let f): return f.observations; case .logit(let f): return f.observations }
    }

    /// The coefficient covariance under `vce` (cluster: the panel's clusters, by person unless
    /// another column was named). OLS: classical / HC1 / CR1 with `G/(G-1) (N-1)/(N-K)`
    /// (Stata's `regress`, `K` all coefficients); logit: `I^-1` / `N/(N-1)` / `G/(G-1)` sandwiches (Stata's `logit`).
    /// - Throws: ``ETWFEError``.
    public func covariance(_ vce: VCEKind) throws -> Matrix {
        if collapsed, vce == .cluster, case .logit(let f) = regression { return try collapsedClusterCovariance(f) }
        do {
            switch regression {
            case .linear(let f):
                let v = try VarianceEstimator(vce, clusters: f.designClusterIDs)
                if case .cluster(let c) = v, c.count < 2 { throw ETWFEError.tooFewClusters(c.count) }
                return try f.covariance(v)
            case .logit(let f):
                let v = try VarianceEstimator(vce, clusters: f.designClusterIDs)
                if case .cluster(let c) = v, c.count < 2 { throw ETWFEError.tooFewClusters(c.count) }
                return try f.covariance(v)
            }
        } catch let e as RegressionError { throw ETWFEError.model(e) }
    }
}
