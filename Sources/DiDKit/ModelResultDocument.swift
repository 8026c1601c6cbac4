import Foundation
import Regression

/// The machine-readable result of `logit`, `ols` (and the model part of `did`
/// and `match`), with exactly the JSON keys of the CLI contract plus a few
/// additions (`level`, `pseudoR2`, `likelihoodRatioChi2`, `rSquared`, ...).
/// Non-finite numbers are written as `null`.
public struct ModelResultDocument: Codable, Sendable, Equatable {
    public var model: String
    public var observations: Int
    public var converged: Bool
    public var iterations: Int
    public var logLikelihood: Double?
    public var nullLogLikelihood: Double?
    public var likelihoodRatioChi2: Double?
    public var likelihoodRatioDF: Int?
    public var pseudoR2: Double?
    public var rSquared: Double?
    public var vce: String
    public var clusters: Int?
    public var level: Double
    public var omitted: [String]
    public var droppedRows: Int
    public var notes: [String]
    public var terms: [TermDocument]

    public struct TermDocument: Codable, Sendable, Equatable {
        public var name: String
        public var coefficient: Double?
        public var standardError: Double?
        public var statistic: Double?
        public var pValue: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var oddsRatio: Double?
        public var oddsRatioStandardError: Double?
        public var oddsRatioCILower: Double?
        public var oddsRatioCIUpper: Double?

        init(_ r: CoefficientRow) {
            name = r.name
            coefficient = finite(r.coefficient)
            standardError = finite(r.standardError)
            statistic = finite(r.statistic)
            pValue = finite(r.pValue)
            ciLower = finite(r.ciLower)
            ciUpper = finite(r.ciUpper)
            oddsRatio = r.oddsRatio.flatMap(finite)
            oddsRatioStandardError = r.oddsRatioStandardError.flatMap(finite)
            oddsRatioCILower = r.oddsRatioCILower.flatMap(finite)
            oddsRatioCIUpper = r.oddsRatioCIUpper.flatMap(finite)
        }
    }

    /// A logit or probit result under a chosen inference.
    public init(_ fit: BinaryModelFit, _ table: CoefficientTable) {
        self.init(table: table, model: fit.link.rawValue, observations: fit.observations, converged: fit.converged,
                  iterations: fit.iterations, logLikelihood: fit.logLikelihood, omitted: fit.omitted,
                  droppedRows: fit.droppedRows, notes: fit.notes)
        nullLogLikelihood = fit.nullLogLikelihood.flatMap(finite)
        likelihoodRatioChi2 = fit.likelihoodRatioChi2.flatMap(finite)
        likelihoodRatioDF = fit.nullLogLikelihood == nil ? nil : fit.likelihoodRatioDF
        pseudoR2 = fit.pseudoR2.flatMap(finite)
    }

    /// An OLS result under a chosen inference.
    public init(_ fit: LinearModelFit, _ table: CoefficientTable) {
        self.init(table: table, model: "ols", observations: fit.observations, converged: true, iterations: 0,
                  logLikelihood: nil, omitted: fit.omitted, droppedRows: fit.droppedRows, notes: fit.notes)
        rSquared = finite(fit.rSquared)
    }

    /// Pretty-printed JSON.
    public func json() -> String { encodeJSON(self) }
}

func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

/// Encodes any document as pretty-printed JSON with sorted keys.
public func encodeJSON<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Documents hold only finite numbers or nil, so encoding cannot fail.
    let data = try! encoder.encode(value)
    return String(decoding: data, as: UTF8.self) + "\n"
}

extension ModelResultDocument {
    /// The coefficient table as a report table: coefficients with SEs, tests
    /// and intervals, and for logit the odds ratios (SE by the delta method).
    public func reportTable(title: String? = nil, stars: StarConvention = .regression) -> ReportTable {
        let isLogit = model == "logit"
        let stat = model == "ols" ? "t" : "z"
        let lvl = Format.fixed(level, level == level.rounded() ? 0 : 1)
        var columns = ["Term", "Coef.", "Std. err.", stat, "P>|\(stat)|", "[\(lvl)% conf.", "interval]"]
        if isLogit { columns += ["Odds ratio", "OR std. err.", "[OR \(lvl)% conf.", "interval]"] }
        columns.append("")
        let rows: [[String]] = terms.map { t in
            var r = [t.name, Format.fixed(t.coefficient ?? .nan, 4), Format.fixed(t.standardError ?? .nan, 4),
                     Format.fixed(t.statistic ?? .nan, 2), Format.pValue(t.pValue ?? .nan),
                     Format.fixed(t.ciLower ?? .nan, 4), Format.fixed(t.ciUpper ?? .nan, 4)]
            if isLogit {
                r += [Format.fixed(t.oddsRatio ?? .nan, 3), Format.fixed(t.oddsRatioStandardError ?? .nan, 3),
                      Format.fixed(t.oddsRatioCILower ?? .nan, 3), Format.fixed(t.oddsRatioCIUpper ?? .nan, 3)]
            }
            r.append(stars.stars(t.pValue ?? .nan))
            return r
        }
        let name = ["logit": "Logistic regression", "probit": "Probit regression", "ols": "Linear regression"][model] ?? model
        var header = "\(title ?? name)    Number of obs = \(Format.count(observations))"
        if let ll = logLikelihood { header += "    Log likelihood = \(Format.fixed(ll, 5))" }
        if let lr = likelihoodRatioChi2, let df = likelihoodRatioDF { header += "    LR chi2(\(df)) = \(Format.fixed(lr, 2))" }
        if let r2 = pseudoR2 { header += "    Pseudo R2 = \(Format.fixed(r2, 4))" }
        if let r2 = rSquared { header += "    R-squared = \(Format.fixed(r2, 4))" }
        var notes: [String] = []
        let vceText = ["oim": model == "ols" ? "classical (OLS)" : "OIM (inverse information)",
                       "robust": model == "ols" ? "robust (HC1)" : "robust (Huber-White)",
                       "cluster": "cluster-robust (\(clusters.map(Format.count) ?? "?") clusters)"][vce] ?? vce
        notes.append("Std. err.: \(vceText). Stars: \(stars.legend).")
        if model != "ols" {
            notes.append(converged ? "Converged in \(iterations) iterations." : "NOT CONVERGED after \(iterations) iterations: do not use these estimates.")
        }
        if isLogit { notes.append("Odds ratio = exp(Coef.); its std. err. = exp(b) x SE(b) (delta method); interval = exp of the coefficient interval.") }
        if droppedRows > 0 { notes.append("\(Format.count(droppedRows)) rows not used.") }
        if !omitted.isEmpty { notes.append("Omitted: \(omitted.joined(separator: ", ")).") }
        notes.append(contentsOf: self.notes.map { "Note: \($0)." })
        return ReportTable(title: header, columns: columns, rows: rows, notes: notes)
    }
}
