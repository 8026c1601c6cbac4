import Linalg
import _DiDKitParallel
import Tabular

/// A model term. Names follow the CLI contract: a numeric column is its name
/// (`age`), a factor level is `name=level` (`race=2`), an interaction joins
/// its parts with `:` (`treated:event=0`), the intercept is `_cons`.
public indirect enum Term: Hashable, Sendable, CustomStringConvertible {
    /// A numeric column entering linearly.
    case numeric(String)
    /// A factor column expanded to one indicator per non-base level.
    case factor(String)
    /// The product of its parts (factors expand to their non-base levels).
    case interaction([Term])

    public var description: String {
        switch self {
        case .numeric(let n), .factor(let n): return n
        case .interaction(let parts): return TermName.interaction(parts.map(\.description))
        }
    }

    /// The data columns the term reads.
    public var columns: [String] {
        switch self {
        case .numeric(let n), .factor(let n): return [n]
        case .interaction(let parts): return parts.flatMap(\.columns)
        }
    }

    /// Parses `a`, `a:b` (parts named in `factors` become factor terms).
    public static func parse(_ text: String, factors: Set<String>) -> Term {
        let parts = text.split(separator: ":").map { String($0).trimmingSpaces }
        let terms = parts.map { factors.contains($0) ? Term.factor($0) : Term.numeric($0) }
        return terms.count == 1 ? terms[0] : .interaction(terms)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// What to put in a design matrix.
public struct ModelSpecification: Sendable, Equatable {
    /// The outcome column (nil for a design without response, e.g. prediction).
    public var outcome: String?
    /// Terms in order (the intercept is added by `intercept`).
    public var terms: [Term]
    /// Whether to add `_cons`.
    public var intercept: Bool
    /// Base level label by factor column (default: the smallest level).
    public var baseLevels: [String: String]
    /// Optional weight column and its kind.
    public var weights: String?
    public var weightKind: WeightKind
    /// Optional cluster column (rows with a missing cluster are dropped).
    public var cluster: String?

    public init(outcome: String?, terms: [Term], intercept: Bool = true, baseLevels: [String: String] = [:],
                weights: String? = nil, weightKind: WeightKind = .frequency, cluster: String? = nil) {
        self.outcome = outcome
        self.terms = terms
        self.intercept = intercept
        self.baseLevels = baseLevels
        self.weights = weights
        self.weightKind = weightKind
        self.cluster = cluster
    }

    /// The usual CLI form: numeric covariates, some of them factors (a factor
    /// named only in `factors` is appended), `a:b` interactions allowed.
    public init(outcome: String?, covariates: [String], factors: [String] = [], baseLevels: [String: String] = [:],
                intercept: Bool = true, weights: String? = nil, weightKind: WeightKind = .frequency, cluster: String? = nil) {
        let fset = Set(factors)
        var terms = covariates.map { Term.parse($0, factors: fset) }
        for f in factors where !terms.contains(where: { $0.columns.contains(f) }) { terms.append(.factor(f)) }
        self.init(outcome: outcome, terms: terms, intercept: intercept, baseLevels: baseLevels,
                  weights: weights, weightKind: weightKind, cluster: cluster)
    }
}

/// The levels of one factor as learned from the estimation sample.
public struct FactorCoding: Sendable, Equatable {
    /// Column name.
    public let column: String
    /// Level labels in sort order (numeric levels numerically, text by bytes).
    public let levels: [String]
    /// Numeric values of the levels when the column is numeric.
    public let numericLevels: [Double]?
    /// Index of the base (omitted) level in `levels`.
    public let base: Int

    /// Non-base level indices in order.
    public var nonBaseLevels: [Int] { levels.indices.filter { $0 != base } }
}

/// A built design: the matrix, its column names, the response and weights,
/// and what was dropped.
public struct DesignMatrix: Sendable {
    /// `n x p`, column-major, columns in `columnNames` order (`_cons` last, as Stata prints it).
    public var matrix: Matrix
    /// One name per column.
    public var columnNames: [String]
    /// The term each column comes from (index into `termNames`).
    public var termOfColumn: [Int]
    /// Term names, `_cons` last when present.
    public var termNames: [String]
    /// The outcome, when the specification has one.
    public var response: [Double]?
    /// Observation weights (already rescaled for analytic weights), or nil.
    public var weights: [Double]?
    /// How the weights enter a fit: the specification's kind, kept with the design so that a
    /// fit of this design never assumes one.
    public var weightKind: WeightKind
    /// Dense cluster codes `0..<clusterCount`, or nil.
    public var clusters: [Int32]?
    /// Number of distinct clusters.
    public var clusterCount: Int
    /// Source-table rows used, in order.
    public var rowIndices: [Int]
    /// Rows of the source table not used.
    public var droppedRows: Int
    /// Why rows were dropped, one sentence each.
    public var notes: [String]
    /// The factor codings, for building new rows the same way.
    public var coding: DesignCoding

    /// Number of rows.
    public var rows: Int { matrix.rows }
    /// Number of columns.
    public var columns: Int { matrix.columns }
}

/// Everything needed to build design rows for new data exactly as for the fit.
public struct DesignCoding: Sendable, Equatable {
    public var terms: [Term]
    public var intercept: Bool
    public var factors: [String: FactorCoding]
    public var columnNames: [String]

    /// The columns one term expands to: (name, parts) where each part is
    /// (data column, factor level index or nil for numeric).
    func expansion(of term: Term) -> [(name: String, parts: [(String, Int?)])] {
        switch term {
        case .numeric(let n): return [(n, [(n, nil)])]
        case .factor(let n):
            let f = factors[n]!
            return f.nonBaseLevels.map { (TermName.factorLevel(n, f.levels[$0]), [(n, $0)]) }
        case .interaction(let parts):
            var acc: [(name: String, parts: [(String, Int?)])] = [("", [])]
            for p in parts {
                let e = expansion(of: p)
                var next: [(name: String, parts: [(String, Int?)])] = []
                for a in acc {
                    for b in e {
                        next.append((a.name.isEmpty ? b.name : TermName.interaction([a.name, b.name]), a.parts + b.parts))
                    }
                }
                acc = next
            }
            return acc
        }
    }

    /// Builds the design rows for `table` (rows with a missing used value are
    /// reported in `missingRows` and filled with NaN).
    ///
    /// Each column is written once, straight into the matrix, the columns on all cores
    /// (``parallelSegments(segments:length:fill:)``), from the table's columns in their storage
    /// form: a numeric term converts its column, a factor level compares codes, an interaction
    /// multiplies its parts in place. (The matrix of 6M rows x 21 columns was built one column at a
    /// time through a fresh array of ones per column, three passes and two page-zeroings per
    /// element, on one core: a fifth of `didkit effects --method aipw` at that size.)
    /// - Complexity: O(n p) time and memory, spread over the cores.
    /// - Throws: ``DataError`` for unknown columns or factor levels the fit did not see.
    public func matrix(for table: Table) throws -> (matrix: Matrix, missingRows: [Int]) {
        let n = table.rowCount
        let rows = try CodedRows(table: table, coding: self)
        let missingRows = rows.accessors.missingRows(count: n)
        let elements: [Double] = parallelSegments(segments: rows.columns, length: n) { j, column in
            rows.writeColumn(j, into: &column)
            for i in missingRows { column[i] = .nan }
        }
        return (Matrix(rows: n, columns: rows.columns, columnMajor: elements), missingRows)
    }
}

/// Reads numeric values and factor-level indicators from a table.
struct ColumnAccessors {
    let numeric: [String: NumericColumn]
    /// Level codes (-1 missing) as 4-byte integers: half the memory of `Int`, and a level's indicator
    /// column is one vectorised compare per block (SSE2 has no 8-byte integer compare).
    let levelCodes: [String: [Int32]]

    init(table: Table, coding: DesignCoding) throws {
        var numeric: [String: NumericColumn] = [:]
        var codes: [String: [Int32]] = [:]
        for name in Set(coding.terms.flatMap(\.columns)) {
            if let f = coding.factors[name] {
                precondition(f.levels.count < Int(Int32.max), "DesignCoding: more factor levels than 4-byte codes hold")
                codes[name] = try factorCodes32(table: table, coding: f)
            } else {
                numeric[name] = try table.numeric(name)
            }
        }
        self.numeric = numeric
        self.levelCodes = codes
    }

    /// The rows with a missing value in any column the coding uses, in order.
    func missingRows(count n: Int) -> [Int] {
        var keep = [Bool](repeating: true, count: n)
        for column in numeric.values { Column.numeric(column).markMissing(clearing: &keep) }
        for codes in levelCodes.values { for i in 0..<n where codes[i] < 0 { keep[i] = false } }
        return (0..<n).filter { !keep[$0] }
    }
}

/// Each numeric level's index in `f.levels` (its numeric levels, or the labels that read as numbers).
func numericLevelIndex(_ f: FactorCoding) -> [Double: Int] {
    var index: [Double: Int] = [:]
    if let nl = f.numericLevels { for (k, x) in nl.enumerated() { index[x] = k } } else {
        for (k, l) in f.levels.enumerated() { if let x = Double(l) { index[x] = k } }
    }
    return index
}

/// Level index of each row under an existing coding (-1 missing).
/// - Throws: ``DataError/unknownFactorLevel(column:level:known:)``.
public func factorCodes(table: Table, coding f: FactorCoding) throws -> [Int] {
    switch try table.column(f.column) {
    case .numeric(let v):
        let index = numericLevelIndex(f)
        switch v.storage {
        case .int8(let a): return try integerFactorCodes(a, index: index, coding: f)
        case .int16(let a): return try integerFactorCodes(a, index: index, coding: f)
        default: break
        }
        // Consecutive rows often share a level: look up only when the value changes.
        var lastValue = Double.nan, lastCode = -1
        return try v.map { x in
            if x.isNaN { return -1 }
            if x == lastValue { return lastCode }
            guard let k = index[x] else { throw DataError.unknownFactorLevel(column: f.column, level: formatLevel(x), known: f.levels) }
            lastValue = x
            lastCode = k
            return k
        }
    case .text(let t):
        var index: [String: Int] = [:]
        for (k, l) in f.levels.enumerated() { index[l] = k }
        return try (0..<t.count).map { i in
            guard let s = t[i] else { return -1 }
            guard let k = index[s] else { throw DataError.unknownFactorLevel(column: f.column, level: s, known: f.levels) }
            return k
        }
    }
}
