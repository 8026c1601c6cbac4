import Distributions
import Linalg
import Regression
import Design
import Estimation
import Tabular

/// One period of an event study: the treated x event-time effect.
public struct EventStudyPoint: Sendable, Equatable {
    public let eventTime: Int
    /// Odds ratio (logit) or coefficient (OLS); 1 or 0 for the reference period.
    public let estimate: Double
    public let standardError: Double?
    public let ciLower: Double?
    public let ciUpper: Double?
    public let pValue: Double?
    public let isReference: Bool
}

/// Predicted outcome probability by event time for a reference person.
public struct PredictedPoint: Sendable, Equatable {
    public let eventTime: Int
    public let treated: PredictedProbability
    public let control: PredictedProbability
}

/// Average marginal effect of a treated x event-time interaction on the treated, in percentage points.
public struct MarginalEffect: Sendable, Equatable {
    public let eventTime: Int
    public let percentagePoints: Double
    public let standardError: Double
    public let ciLower: Double
    public let ciUpper: Double
    public let pValue: Double
}

/// A fitted event-study model with everything evaluators report.
public struct EventStudyResult: Sendable {
    public let specification: EventStudySpecification
    public let model: EventStudyModel
    /// The coefficient table under the chosen variance estimator.
    public let table: CoefficientTable
    public let observations: Int
    public let converged: Bool
    public let iterations: Int
    /// Passes over the design by the logit fit (``BinaryModelFit/dataPasses``; 0 for OLS).
    public let dataPasses: Int
    public let logLikelihood: Double?
    public let omitted: [String]
    public let notes: [String]
    public let treatedPersons: Int
    public let controlPersons: Int
    public let eventStudy: [EventStudyPoint]
    /// Joint Wald test that every pre-period interaction is zero (nil when the window has none).
    public let preTrend: WaldTest?
    /// The pooled treated x post effect (separate fit: interactions replaced by one treated:post term).
    public let pooled: CoefficientRow?
    public let predicted: [PredictedPoint]
    /// The reference person's control values (numeric and baseline controls, in order).
    public let referencePerson: [(name: String, value: Double)]
    public let marginalEffects: [MarginalEffect]

    /// Whether the pre-trend test rejects parallel pre-trends at 5 %.
    public var preTrendRejected: Bool { preTrend?.rejects(at: 0.05) ?? false }
}

/// The variance estimator of an event study.
public enum EventStudyVariance: String, Sendable, Equatable, Codable {
    case oim, robust
    /// Clustered by person: the default for panels (see Docs/DifferenceInDifferences.md).
    case cluster
}

