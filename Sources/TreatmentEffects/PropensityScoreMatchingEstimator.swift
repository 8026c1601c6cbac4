import Linalg

/// Stata's `teffects psmatch`: nearest-neighbour matching on the estimated propensity score, with
/// replacement and ties, and Abadie-Imbens standard errors adjusted for the estimation of the score
/// (Abadie and Imbens 2016, "Matching on the estimated propensity score", Econometrica 84(2)).
///
/// Steps:
/// 1. the treatment model (logit or probit ML) gives `p_i = F(z_i' gamma)`, `f_i = F'(z_i' gamma)`;
///    overlap is checked as for the other estimators (`1e-5`);
/// 2. every person is matched to the `M` persons of the other arm with the closest `p` (ties included);
///    with a caliper, a person (a treated person for the ATET) without a match within it is an error,
///    as in Stata;
/// 3. the estimate and the Abadie-Imbens (2006) variance `V_AI` (see ``MatchingEstimate``);
/// 4. the adjustment, with `I = (1/N) sum f_i^2 / (p_i (1 - p_i)) z_i z_i'` (the score model's information)
///    and the conditional covariances `cov_i,w = cov(z, y | p, arm w)` estimated on the `L` persons of arm `w`
///    nearest to `p_i` (`L = 2`, as Stata's `nn(2)`; the person itself included when in arm `w`):
///    - ATE: `V = V_AI - c' I^-1 c / N`, `c = (1/N) sum_i f_i (cov_i,1 / p_i + cov_i,0 / (1 - p_i))`;
///    - ATET: `V = V_AI - c_t' I^-1 c_t / N + d' I^-1 d / N`, with `pbar = N1/N`,
///      `c_t = (1/(N pbar)) sum_i f_i (cov_i,1 + p_i/(1 - p_i) cov_i,0)` and
///      `d = (1/(N pbar)) sum_i f_i z_i (Yhat_i(1) - Yhat_i(0) - tau_t)` (the derivative of the ATET in the score).
///
/// Every neighbour set (matches, same-arm variance and covariance neighbours) is a union of whole groups of
/// identical scores (``ScoreGroupIndex``), handled through the groups' moments: the persons of a tie group are
/// never enumerated per lookup.
/// - Complexity: `O(n log n)` for the sort, `O(log G + groups visited)` per lookup, `O(n q^2 + q^3)` for the
///   adjustment, plus the score model's fit; independent of the size of the tie groups.
enum PropensityScoreMatchingEstimator {
    static let varianceNeighbors = MatchingEstimate.varianceNeighbors
    /// Same-arm neighbours of the conditional covariances `cov(z, y | p)` of the adjustment (as `nn(2)`; 4 or 8 changed
    /// the simulated standard errors by under 2%).
    static let covarianceNeighbors = 2

