import Estimation
import Linalg
import RealModule

extension TreatmentEffectFit {
    /// The estimand's label (`ATE`, `ATET`).
    var estimandName: String { specification.estimand.rawValue.uppercased() }

    /// The effect (ATE or ATET): outcome units, or percentage points for a 0/1 outcome (`100 (mu1 - mu0)`).
    /// Wald interval `b +- z SE` on the normal distribution (Stata's `teffects`); `persons` = the treated persons.
    public func effectTable(level: Double = 95) -> EffectTable {
        let row = Effect.wald(EffectLabel(name: estimandName), estimate: effect, variance: effectVariance, distribution: .normal,
                              level: level, persons: treatedCount)
        let title = "\(estimandName) of '\(specification.treatment)' on '\(specification.outcome)' (\(specification.method.rawValue))"
        let vce = matching == nil ? "robust" : "abadie-imbens"
        if binaryOutcome {
            return EffectTable(title: title, scale: .percentagePoints, level: level, vce: vce, rows: [row.scaled(by: 100)],
                               notes: ["the outcome is 0/1: the effect is a difference of probabilities times 100"])
        }
        return EffectTable(title: title, scale: .outcomeUnits, level: level, vce: vce, rows: [row])
    }

    /// The potential-outcome means (treated, control): probabilities for a 0/1 outcome.
    public func potentialOutcomeMeanTable(level: Double = 95) -> EffectTable {
        let population = specification.estimand == .ate ? "everyone" : "the treated"
        let rows = [
            Effect.wald(EffectLabel(arm: .treated), estimate: parameters[1], variance: covariance[1, 1], distribution: .normal,
                        level: level, persons: treatedCount),
            Effect.wald(EffectLabel(arm: .control), estimate: parameters[0], variance: covariance[0, 0], distribution: .normal,
                        level: level, persons: treatedCount),
        ]
        return EffectTable(title: "Potential-outcome means of '\(specification.outcome)' over \(population)",
                           scale: binaryOutcome ? .probability : .outcomeUnits, level: level, vce: "robust", rows: rows,
                           notes: matching == nil ? [] : [Self.matchingNote])
    }

    /// For a 0/1 outcome: the risk ratio `mu1 / mu0` and the marginal odds ratio
    /// `[mu1 / (1 - mu1)] / [mu0 / (1 - mu0)]` of the potential-outcome means, by the delta method on
    /// the log scale (SE `ratio * SE(log ratio)`, interval `exp(log ratio +- z SE)`, which stays positive;
    /// as `nlcom` of the logs, exponentiated). `nil` for another outcome or a mean at 0 or 1.
    ///
    /// The table's scale is ``EffectScale/oddsRatio`` (the ratio scale: null value 1); each row's label names its ratio.
    public func ratioTable(level: Double = 95) -> EffectTable? {
        let (m0, m1) = potentialOutcomeMeans
        guard binaryOutcome, m0 > 0, m0 < 1, m1 > 0, m1 < 1 else { return nil }
        let v00 = covariance[0, 0], v11 = covariance[1, 1], v01 = covariance[0, 1]
        // Gradients of log RR and log OR with respect to (mu0, mu1).
        let gRR = (-1 / m0, 1 / m1)
        let gOR = (-1 / (m0 * (1 - m0)), 1 / (m1 * (1 - m1)))
        func variance(_ g: (Double, Double)) -> Double { g.0 * g.0 * v00 + g.1 * g.1 * v11 + 2 * g.0 * g.1 * v01 }
        let logRR = Double.log(m1 / m0)
        let logOR = Double.log(m1 / (1 - m1)) - Double.log(m0 / (1 - m0))
        let rows = [
            Effect.wald(EffectLabel(name: "risk ratio"), estimate: logRR, variance: variance(gRR), distribution: .normal, level: level,
                        persons: treatedCount).exponentiated,
            Effect.wald(EffectLabel(name: "odds ratio"), estimate: logOR, variance: variance(gOR), distribution: .normal, level: level,
                        persons: treatedCount).exponentiated,
        ]
        return EffectTable(title: "Risk ratio and marginal odds ratio of the potential-outcome means (\(estimandName))",
                           scale: .oddsRatio, level: level, vce: "robust", rows: rows,
                           notes: ["delta method on the log scale; the p-value tests a ratio of 1"] + (matching == nil ? [] : [Self.matchingNote]))
    }

    static let matchingNote = "matching estimators give standard errors for the effect only (as Stata's teffects psmatch and nnmatch)"

    /// The standard error of parameter `name` (`POmean:0`, `OME1:mage`, `TME1:_cons`, ...).
    public func standardError(of name: String) -> Double? {
        guard let k = parameterNames.firstIndex(of: name), k < covariance.rows else { return nil }
        let v = covariance[k, k]
        return v >= 0 ? v.squareRoot() : nil
    }

    /// The estimate of parameter `name`.
    public func parameter(_ name: String) -> Double? {
        parameterNames.firstIndex(of: name).map { parameters[$0] }
    }
}