/// Estimates logit (or OLS) event studies on a sample.
public enum EventStudy {
    /// Fits the event study and derives its outputs.
    /// - Parameters:
    ///   - level: confidence level in percent.
    ///   - pooledEstimate: also fit the pooled treated x post model.
    /// - Throws: ``PanelError``.
    public static func estimate(_ sample: EventStudySample, vce: EventStudyVariance = .cluster, level: Double = 95,
                                pooledEstimate: Bool = true) throws -> EventStudyResult {
        let spec = sample.specification
        let design = EventStudyDesign(sample: sample)
        let clusters = ClusterIDs(labels: sample.person)
        func estimator(_ ids: ClusterIDs) -> VarianceEstimator {
            switch vce {
            case .oim: return .oim
            case .robust: return .robust
            case .cluster: return .cluster(ids)
            }
        }
        let window = Array(spec.window)
        var notes = sample.notes
        var table: CoefficientTable
        var observations = sample.count, converged = true, iterations = 0, dataPasses = 0
        var ll: Double?
        var omitted: [String] = []
        do {
            switch spec.model {
            case .logit:
                let fit = try LogisticRegression().fit(design, y: sample.outcome, names: design.columnNames, outcomeName: spec.outcome,
                                                       clusters: clusters)
                table = try fit.inference(vce: estimator(fit.designClusterIDs!), level: level)
                observations = fit.observations
                converged = fit.converged
                iterations = fit.iterations
                dataPasses = fit.dataPasses
                ll = fit.logLikelihood
                omitted = fit.omitted
                notes += fit.notes
            case .ols:
                let x = design.rowBlock(0..<design.rows)
                let fit = try LinearRegression().fit(x, y: sample.outcome, names: design.columnNames, clusters: clusters)
                table = try fit.inference(vce: estimator(fit.designClusterIDs!), level: level)
                omitted = fit.omitted
                notes += fit.notes
            }
        } catch let e as RegressionError { throw PanelError.regression(e) }
        for name in omitted where name.hasPrefix("treated:") {
            notes.append("\(name) could not be estimated (omitted): its effect is not identified in these data")
        }

        // Event-study rows.
        let rows = Dictionary(uniqueKeysWithValues: table.rows.map { ($0.name, $0) })
        let isLogit = spec.model == .logit
        let points: [EventStudyPoint] = window.map { e in
            if e == spec.reference {
                return EventStudyPoint(eventTime: e, estimate: isLogit ? 1 : 0, standardError: nil, ciLower: nil, ciUpper: nil,
                                       pValue: nil, isReference: true)
            }
            guard let r = rows["treated:event=\(e)"] else {
                return EventStudyPoint(eventTime: e, estimate: .nan, standardError: nil, ciLower: nil, ciUpper: nil, pValue: nil,
                                       isReference: false)
            }
            return EventStudyPoint(eventTime: e, estimate: isLogit ? r.oddsRatio! : r.coefficient,
                                   standardError: isLogit ? r.oddsRatioStandardError! : r.standardError,
                                   ciLower: isLogit ? r.oddsRatioCILower! : r.ciLower, ciUpper: isLogit ? r.oddsRatioCIUpper! : r.ciUpper,
                                   pValue: r.pValue, isReference: false)
        }
        let preTerms = spec.preEventTimes.map { "treated:event=\($0)" }.filter { rows[$0] != nil }
        let preTrend = preTerms.isEmpty ? nil : try? table.waldTest(preTerms)
        if let p = preTrend, p.rejects(at: 0.05) {
            notes.append("pre-trend test rejects parallel pre-period trends (chi2(\(p.df)) = \(String(format: "%.2f", p.chi2)), p = \(String(format: "%.4f", p.pValue))): the DiD estimates are not credible without further argument")
        }

        // Reference person: numeric and baseline controls at their sample means, factors at base levels.
        var reference: [(String, Double)] = []
        for c in spec.controls {
            let v = sample.controlColumns[c]!
            reference.append((c, sample.panelRows.reduce(0) { $0 + v[$1] } / Double(sample.count)))
        }
        for c in spec.baselineControls {
            let v = sample.baselineValues[c]!
            reference.append((c, sample.person.reduce(0) { $0 + v[Int($1)] } / Double(sample.count)))
        }
        let refValues = reference.map(\.1)
        var predicted: [PredictedPoint] = []
        var effects: [MarginalEffect] = []
        let z = ReferenceDistribution.normal.critical(level: level)
        let names = table.names
        var designColumn: [String: Int] = [:]
        for (k, n) in design.columnNames.enumerated() { designColumn[n] = k }
        func align(_ x: [Double]) -> [Double] { names.map { designColumn[$0].map { x[$0] } ?? 0 } }
        for (k, e) in window.enumerated() {
            let xt = align(design.referenceRow(eventIndex: k, treated: true, controlValues: refValues))
            let xc = align(design.referenceRow(eventIndex: k, treated: false, controlValues: refValues))
            func predict(_ x: [Double]) -> PredictedProbability {
                let eta = dot(x, table.coefficients)
                let se = Swift.max(0, table.covariance.quadraticForm(x)).squareRoot()
                if isLogit {
                    let p = BinaryLink.logit.mean(eta)
                    let sp = p * (1 - p) * se
                    return PredictedProbability(probability: p, standardError: sp, ciLower: p - z * sp, ciUpper: p + z * sp)
                }
                return PredictedProbability(probability: eta, standardError: se, ciLower: eta - z * se, ciUpper: eta + z * se)
            }
            predicted.append(PredictedPoint(eventTime: e, treated: predict(xt), control: predict(xc)))
        }
        // Average marginal effects of the interactions on the treated, in percentage points:
        // mean over treated person-years at event time e of F(eta) - F(eta - b_e), with the
        // delta-method gradient mean[f(eta) x - f(eta - b_e)(x - u_e)]; one pass for all periods.
        let designIndex = names.map { designColumn[$0]! }
        let interaction: [Int?] = window.map { e in e == spec.reference ? nil : names.firstIndex(of: "treated:event=\(e)") }
        var effectSum = [Double](repeating: 0, count: window.count)
        var gradients = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: window.count)
        var cellCount = [Int](repeating: 0, count: window.count)
        if isLogit {
            // One parallel pass; only treated rows in an interaction period contribute, their
            // linear predictor recomputed from the design row (so rows dropped by the fit do not matter).
            struct AMEPartial: Sendable { var effect: [Double]; var gradient: [[Double]]; var count: [Int] }
            let b = table.coefficients
            let periods = window.count, p = names.count
            let total = design.reduceRowBlocks(stripeState: { _ in
                AMEPartial(effect: [Double](repeating: 0, count: periods),
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
            effectSum = total.effect
            gradients = total.gradient
            cellCount = total.count
        }
        for (k, e) in window.enumerated() {
            guard let j = interaction[k] else { continue }
            var effect: Double
            var gradient: [Double]
            if isLogit {
                effect = effectSum[k] / Double(cellCount[k])
                gradient = gradients[k].map { $0 / Double(cellCount[k]) }
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

        var pooledRow: CoefficientRow?
        if pooledEstimate && window.contains(where: { $0 >= 0 && $0 != spec.reference }) {
            let pd = EventStudyDesign(sample: sample, pooled: true)
            do {
                switch spec.model {
                case .logit:
                    let f = try LogisticRegression().fit(pd, y: sample.outcome, names: pd.columnNames, clusters: clusters)
                    pooledRow = try? f.inference(vce: estimator(f.designClusterIDs!), level: level).row("treated:post")
                case .ols:
                    let f = try LinearRegression().fit(pd.rowBlock(0..<pd.rows), y: sample.outcome, names: pd.columnNames, clusters: clusters)
                    pooledRow = try? f.inference(vce: estimator(f.designClusterIDs!), level: level).row("treated:post")
                }
            } catch let e as RegressionError { throw PanelError.regression(e) }
        }
        return EventStudyResult(specification: spec, model: spec.model, table: table, observations: observations,
                                converged: converged, iterations: iterations, dataPasses: dataPasses, logLikelihood: ll, omitted: omitted, notes: notes,
                                treatedPersons: sample.treatedPersons, controlPersons: sample.controlPersons, eventStudy: points,
                                preTrend: preTrend, pooled: pooledRow, predicted: predicted, referencePerson: reference,
                                marginalEffects: effects)
    }
}
