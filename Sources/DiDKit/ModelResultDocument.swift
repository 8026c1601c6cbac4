import Design
import Foundation
import Linalg
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
    /// True when the disclosure gate withheld `observations` (then 0): a model on fewer than K rows, or an event
    /// study whose person-years would give a suppressed group's count back. Absent otherwise.
    public var observationsSuppressed: Bool?

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
    public func suppressingTerms(because reason: String = "their cells (persons with and without the level, by group) hold fewer than the minimum number of persons",
                                 _ withheld: (String) -> Bool) -> ModelResultDocument {
        var d = self
        var n = 0
        for k in d.terms.indices where withheld(d.terms[k].name) {
            d.terms[k] = TermDocument(suppressedName: d.terms[k].name)
            n += 1
        }
        if n > 0 { d.notes.append("\(n) term\(n == 1 ? "" : "s") withheld by disclosure control: \(reason)") }
        return d
    }

    /// The model through the disclosure gate (rows are persons: `logit` and `ols` on person-level data).
    ///
    /// - The whole model is withheld (every term, the likelihoods and fit statistics) when it rests on fewer than
    ///   K rows, or when its outcome takes two values one of which fewer than K rows hold (a 0/1 outcome with
    ///   3 ones: the intercept and the log likelihood give the 3 back).
    /// - A term is withheld when its column rests on few rows: fewer than K nonzero values (an indicator, a 0/2
    ///   coding or an interaction with a rare indicator), or a two-valued column one of whose values fewer than K
    ///   rows hold (overall, and for a two-valued outcome within each outcome value); a factor whose base level
    ///   fewer than K rows hold withholds its levels and the intercept, which rest on them.
    /// - A count of rows not used below K is published as 0 with a note (the event study's convention), and the
    ///   notes' counts below K read `<K`.
    public func gated(design: DesignMatrix, disclosure: DisclosureControl) -> ModelResultDocument {
        let k = disclosure.minimumCellSize
        let y = design.response ?? []
        let outcomeCells = Self.valueCounts(y)
        let twoValuedOutcome = outcomeCells.count == 2
        var gated: ModelResultDocument
        if design.rows < k || (twoValuedOutcome && outcomeCells.contains { $0.count < k }) {
            gated = suppressingTerms(because: "the model as a whole rests on too few persons (below)") { _ in true }
            gated.logLikelihood = nil; gated.nullLogLikelihood = nil; gated.likelihoodRatioChi2 = nil; gated.pseudoR2 = nil
            gated.rSquared = nil
            if design.rows < k { gated.observations = 0; gated.observationsSuppressed = true }
            gated.notes.append(design.rows < k
                ? "the model rests on fewer than \(k) observations: every estimate is withheld by disclosure control"
                : "the outcome takes one of its two values in fewer than \(k) observations: every estimate is withheld by disclosure control (the intercept and the likelihood would give the count back)")
        } else {
            let outcomeValue: [Int]? = twoValuedOutcome ? y.map { $0 == outcomeCells[0].value ? 0 : 1 } : nil
            var small = Set<String>()
            for j in 0..<design.columns where design.columnNames[j] != TermName.intercept
                && Self.restsOnFewRows(design.matrix, column: j, outcome: outcomeValue, minimum: k) {
                small.insert(design.columnNames[j])
            }
            small.formUnion(Self.termsOnSmallBaseLevels(design, outcome: outcomeValue, minimum: k))
            gated = suppressingTerms(because: "each rests on fewer than \(k) persons (a rare value or level, fewer than \(k) nonzero values, or a small base level)") { small.contains($0) }
        }
        let dropped = disclosure.zeroingSmall(gated.droppedRows, as: "rows not used")
        gated.droppedRows = dropped.count
        gated.notes += dropped.note.map { [$0] } ?? []
        gated.notes = gated.notes.map(disclosure.gatingCounts)
        return gated
    }

    /// A factor's base level is the persons with every level dummy 0: the intercept and each level's contrast rest on
    /// them. With `0 < n < minimum` of them (overall, or within an outcome value), those terms and the intercept.
    static func termsOnSmallBaseLevels(_ design: DesignMatrix, outcome: [Int]?, minimum k: Int) -> Set<String> {
        var out = Set<String>()
        for (f, coding) in design.coding.factors {
            let names = coding.nonBaseLevels.map { TermName.factorLevel(f, coding.levels[$0]) }
            let columns = names.compactMap { design.columnNames.firstIndex(of: $0) }
            guard !columns.isEmpty else { continue }
            var base = [0, 0]
            for i in 0..<design.rows where columns.allSatisfy({ design.matrix[i, $0] == 0 }) { base[outcome?[i] ?? 0] += 1 }
            let cells = outcome == nil ? [base[0]] : base + [base[0] + base[1]]
            if cells.contains(where: { $0 > 0 && $0 < k }) { out.formUnion(names + [TermName.intercept]) }
        }
        return out
    }

    /// The distinct values of `v` with their counts, in order of first appearance; stops at three values.
    static func valueCounts(_ v: [Double]) -> [(value: Double, count: Int)] {
        var out: [(value: Double, count: Int)] = []
        for x in v {
            if let i = out.firstIndex(where: { $0.value == x }) { out[i].count += 1; continue }
            if out.count == 2 { return out + [(x, 1)] }
            out.append((x, 1))
        }
        return out
    }

    /// Whether column `j` rests on fewer than `minimum` rows: `0 < nonzero < minimum`, or two values one of which
    /// (overall, or within an outcome value when `outcome` codes a two-valued outcome as 0/1) `0 < n < minimum`
    /// rows hold. One pass; `O(rows)`.
    static func restsOnFewRows(_ x: Matrix, column j: Int, outcome: [Int]?, minimum k: Int) -> Bool {
        var nonzero = 0
        var values: [Double] = []
        var counts = [[0, 0], [0, 0]]   // counts[value index][outcome value]; outcome 0 when there is none
        for i in 0..<x.rows {
            let v = x[i, j]
            if v != 0 { nonzero += 1 }
            guard values.count <= 2 else { continue }
            var a = values.firstIndex(of: v)
            if a == nil { values.append(v); a = values.count - 1 }
            if let a, a < 2 { counts[a][outcome?[i] ?? 0] += 1 }
        }
        if nonzero > 0 && nonzero < k { return true }
        guard values.count == 2 else { return false }
        let cells = outcome == nil ? [counts[0][0], counts[1][0]] : counts.flatMap { $0 } + [counts[0][0] + counts[0][1], counts[1][0] + counts[1][1]]
        return cells.contains { $0 > 0 && $0 < k }
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
        var header = "\(title ?? name)    Number of obs = \(observationsSuppressed == true ? "withheld" : Format.count(observations))"
        if let ll = logLikelihood { header += "    Log likelihood = \(Format.fixed(ll, 5))" }
        if let lr = likelihoodRatioChi2, let df = likelihoodRatioDF { header += "    LR chi2(\(df)) = \(Format.fixed(lr, 2))" }
        if let r2 = pseudoR2 { header += "    Pseudo R2 = \(Format.fixed(r2, 4))" }
        if let r2 = rSquared { header += "    R-squared = \(Format.fixed(r2, 4))" }
        var notes: [String] = []
        let vceText = ["oim": model == "ols" ? "classical (OLS)" : "OIM (inverse information)",
                       "robust": model == "ols" ? "robust (HC1)" : "robust (Huber-White)",
                       "cluster": "cluster-robust (\(clusters.map { "\(Format.count($0)) clusters" } ?? "clusters withheld"))"][vce] ?? vce
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
