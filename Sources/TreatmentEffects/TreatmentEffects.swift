import Linalg
import Regression
import Tabular

/// Stata's `teffects ra | ipw | aipw | ipwra` for a binary 0/1 treatment on cross-sectional data
/// (one row per person): the ATE or ATET and the two potential-outcome means, with M-estimation
/// standard errors (see ``StackedEstimatingEquations``).
///
/// ## Estimators (Stata's `teffects`, [TE] Methods and formulas)
/// - `ra`: an outcome model per arm (OLS, or logit for a 0/1 outcome); `mu_j` = the mean of the arm-`j`
///   predictions over everyone (ATE) or the treated (ATET).
/// - `ipw`: a logit/probit treatment model; `mu_j` = the weighted mean of `y` in arm `j` with normalised
///   weights `1/p`, `1/(1-p)` (ATE) or `1`, `p/(1-p)` (ATET).
/// - `aipw` (ATE only, as Stata): `mu_j = mean(m_j + 1{t=j} (y - m_j) / pi_j)`, outcome models by ML,
///   or by weighted least squares with `weightedOutcomeModels` (Stata's `wnls`).
/// - `ipwra`: outcome models fitted with the IPW weights, `mu_j` as for `ra`.
/// - `psmatch`: nearest-neighbour matching on the estimated score (``PropensityScoreMatchingEstimator``).
/// - `nnmatch`: nearest-neighbour matching on covariates (``NearestNeighborMatchingEstimator``).
///
/// ## Assumptions
/// Conditional independence (no unmeasured confounding given the covariates), overlap (every
/// propensity score in `[1e-5, 1 - 1e-5]`, checked), and a correct outcome model (`ra`), treatment
/// model (`ipw`) or either (`aipw`, `ipwra`: doubly robust).
///
/// ## Complexity
/// `O(n (p^2 + q^2) I)` for the model fits (`I` Newton iterations of a logit/probit) plus `O(n K^2 + K^3)`
/// for the sandwich with `K = 2 + 2p + q` parameters.
public struct TreatmentEffects: Sendable {
    public var specification: TreatmentEffectsSpecification

    public init(_ specification: TreatmentEffectsSpecification) { self.specification = specification }

    /// Estimates the effect on `table`.
    /// - Throws: ``TreatmentEffectsError`` (bad data, no overlap, a model that cannot be estimated,
    ///   an estimator not yet supported); never returns non-finite estimates.
    public func fit(_ table: Table) throws -> TreatmentEffectFit { try fitWithCells(table).fit }

    /// ``fit(_:)`` and ``armCells(_:)`` from one estimation sample (the listwise deletion and the checks of the
    /// treatment and the outcome made once): what a caller that publishes the estimate through the disclosure gate needs.
    /// - Throws: as ``fit(_:)``.
    public func fitWithCells(_ table: Table) throws -> (fit: TreatmentEffectFit, cells: ArmCells) {
        let spec = specification
        switch spec.method {
        case .nnmatch, .psmatch:
            guard spec.neighbors >= 1 else { throw TreatmentEffectsError.notSupported("--neighbors must be at least 1") }
            if let c = spec.caliper, !(c > 0) { throw TreatmentEffectsError.notSupported("--caliper must be positive") }
            let sample = try TreatmentEffectsSample(table, spec, materialize: true)
            let fit = spec.method == .nnmatch
                ? try NearestNeighborMatchingEstimator.fit(spec, sample: sample, neighbors: spec.neighbors, caliper: spec.caliper,
                                                           metric: spec.metric, biasAdjust: spec.biasAdjust)
                : try PropensityScoreMatchingEstimator.fit(spec, sample: sample, neighbors: spec.neighbors, caliper: spec.caliper)
            return (fit, ArmCells(t: sample.t, y: sample.y))
        case .aipw where spec.estimand == .atet:
            throw TreatmentEffectsError.notSupported(
                "--method aipw estimates the ATE only (as Stata's teffects aipw): use --estimand ate, or ipwra for the ATET")
        default: break
        }
        if spec.weightedOutcomeModels && spec.method != .aipw {
            throw TreatmentEffectsError.notSupported("weighted outcome models (wnls) apply to --method aipw only")
        }
        let sample = try TreatmentEffectsSample(table, spec)
        return (try fitMEstimator(sample), ArmCells(t: sample.t, y: sample.y))
    }

