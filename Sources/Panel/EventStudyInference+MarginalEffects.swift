import Design
import Distributions
import Estimation
import Linalg
import Regression

extension EventStudyInference {
    /// Average marginal effects of the treated x event-time interactions on the treated, in
    /// percentage points (one per estimated window period).
    ///
    /// Logit: the mean over treated person-years at event time `e` of `F(eta) - F(eta - b_e)`,
    /// with the delta-method gradient `mean[f(eta) x - f(eta - b_e)(x - u_e)]` (`u_e` the unit
    /// vector of `b_e`); one parallel pass over the design for all periods, each row's linear
    /// predictor recomputed from its design row (so rows the fit dropped do not matter).
    /// OLS: the coefficient itself. SEs `sqrt(g' V g)`, normal intervals and p-values.
    ///
    /// Complexity: one pass over the sample, O(rows x coefficients).
    public func marginalEffects() -> [MarginalEffect] {
        let spec = fit.specification
        let window = Array(spec.window)
        let names = table.names
        let z = ReferenceDistribution.normal.critical(level: level)
        let interaction: [Int?] = window.map { e in e == spec.reference ? nil : names.firstIndex(of: TermName.treatedEvent(e)) }
        let isLogit = fit.model == .logit
        let pass = isLogit ? logitEffectPass(interaction: interaction) : nil
        var effects: [MarginalEffect] = []
        for (k, e) in window.enumerated() {
            guard let j = interaction[k] else { continue }
            let effect: Double
            var gradient: [Double]
            if let pass {
                effect = pass.effect[k] / Double(pass.count[k])
                gradient = pass.gradient[k].map { $0 / Double(pass.count[k]) }
            } else {
                effect = table.coefficients[j]
                gradient = [Double](repeating: 0, count: names.count)
                gradient[j] = 1
            }
            let se = Swift.max(0, table.covariance.quadraticForm(gradient)).squareRoot()
            effects.append(MarginalEffect(eventTime: e, percentagePoints: 100 * effect, standardError: 100 * se,
                                          ciLower: 100 * (effect - z * se), ciUpper: 100 * (effect + z * se),
                                          pValue: Normal.twoSidedPValue(effect / se)))
        }
        return effects
    }

    /// The marginal effects as an effect table in percentage points (labelled by event time).
    public func marginalEffectTable() -> EffectTable {
        let rows = marginalEffects().map { m in
            Effect(label: EffectLabel(term: TermName.treated, event: m.eventTime), estimate: m.percentagePoints,
                   standardError: m.standardError, ciLower: m.ciLower, ciUpper: m.ciUpper, pValue: m.pValue)
        }
        return EffectTable(title: "Average marginal effects on the treated", scale: .percentagePoints, level: level, vce: vce.rawValue,
                           rows: rows)
    }

    struct EffectPass: Sendable { var effect: [Double]; var gradient: [[Double]]; var count: [Int] }

    /// Sums per window period of `F(eta) - F(eta - b_e)` and its gradient over treated rows.
    func logitEffectPass(interaction: [Int?]) -> EffectPass {
        let sample = fit.sample
        let designIndex = alignment().map { $0! }
        let b = table.coefficients
        let periods = interaction.count, p = b.count
        return fit.design.reduceRowBlocks(stripeState: { _ in
            EffectPass(effect: [Double](repeating: 0, count: periods),
                       gradient: [[Double]](repeating: [Double](repeating: 0, count: p), count: periods),
                       count: [Int](repeating: 0, count: periods))
        }, body: { part, xb, r in
            for kk in 0..<r.count {
                let i = r.lowerBound + kk
                let k = Int(sample.eventIndex[i])
                guard sample.treated[i], let j = interaction[k] else { continue }
                var eta1 = 0.0
                for (jj, dj) in designIndex.enumerated() { eta1 += b[jj] * xb[kk, dj] }
                let eta0 = eta1 - b[j]
                let p1 = BinaryLink.logit.mean(eta1), p0 = BinaryLink.logit.mean(eta0)
                part.effect[k] += p1 - p0
                let d1 = p1 * (1 - p1), d0 = p0 * (1 - p0)
                for (jj, dj) in designIndex.enumerated() {
                    let x = xb[kk, dj]
                    part.gradient[k][jj] += d1 * x - d0 * (x - (jj == j ? 1 : 0))
                }
                part.count[k] += 1
            }
        }, combine: { t, part in
            for k in 0..<periods {
                t.effect[k] += part.effect[k]
                t.count[k] += part.count[k]
                for jj in 0..<p { t.gradient[k][jj] += part.gradient[k][jj] }
            }
        })
    }
}
