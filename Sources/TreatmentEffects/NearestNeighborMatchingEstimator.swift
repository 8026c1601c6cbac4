import Linalg
import Regression

/// Stata's `teffects nnmatch`: nearest-neighbour matching on the outcome covariates with replacement and
/// ties, the Mahalanobis (default) or inverse-variance metric, optional bias correction, and Abadie-Imbens
/// (2006) standard errors (there is no estimated score, so no 2016 adjustment).
///
/// - Matches: the `M` persons of the other arm nearest in `(x_i - x_j)' W (x_i - x_j)`, ties within
///   `1e-10` relative included; `W` from the whole sample's covariance (a common scale factor does not
///   change neighbours). A caliper that leaves a person (a treated person for the ATET) unmatched is an error.
/// - Bias correction (Abadie and Imbens 2011): `Yhat_i(w) = mean_{j in J(i)} (y_j + b_w'(x_i - x_j))`, `b_w`
///   the slopes of a least-squares regression of `y` on `x` (with intercept) among the persons of arm `w`
///   used as matches, each weighted by the number of times it is used (the matched sample with repeats).
/// - Variance: ``MatchingEstimate`` with the (bias-corrected) imputations and conditional variances from the
///   2 nearest persons of the same arm in the same metric (Stata's `nn(2)`).
///
/// - Complexity: `O(n1 n0 k)` time for the matches (brute force), `O(n k)` memory; `O(n k^2)` for the regressions.
enum NearestNeighborMatchingEstimator {
    static func fit(_ spec: TreatmentEffectsSpecification, sample: TreatmentEffectsSample, neighbors m: Int,
                    caliper: Double?, metric: MatchingMetric, biasAdjust: Bool) throws -> TreatmentEffectFit {
        let covariateColumns = sample.outcomeNames.indices.filter { sample.outcomeNames[$0] != "_cons" }
        guard !covariateColumns.isEmpty else {
            throw TreatmentEffectsError.matchingCovariates("--method nnmatch matches on --outcome-covariates: name at least one")
        }
        let n = sample.count
        let names = covariateColumns.map { sample.outcomeNames[$0] }
        let x = sample.outcomeDesign.selecting(columns: covariateColumns)
        let metricSpace = try CovariateNeighbors(x: x, names: names, metric: metric)
        let t = sample.t, y = sample.y
        let armPersons = [(0..<n).filter { t[$0] == 0 }, (0..<n).filter { t[$0] == 1 }]
        for arm in 0...1 where armPersons[arm].count < Swift.max(m, 3) {
            throw TreatmentEffectsError.notSupported(
                "matching needs at least \(Swift.max(m, 3)) persons with '\(spec.treatment)' = \(arm), found \(armPersons[arm].count): use fewer --neighbors or another estimator")
        }
        var matches = [[Int]](repeating: [], count: n)
        var outsideCaliper = 0
        for i in 0..<n {
            let (persons, distance) = metricSpace.nearest(i, among: armPersons[t[i] == 1 ? 0 : 1], m: m)
            matches[i] = persons
            if let c = caliper, distance.squareRoot() > c, spec.estimand == .ate || t[i] == 1 { outsideCaliper += 1 }
        }
        if outsideCaliper > 0, let c = caliper { throw TreatmentEffectsError.noMatchWithinCaliper(persons: outsideCaliper, caliper: c) }
        var sigma2 = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let h = metricSpace.nearest(i, among: armPersons[Int(t[i])], m: MatchingEstimate.varianceNeighbors - 1).persons
            sigma2[i] = MatchingEstimate.conditionalVariance(of: i, neighbours: h, y: y)
        }
        var imputed: [Double]?
        if biasAdjust {
            // Times each person is used as a match (by the persons whose effect is averaged).
            var used = [Double](repeating: 0, count: n)
            for i in 0..<n where spec.estimand == .ate || t[i] == 1 { for j in matches[i] { used[j] += 1 } }
            var slopes: [[Double]] = []
            for arm in 0...1 {
                let rows = armPersons[arm].filter { used[$0] > 0 }
                let design = x.selecting(rows: rows, columns: Array(0..<x.columns))
                var withIntercept = Matrix(rows: rows.count, columns: x.columns + 1)
                for r in 0..<rows.count {
                    for c in 0..<x.columns { withIntercept[r, c] = design[r, c] }
                    withIntercept[r, x.columns] = 1
                }
                if rows.isEmpty { slopes.append([Double](repeating: 0, count: x.columns)); continue }
                do {
                    let f = try LinearRegression().fit(withIntercept, y: rows.map { y[$0] }, names: names + ["_cons"],
                                                       weights: rows.map { used[$0] }, weightKind: .analytic)
                    slopes.append(names.map { name in f.names.firstIndex(of: name).map { f.coefficients[$0] } ?? 0 })
                } catch let e as RegressionError {
                    throw TreatmentEffectsError.outcomeModel(column: spec.outcome, treatment: spec.treatment, arm: arm,
                                                             reason: "bias-correction regression: \(e.description)")
                }
            }
            var out = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let b = slopes[t[i] == 1 ? 0 : 1]
                var s = 0.0
                for j in matches[i] {
                    var adj = y[j]
                    for c in 0..<x.columns { adj += b[c] * (x[i, c] - x[j, c]) }
                    s += adj
                }
                out[i] = s / Double(matches[i].count)
            }
            imputed = out
        }
        let est = MatchingEstimate(y: y, t: t, matches: matches, imputed: imputed, sigma2: sigma2, estimand: spec.estimand)
        var notes = sample.notes
        if !(est.variance > 0) { notes.append("the Abadie-Imbens variance is not positive: no standard error is reported") }
        let sizes = matches.enumerated().filter { spec.estimand == .ate || t[$0.offset] == 1 }.map { $0.element.count }
        return TreatmentEffectFit(
            specification: spec, observations: n, treatedCount: sample.treatedCount, droppedRows: sample.droppedRows,
            parameterNames: ["POmean:0", "POmean:1"], parameters: [est.mu0, est.mu1],
            covariance: Matrix(rows: 2, columns: 2, repeating: .nan), binaryOutcome: y.allSatisfy { $0 == 0 || $0 == 1 },
            treatmentModelFit: nil, propensityScores: [], jacobian: Matrix(rows: 0, columns: 0), maxMeanEstimatingEquation: 0,
            notes: notes, effectVariance: est.variance,
            matching: MatchingSummary(neighbors: m, minimumMatches: sizes.min() ?? 0, maximumMatches: sizes.max() ?? 0,
                                      varianceNeighbors: MatchingEstimate.varianceNeighbors, unadjustedVariance: est.variance))
    }
}