    static func fit(_ spec: TreatmentEffectsSpecification, sample: TreatmentEffectsSample, neighbors m: Int,
                    caliper: Double?) throws -> TreatmentEffectFit {
        let tm = try TreatmentModelEstimate.fit(sample: sample, link: spec.treatmentModel, treatment: spec.treatment,
                                                tolerance: spec.overlapTolerance)
        let n = sample.count
        let z = sample.treatmentDesign
        var p = [Double](repeating: 0, count: n), f = p
        for i in 0..<n {
            let s = BinaryScore(link: tm.link, t: sample.t[i], eta: tm.linearPredictor(z, row: i))
            p[i] = s.p
            f[i] = s.density
        }
        let t = sample.t, y = sample.y
        let cols = tm.columns
        let q = cols.count
        let arms = [0.0, 1.0].map { w in
            ScoreGroupIndex(persons: (0..<n).filter { t[$0] == w }, scores: p, y: y, z: { i in cols.map { z[i, $0] } }, totalPersons: n)
        }
        for (arm, a) in arms.enumerated() {
            let size = Int(a.moments.reduce(0) { $0 + $1.n })
            if size < Swift.max(m, varianceNeighbors) {
                throw TreatmentEffectsError.notSupported(
                    "matching needs at least \(Swift.max(m, varianceNeighbors)) persons with '\(spec.treatment)' = \(arm), found \(size): use fewer --neighbors or another estimator")
            }
        }
        // Matches in the other arm (whole score groups), their mean outcome, and how often each group is used.
        var other = [Double](repeating: 0, count: n)
        var matchCount = [Int](repeating: 0, count: n)
        var used = arms.map { [Double](repeating: 0, count: $0.scores.count) }, used2 = used
        var outsideCaliper = 0
        for i in 0..<n {
            let o = t[i] == 1 ? 0 : 1
            let (groups, persons, distance) = arms[o].nearest(to: p[i], m: m)
            other[i] = arms[o].moments(of: groups).meanY
            matchCount[i] = persons
            if spec.estimand == .ate || t[i] == 1 {
                if let c = caliper, distance > c { outsideCaliper += 1 }
                let w = 1 / Double(persons)
                for g in groups { used[o][g] += w; used2[o][g] += w * w }
            }
        }
        if outsideCaliper > 0, let c = caliper {
            throw TreatmentEffectsError.noMatchWithinCaliper(persons: outsideCaliper, caliper: c)
        }
        // Conditional variances: the person and its nearest other same-arm persons (Stata's nn(2)).
        var sigma2 = [Double](repeating: 0, count: n), k = sigma2, k2 = sigma2
        for i in 0..<n {
            let arm = arms[Int(t[i])], own = arm.groupOf[i]
            let groups = arm.nearest(to: p[i], m: varianceNeighbors - 1, excluding: own).groups
            var set = arm.moments(of: groups)
            if !groups.contains(own) { set.merge(Moments(y: y[i], z: [Double](repeating: 0, count: q))) }
            sigma2[i] = set.varianceY
            k[i] = used[Int(t[i])][own]
            k2[i] = used2[Int(t[i])][own]
        }
        let est = MatchingEstimate(y: y, t: t, missingOutcome: other, k: k, k2: k2, sigma2: sigma2, estimand: spec.estimand)

        // Abadie-Imbens (2016) adjustment for the estimated score.
        var info = Matrix(rows: q, columns: q)
        var c = [Double](repeating: 0, count: q)
        var d = [Double](repeating: 0, count: q)
        let nn = Double(n)
        let pbar = Double(sample.treatedCount) / nn
        for i in 0..<n {
            let w = f[i] * f[i] / (p[i] * (1 - p[i]))
            for (a, ja) in cols.enumerated() { for (b, jb) in cols.enumerated() { info[a, b] += w * z[i, ja] * z[i, jb] / nn } }
            let cov1 = arms[1].moments(of: arms[1].nearest(to: p[i], m: covarianceNeighbors).groups).covarianceZY
            let cov0 = arms[0].moments(of: arms[0].nearest(to: p[i], m: covarianceNeighbors).groups).covarianceZY
            for k in 0..<q {
                switch spec.estimand {
                case .ate: c[k] += f[i] * (cov1[k] / p[i] + cov0[k] / (1 - p[i])) / nn
                case .atet:
                    c[k] += f[i] * (cov1[k] + p[i] / (1 - p[i]) * cov0[k]) / (nn * pbar)
                    d[k] += f[i] * z[i, cols[k]] * (est.imputed1[i] - est.imputed0[i] - est.effect) / (nn * pbar)
                }
            }
        }
        let lu = try LUFactorization(info)
        func quadratic(_ v: [Double]) -> Double {
            let s = lu.solve(Matrix(rows: q, columns: 1, columnMajor: v))
            var r = 0.0
            for k in 0..<q { r += v[k] * s[k, 0] }
            return r
        }
        var variance = est.variance - quadratic(c) / nn
        if spec.estimand == .atet { variance += quadratic(d) / nn }
        var notes = sample.notes + tm.fit.notes
        if !(variance > 0) {
            notes.append("the adjusted Abadie-Imbens variance is not positive (\(variance)): no standard error is reported")
        }
        let sizes = matchCount.enumerated().filter { spec.estimand == .ate || t[$0.offset] == 1 }.map { $0.element }
        let nan = Matrix(rows: 2, columns: 2, repeating: .nan)
        return TreatmentEffectFit(
            specification: spec, observations: n, treatedCount: sample.treatedCount, droppedRows: sample.droppedRows,
            parameterNames: ["POmean:0", "POmean:1"] + tm.names.map { "TME1:\($0)" }, parameters: [est.mu0, est.mu1] + tm.coefficients,
            covariance: nan, binaryOutcome: y.allSatisfy { $0 == 0 || $0 == 1 }, treatmentModelFit: tm.fit, propensityScores: p,
            jacobian: Matrix(rows: 0, columns: 0), maxMeanEstimatingEquation: 0, notes: notes, effectVariance: variance,
            matching: MatchingSummary(neighbors: m, minimumMatches: sizes.min() ?? 0, maximumMatches: sizes.max() ?? 0,
                                      varianceNeighbors: varianceNeighbors, unadjustedVariance: est.variance))
    }
}
