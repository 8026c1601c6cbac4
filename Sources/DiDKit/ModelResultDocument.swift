import Design
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

    public struct TermDocument: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

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
        /// True when the disclosure gate withheld this term's numbers.
        public var suppressed: Bool?

        init(suppressedName: String) {
            name = suppressedName
            suppressed = true
        }

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

    /// A logit or probit result under a chosen inference, through the disclosure gate
    /// (``gated(design:disclosure:)``): the only public way to make a model document.
    public init(_ fit: BinaryModelFit, _ table: CoefficientTable, design: DesignMatrix, disclosure: DisclosureControl) {
        self = ModelResultDocument(fit, table).gated(design: design, disclosure: disclosure)
    }

    /// An OLS result under a chosen inference, through the disclosure gate.
    public init(_ fit: LinearModelFit, _ table: CoefficientTable, design: DesignMatrix, disclosure: DisclosureControl) {
        self = ModelResultDocument(fit, table).gated(design: design, disclosure: disclosure)
    }

    /// A logit or probit result under a chosen inference, before the gate (documents that embed
    /// it gate it themselves).
    init(_ fit: BinaryModelFit, _ table: CoefficientTable) {
        self.init(table: table, model: fit.link.rawValue, observations: fit.observations, converged: fit.converged,
                  iterations: fit.iterations, logLikelihood: fit.logLikelihood, omitted: fit.omitted,
                  droppedRows: fit.droppedRows, notes: fit.notes)
        nullLogLikelihood = fit.nullLogLikelihood.flatMap(finite)
        likelihoodRatioChi2 = fit.likelihoodRatioChi2.flatMap(finite)
        likelihoodRatioDF = fit.nullLogLikelihood == nil ? nil : fit.likelihoodRatioDF
        pseudoR2 = fit.pseudoR2.flatMap(finite)
    }

    /// An OLS result under a chosen inference, before the gate.
    init(_ fit: LinearModelFit, _ table: CoefficientTable) {
        self.init(table: table, model: "ols", observations: fit.observations, converged: true, iterations: 0,
                  logLikelihood: nil, omitted: fit.omitted, droppedRows: fit.droppedRows, notes: fit.notes)
        rSquared = finite(fit.rSquared)
    }

    /// Pretty-printed JSON.
    public func json() throws -> String { try encodeJSON(self) }

    /// The document with the numbers of the terms `withheld` names set to null and marked
    /// suppressed, and a note saying why.
    public func suppressingTerms(_ withheld: (String) -> Bool) -> ModelResultDocument {
        var d = self
        var n = 0
        for k in d.terms.indices where withheld(d.terms[k].name) {
            d.terms[k] = TermDocument(suppressedName: d.terms[k].name)
            n += 1
        }
        if n > 0 {
            d.notes.append("\(n) terms withheld by disclosure control: their cells (persons with and without the level, by group) hold fewer than the minimum number of persons")
        }
        return d
    }

    /// The terms of a model on person-level data that rest on small cells withheld: a 0/1 or
    /// factor-level column whose 1s or 0s (overall, and for a 0/1 outcome within each outcome
    /// value) number fewer than K persons. Other terms rest on the whole sample.
    public func gated(design: DesignMatrix, disclosure: DisclosureControl) -> ModelResultDocument {
        let y = design.response ?? []
        let binaryOutcome = !y.isEmpty && y.allSatisfy { $0 == 0 || $0 == 1 }
        var small = Set<String>()
        for j in 0..<design.columns where design.columnNames[j] != TermName.intercept {
            var ones = 0, zeros = 0, onesY = [0, 0], zerosY = [0, 0], binary = true
            for i in 0..<design.rows {
                let x = design.matrix[i, j]
                if x == 1 { ones += 1 } else if x == 0 { zeros += 1 } else { binary = false; break }
                if binaryOutcome { let g = y[i] == 1 ? 1 : 0; if x == 1 { onesY[g] += 1 } else { zerosY[g] += 1 } }
            }
            guard binary else { continue }
            var cells = [ones, zeros]
            if binaryOutcome { cells += onesY + zerosY }
            if cells.contains(where: { $0 > 0 && $0 < disclosure.minimumCellSize }) { small.insert(design.columnNames[j]) }
        }
        var gated = suppressingTerms { small.contains($0) }
        gated.notes = gated.notes.map(disclosure.gatingCounts)
        return gated
    }
}

func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

/// Encodes any document as pretty-printed JSON with sorted keys.
/// - Throws: `EncodingError` (a document holding a non-finite number; documents map those to nil).
public func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Documents hold only finite numbers or nil (finite(_:)), so encoding does not fail.
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
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
            if t.suppressed == true { return [t.name, "withheld"] + [String](repeating: "", count: columns.count - 2) }
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