    /// ra, ipw, aipw, ipwra on the estimation sample: the models, the potential-outcome means and the sandwich.
    private func fitMEstimator(_ sample: TreatmentEffectsSample) throws -> TreatmentEffectFit {
        let spec = specification

        // Treatment model and scores.
        var treatmentModel: TreatmentModelEstimate?
        var p: [Double] = []
        if spec.method.usesTreatmentModel {
            let tm = try TreatmentModelEstimate.fit(sample: sample, link: spec.treatmentModel, treatment: spec.treatment,
                                                    tolerance: spec.overlapTolerance)
            treatmentModel = tm
            p = tm.scores
        }

        // Outcome models.
        var outcomeModels: [ArmOutcomeModel] = []
        if spec.method.usesOutcomeModel {
            let probe = StackedEstimatingEquations(method: spec.method, estimand: spec.estimand,
                                                   weightedOutcomeModels: spec.weightedOutcomeModels, sample: sample,
                                                   outcomeModels: [], treatmentModel: treatmentModel)
            let weights: [[Double]?] = (0...1).map { arm in
                guard spec.method == .ipwra || (spec.method == .aipw && spec.weightedOutcomeModels) else { return nil }
                return p.map { probe.outcomeWeight(arm: arm, p: $0).w }
            }
            outcomeModels = try ArmOutcomeModel.fitBoth(kind: spec.outcomeModel, sample: sample, weights: weights,
                                                        outcome: spec.outcome, treatment: spec.treatment)
        }

        // Potential-outcome means: the solutions of their estimating equations.
        let predictors = LinearPredictors(treatment: treatmentModel?.linearPredictors ?? [],
                                          outcome: ArmOutcomeModel.linearPredictors(outcomeModels, design: sample.outcomeSource))
        let mu = Self.potentialOutcomeMeans(spec: spec, sample: sample, p: p, outcomeModels: outcomeModels, predictors: predictors)
        guard mu.allSatisfy({ $0.isFinite }) else {
            throw TreatmentEffectsError.treatmentModel(column: spec.treatment, reason: "the weighted means are not finite")
        }
        let equations = StackedEstimatingEquations(method: spec.method, estimand: spec.estimand,
                                                   weightedOutcomeModels: spec.weightedOutcomeModels, sample: sample,
                                                   outcomeModels: outcomeModels, treatmentModel: treatmentModel)
        let moments = equations.moments(mu: mu, predictors: predictors)
        let jacobian = moments.jacobian
        let v = try StackedEstimatingEquations.sandwich(meat: moments.meat, jacobian: jacobian, observations: sample.count)
        guard v.storage.allSatisfy({ $0.isFinite }) else { throw TreatmentEffectsError.singularJacobian }
        var theta = mu
        for m in outcomeModels { theta += m.coefficients }
        if let tm = treatmentModel { theta += tm.coefficients }
        let maxMeanScore = moments.means.reduce(0.0) { Swift.max($0, Swift.abs($1)) }
        var notes = sample.notes
        notes += treatmentModel?.fit.notes ?? []
        let binary = sample.y.allSatisfy { $0 == 0 || $0 == 1 }
        return TreatmentEffectFit(specification: spec, observations: sample.count, treatedCount: sample.treatedCount,
                                  droppedRows: sample.droppedRows, parameterNames: equations.parameterNames, parameters: theta,
                                  covariance: v, binaryOutcome: binary, treatmentModelFit: treatmentModel?.fit,
                                  propensityScores: p, jacobian: jacobian, maxMeanEstimatingEquation: maxMeanScore, notes: notes)
    }

    /// `mu_0`, `mu_1` in closed form (each solves its equation in ``StackedEstimatingEquations``).
    static func potentialOutcomeMeans(spec: TreatmentEffectsSpecification, sample: TreatmentEffectsSample, p: [Double],
                                      outcomeModels: [ArmOutcomeModel], predictors: LinearPredictors) -> [Double] {
        var mu = [0.0, 0.0]
        for arm in 0...1 {
            var num = 0.0, den = 0.0
            for i in 0..<sample.count {
                let t = sample.t[i]
                let aj = arm == 1 ? t : 1 - t
                switch spec.method {
                case .ra, .ipwra:
                    let sel = spec.estimand == .ate ? 1.0 : t
                    if sel != 0 {
                        let om = outcomeModels[arm]
                        num += sel * outcomeMean(om.kind, predictors.outcome[arm][i]).mean
                        den += sel
                    }
                case .ipw:
                    if aj != 0 {
                        let v = ArmWeight.inverseProbability(arm: arm, p: p[i], estimand: spec.estimand).w
                        num += v * sample.y[i]
                        den += v
                    }
                case .aipw:
                    let om = outcomeModels[arm]
                    let m = outcomeMean(om.kind, predictors.outcome[arm][i]).mean
                    num += m + aj * (sample.y[i] - m) * ArmWeight.ownArmInverse(arm: arm, p: p[i]).w
                    den += 1
                case .psmatch, .nnmatch:
                    break
                }
            }
            mu[arm] = num / den
        }
        return mu
    }
}
