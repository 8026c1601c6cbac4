import Linalg
import _DiDKitParallel

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
///    - ATET: `V = V_AI - c_t' I^-1 c_t / N + d' I^-1 d / N` (Stata's `teffects psmatch, atet`), with `N1` treated,
///      `c_t = (1/N1) sum_i f_i [z_i (Ytilde_i(1) - Ytilde_i(0) - tau_t) + cov_i,1 + p_i/(1 - p_i) cov_i,0]` (the
///      covariance of the known-score ATET with the score), `Ytilde_i(w)` the mean `y` of the `L` persons of arm `w`
///      nearest to `p_i` (in the own arm: the `L` nearest *other* persons), ties included; and
///      `d = (1/N1) sum_i f_i z_i (tau_i - tau_t)` (the derivative of the ATET in the score parameters), where
///      `tau_i = y_i - ybar^x_i` (treated) or `ybar^x_i - y_i` (controls) estimates `mu_1(x_i) - mu_0(x_i)` with
///      `ybar^x_i` the mean `y` of the `M` persons of the other arm nearest to `x_i` in the Euclidean distance of the
///      treatment-model covariates in their own units (the intercept left out; ties included, distances compared
///      exactly; ``EuclideanNeighborIndex``). This is what reproduces Stata's published ATET SE on cattaneo2
///      (30.55147, to 7 digits) and on Lee and Wooldridge's staggered data (0.5866075); the score-matched
///      `Yhat_i(1) - Yhat_i(0)` in `d` and `c_t` without its first term (the earlier form) gave 30.4697.
///
/// Every neighbour set (matches, same-arm variance and covariance neighbours) is a union of whole groups of
/// identical scores (``ScoreGroupIndex``), handled through the groups' moments: the persons of a tie group are
/// never enumerated per lookup. A lookup depends on a person only through its score, so each is done once per
/// score group (``GroupLookups``; the two arms on two cores), and the persons then read their group's results.
/// - Complexity: `O(n log n)` for the sort, `O(log G + groups visited)` per lookup and `G <= n` lookups of each
///   kind, `O(n q)` for the per-person sums and `O(n q^2 + q^3)` (`dgemm` over row blocks) for the adjustment's
///   information matrix, plus the score model's fit; independent of the size of the tie groups. The ATET adds one
///   covariate k-d tree per arm and a lookup per person (``EuclideanNeighborIndex``).
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
        // The two arms' indexes, then their lookups, one arm per core.
        useSingleThreadedBLAS()
        let scores = p
        let arms = parallelMap(count: 2) { w in
            ScoreGroupIndex(persons: (0..<n).filter { t[$0] == Double(w) }, scores: scores, y: y, design: z, columns: cols, totalPersons: n)
        }
        for (arm, a) in arms.enumerated() {
            let size = a.personCount
            if size < Swift.max(m, varianceNeighbors) {
                throw TreatmentEffectsError.notSupported(
                    "matching needs at least \(Swift.max(m, varianceNeighbors)) persons with '\(spec.treatment)' = \(arm), found \(size): use fewer --neighbors or another estimator")
            }
        }
        // Every lookup depends on the person only through its score (and arm): done once per score group.
        let lookups = parallelMap(count: 2) { a in GroupLookups(arm: a, arms: arms, m: m, atet: spec.estimand == .atet) }
        // Matches in the other arm (whole score groups), their mean outcome, and how often each group is used.
        var other = [Double](repeating: 0, count: n)
        var matchCount = [Int](repeating: 0, count: n)
        var used = arms.map { [Double](repeating: 0, count: $0.scores.count) }, used2 = used
        var outsideCaliper = 0
        // Each person's own group (in its arm's index).
        let group = (0..<n).map { i in t[i] == 1 ? arms[1].groupOf[i] : arms[0].groupOf[i] }
        let matches = [lookups[0].match, lookups[1].match]
        for i in 0..<n {
            let a = t[i] == 1 ? 1 : 0, o = 1 - a
            let match = matches[a][group[i]]
            other[i] = match.meanY
            matchCount[i] = match.persons
            if spec.estimand == .ate || t[i] == 1 {
                if let c = caliper, match.distance > c { outsideCaliper += 1 }
                let w = 1 / Double(match.persons)
                for h in match.groups { used[o][h] += w; used2[o][h] += w * w }
            }
        }
        if outsideCaliper > 0, let c = caliper {
            throw TreatmentEffectsError.noMatchWithinCaliper(persons: outsideCaliper, caliper: c)
        }
        // Conditional variances: the person and its nearest other same-arm persons (Stata's nn(2)).
        var sigma2 = [Double](repeating: 0, count: n), k = sigma2, k2 = sigma2
        let groupVariance = [lookups[0].sigma2, lookups[1].sigma2]
        for i in 0..<n {
            let a = t[i] == 1 ? 1 : 0, own = group[i]
            sigma2[i] = groupVariance[a][own]
            k[i] = used[a][own]
            k2[i] = used2[a][own]
        }
        let est = MatchingEstimate(y: y, t: t, missingOutcome: other, k: k, k2: k2, sigma2: sigma2, estimand: spec.estimand)

        // Abadie-Imbens (2016) adjustment for the estimated score.
        let nn = Double(n)
        let info = Self.information(z: z, columns: cols, weights: (0..<n).map { f[$0] * f[$0] / (p[$0] * (1 - p[$0])) }, scale: 1 / nn)
        var c = [Double](repeating: 0, count: q)
        var d = [Double](repeating: 0, count: q)
        let pbar = Double(sample.treatedCount) / nn
        let cov1 = [lookups[0].covariance1, lookups[1].covariance1], cov0 = [lookups[0].covariance0, lookups[1].covariance0]
        let ate = spec.estimand == .ate
        let effect = est.effect
        // ATET: the covariate-matched outcome of the other arm, `ybar^x_i` (the derivative term).
        let covariateMatch = ate ? [] : Self.covariateMatchMeans(sample: sample, model: tm, m: m)
        z.storage.withUnsafeBufferPointer { zs in
            for i in 0..<n {
                let a = t[i] == 1 ? 1 : 0, base = group[i] * q
                let c1 = cov1[a], c0 = cov0[a]
                if ate {
                    for k in 0..<q { c[k] += f[i] * (c1[base + k] / p[i] + c0[base + k] / (1 - p[i])) / nn }
                } else {
                    let own = lookups[a].ownOthersMean(group: group[i], y: y[i]), otherArm = lookups[a].otherArmMeanY[group[i]]
                    let local = a == 1 ? own - otherArm : otherArm - own
                    let tauX = a == 1 ? y[i] - covariateMatch[i] : covariateMatch[i] - y[i]
                    for k in 0..<q {
                        let zik = zs[cols[k] * n + i]
                        c[k] += f[i] * (zik * (local - effect) + c1[base + k] + p[i] / (1 - p[i]) * c0[base + k]) / (nn * pbar)
                        d[k] += f[i] * zik * (tauX - effect) / (nn * pbar)
                    }
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

    /// `scale * sum_i w_i z_i z_i'` over the score model's columns, by row blocks (`dgemm` per block; see
    /// ``RowBlocks``: the same result on any number of cores).
    /// - Complexity: `O(n q^2)`.
    static func information(z: Matrix, columns cols: [Int], weights w: [Double], scale: Double) -> Matrix {
        let q = cols.count
        let source = ColumnSubset(z, columns: cols)
        var info = source.reduceRowBlocks(stripeState: { _ in (Matrix(rows: q, columns: q), RowBlock(capacity: RowBlocks.defaultBlockSize, columns: q)) },
                                          body: { state, block, r in
            state.1.setScaledRows(of: block, by: Array(w[r]))
            block.accumulateCrossProduct(rows: 0..<block.rows, with: state.1, into: &state.0)
        }, combine: { total, part in total.0 = total.0 + part.0 }).0
        for i in 0..<q { for j in 0..<q { info[i, j] *= scale } }
        return info
    }
}

/// The lookups of every score group of one arm (``ScoreGroupIndex/walk(to:m:excluding:_:)``), each done once per
/// group, not per person: its `M` matches in the other arm, its same-arm conditional variance (Stata's `nn(2)`: the
/// person and its nearest other person of the arm) and the covariances `cov(z, y | p)` of the 2016 adjustment in
/// each arm (the 2 nearest persons of the arm).
/// - Complexity: `O(G (log G + groups visited) q)` for `G` groups.
struct GroupLookups {
    struct Match {
        var meanY: Double
        var persons: Int
        var distance: Double
        /// The matched groups of the other arm (all of `lo..<hi`).
        var groups: Range<Int>
    }
    let match: [Match]
    let sigma2: [Double]
    /// Per group `g`, column `k` at `g * q + k`: `cov(z_k, y)` among the nearest persons of arm 1 and of arm 0.
    let covariance1: [Double]
    let covariance0: [Double]
    /// ATET only (empty otherwise), per group: the mean outcome of the covariance neighbours in the other arm
    /// (`Ytilde` of the other arm), and the walk over the `covarianceNeighbors` nearest *other* persons of the own
    /// arm (ties included): the sum of `y` over the groups visited (the own group whole when visited), the persons
    /// less the person itself, and whether the own group was visited (then the person's own `y` is in the sum).
    let otherArmMeanY: [Double]
    let ownOthersSumY: [Double]
    let ownOthersPersons: [Double]
    let ownGroupVisited: [Bool]

    /// The mean outcome of the `covarianceNeighbors` nearest other persons of person `i`'s own arm (`Ytilde` of the
    /// own arm in the ATET's `c_t`), `i` in group `g`; the ATET lookups must have been made.
    func ownOthersMean(group g: Int, y: Double) -> Double {
        (ownOthersSumY[g] - (ownGroupVisited[g] ? y : 0)) / ownOthersPersons[g]
    }

    init(arm a: Int, arms: [ScoreGroupIndex], m: Int, atet: Bool = false) {
        let own = arms[a], other = arms[1 - a], q = own.columns
        let groups = own.scores.count
        var match: [Match] = [], sigma2: [Double] = []
        match.reserveCapacity(groups)
        sigma2.reserveCapacity(groups)
        var cov = [[Double](repeating: 0, count: groups * q), [Double](repeating: 0, count: groups * q)]
        var otherMean: [Double] = [], ownSum: [Double] = [], ownPersons: [Double] = [], ownVisited: [Bool] = []
        if atet {
            otherMean.reserveCapacity(groups); ownSum.reserveCapacity(groups)
            ownPersons.reserveCapacity(groups); ownVisited.reserveCapacity(groups)
        }
        var y = MomentsAccumulator(columns: q, withZ: false)
        var yz = MomentsAccumulator(columns: q, withZ: true)
        for g in 0..<groups {
            let score = own.scores[g]
            y.reset()
            let w = other.walk(to: score, m: m) { y.add(group: $0, of: other) }
            match.append(w.persons > 0 ? Match(meanY: y.meanY, persons: w.persons, distance: w.distance, groups: w.lo..<w.hi)
                                       : Match(meanY: 0, persons: 0, distance: .infinity, groups: 0..<0))
            // The person itself and its nearest other person(s) of the arm.
            y.reset()
            let v = own.walk(to: score, m: PropensityScoreMatchingEstimator.varianceNeighbors - 1, excluding: g) { y.add(group: $0, of: own) }
            if v.persons == 0 { y.reset() }
            // The own group is taken (first, at distance 0) unless the person is alone in it: then add the person.
            if own.count[g] < 2 || v.persons == 0 { y.addPerson(y: own.meanY[g]) }
            sigma2.append(y.varianceY)
            for arm in 0...1 {
                yz.reset()
                let c = arms[arm].walk(to: score, m: PropensityScoreMatchingEstimator.covarianceNeighbors) { yz.add(group: $0, of: arms[arm]) }
                if c.persons == 0 { yz.reset() }
                yz.writeCovarianceZY(into: &cov[arm], at: g * q)
                if atet && arm != a { otherMean.append(c.persons > 0 ? yz.meanY : .nan) }
            }
            if atet {
                // The nearest other persons of the own arm: the own group counts one person fewer.
                y.reset()
                var visitedOwn = false
                let w = own.walk(to: score, m: PropensityScoreMatchingEstimator.covarianceNeighbors, excluding: g) {
                    if $0 == g { visitedOwn = true }
                    y.add(group: $0, of: own)
                }
                ownSum.append(w.persons > 0 ? y.meanY * y.n : .nan)
                ownPersons.append(Double(w.persons))
                ownVisited.append(visitedOwn)
            }
        }
        self.match = match
        self.sigma2 = sigma2
        covariance0 = cov[0]
        covariance1 = cov[1]
        otherArmMeanY = otherMean
        ownOthersSumY = ownSum
        ownOthersPersons = ownPersons
        ownGroupVisited = ownVisited
    }
}
