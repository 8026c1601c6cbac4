import _DiDKitParallel

extension PropensityScoreMatchingEstimator {
    /// For every person, the mean outcome of its `m` nearest persons of the other arm in the Euclidean distance of
    /// the treatment model's covariates (the columns it kept, the intercept left out, each in its own units), ties at
    /// the `m`-th distance included: `ybar^x_i` of the ATET's derivative term (see the type's documentation).
    /// Stata's `teffects psmatch, atet` matches on the covariates this way there; the Mahalanobis metric instead gives
    /// 30.509 on cattaneo2, where Stata prints 30.55147 (`Fixtures/make_psmatch_fixtures.py`).
    /// - Complexity: one ``EuclideanNeighborIndex`` per arm (built on two cores), then one lookup per person.
    static func covariateMatchMeans(sample: TreatmentEffectsSample, model tm: TreatmentModelEstimate, m: Int) -> [Double] {
        let n = sample.count
        let z = sample.treatmentDesign
        let columns = zip(tm.columns, tm.names).filter { $0.1 != "_cons" }.map { $0.0 }
        let k = columns.count
        let storage = z.storage
        let t = sample.t
        @Sendable func row(_ i: Int, _ out: inout [Double]) { for (a, j) in columns.enumerated() { out[a] = storage[j * n + i] } }
        let arms = parallelMap(count: 2) { w in
            EuclideanNeighborIndex(persons: (0..<n).filter { t[$0] == Double(w) }, k: k, y: sample.y, row: row)
        }
        // Each arm's persons look up the other arm's tree (one core per arm).
        let halves = parallelMap(count: 2) { w -> [(Int, Double)] in
            var buffer = [Double](repeating: 0, count: k)
            var out: [(Int, Double)] = []
            for i in 0..<n where t[i] == Double(w) {
                row(i, &buffer)
                out.append((i, arms[1 - w].nearestMean(to: buffer, m: m).meanY))
            }
            return out
        }
        var means = [Double](repeating: .nan, count: n)
        for half in halves { for (i, v) in half { means[i] = v } }
        return means
    }
}
