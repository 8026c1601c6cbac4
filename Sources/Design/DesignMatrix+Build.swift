import _DiDKitParallel
import Linalg
import Tabular

extension DesignMatrix {
    /// Builds the design matrix of `spec` on `table`.
    ///
    /// Listwise deletion: a row with a missing value in the outcome, any term's
    /// column, the weight or the cluster column is left out and counted (by
    /// column, in `notes`). Rows with a zero weight are left out too. Factor
    /// levels are those present in the remaining rows. The base level is the
    /// smallest unless `spec.baseLevels` names one.
    ///
    /// - Complexity: O(n x p) time and memory for the matrix.
    /// - Throws: ``DataError`` (unknown column, text where numbers are needed,
    ///   no rows left, unknown base level, invalid weights).
    public static func build(_ table: Table, _ spec: ModelSpecification) throws -> DesignMatrix {
        try build(table, spec, materialize: true).design
    }

    /// ``build(_:_:)`` without the matrix: the design's rows are made block by block from the
    /// table's columns when a fit reads them (``CodedRows``), so no `n x p` matrix is held (a
    /// propensity model on a 6M-person baseline: 6M x 26 doubles, 1.25 GB, and their page zeroing).
    /// Everything else (names, response, weights, clusters, rows used, notes, codings) is as
    /// ``build(_:_:)`` gives it, and so are the rows the source fills.
    /// - Throws: as ``build(_:_:)``.
    public static func streamed(_ table: Table, _ spec: ModelSpecification) throws -> StreamedDesign {
        let (layout, sample) = try build(table, spec, materialize: false)
        return StreamedDesign(layout: layout, source: try CodedRows(table: sample, coding: layout.coding))
    }

    static func build(_ table: Table, _ spec: ModelSpecification, materialize: Bool) throws -> (design: DesignMatrix, sample: Table) {
        let n = table.rowCount
        var used: [String] = []
        func use(_ c: String) { if !used.contains(c) { used.append(c) } }
        if let y = spec.outcome { use(y) }
        for t in spec.terms { for c in t.columns { use(c) } }
        if let w = spec.weights { use(w) }
        if let c = spec.cluster { use(c) }
        let factorNames = Set(spec.terms.flatMap(factorColumns))
        for name in used { _ = try table.column(name) }
        // Numeric columns must be numeric (factors and clusters may be text).
        for name in used where !factorNames.contains(name) && name != spec.cluster {
            if case .text = try table.column(name) {
                throw DataError.wrongColumnType(column: name, expected: "numeric (it holds text: declare it as a factor if it is categorical)")
            }
        }

        // Listwise deletion.
        var keep = [Bool](repeating: true, count: n)
        var missingCounts: [(String, Int)] = []
        // Most columns have no missing value: the columns are scanned in parallel, and only those with one mark rows.
        let usedColumns = try used.map { try table.column($0) }
        let counts = parallelMap(count: usedColumns.count) { usedColumns[$0].missingCount }
        for (k, name) in used.enumerated() where counts[k] > 0 {
            usedColumns[k].markMissing(clearing: &keep)
            missingCounts.append((name, counts[k]))
        }
        var zeroWeight = 0
        var weightsAll: NumericColumn?
        if let w = spec.weights {
            let v = try table.numeric(w)
            for i in 0..<n where keep[i] {
                let x = v[i]
                if x < 0 || (spec.weightKind == .frequency && x != x.rounded()) {
                    throw DataError.invalidWeight(column: w, row: i + 2, value: x, kind: spec.weightKind)
                }
                if x == 0 { keep[i] = false; zeroWeight += 1 }
            }
            weightsAll = v
        }
        let kept = keep
        let rowIndices = indices(count: n) { kept[$0] }
        let dropped = n - rowIndices.count
        var notes: [String] = []
        if !missingCounts.isEmpty {
            let detail = missingCounts.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
            notes.append("\(dropped - zeroWeight) rows dropped for missing values (\(detail))")
        }
        if zeroWeight > 0 { notes.append("\(zeroWeight) rows with zero weight left out") }
        if rowIndices.isEmpty {
            let reasons = missingCounts.map { "\($0.0): \($0.1) missing" } + (zeroWeight > 0 ? ["\(spec.weights ?? "weight"): \(zeroWeight) zero"] : [])
            throw DataError.noRowsAfterDeletion(dropped: dropped, reasons: reasons.joined(separator: ", "))
        }
        let sample = dropped == 0 ? table : table.selectingRows(rowIndices)

        // Factor codings from the estimation sample.
        var factors: [String: FactorCoding] = [:]
        for name in factorNames.sorted() {
            factors[name] = try learnFactor(sample, name, base: spec.baseLevels[name])
        }
        // Column names.
        var coding = DesignCoding(terms: spec.terms, intercept: spec.intercept, factors: factors, columnNames: [])
        var names: [String] = []
        var termOfColumn: [Int] = []
        var termNames: [String] = []
        for (k, t) in spec.terms.enumerated() {
            termNames.append(t.description)
            for e in coding.expansion(of: t) { names.append(e.name); termOfColumn.append(k) }
        }
        if spec.intercept {
            termNames.append(TermName.intercept)
            names.append(TermName.intercept)
            termOfColumn.append(termNames.count - 1)
        }
        coding.columnNames = names
        let matrix = materialize ? try coding.matrix(for: sample).matrix : Matrix(rows: 0, columns: names.count)

        var response: [Double]?
        if let y = spec.outcome { response = try sample.numeric(y).doubles }
        var weights: [Double]?
        if let wAll = weightsAll {
            var w = rowIndices.map { wAll[$0] }
            if spec.weightKind == .analytic {
                let s = w.reduce(0, +)
                let scale = Double(w.count) / s
                for i in w.indices { w[i] *= scale }
            }
            weights = w
        }
        var clusters: [Int32]?
        var clusterCount = 0
        if let c = spec.cluster {
            let enc = try sample.text(c).dictionaryEncoded()
            clusters = enc.codes
            clusterCount = enc.levels.count
        }
        let design = DesignMatrix(matrix: matrix, columnNames: names, termOfColumn: termOfColumn, termNames: termNames,
                                  response: response, weights: weights, weightKind: spec.weightKind, clusters: clusters,
                                  clusterCount: clusterCount, rowIndices: rowIndices, droppedRows: dropped, notes: notes, coding: coding)
        return (design, sample)
    }
}

private func factorColumns(_ t: Term) -> [String] {
    switch t {
    case .numeric: return []
    case .factor(let n): return [n]
    case .interaction(let parts): return parts.flatMap(factorColumns)
    }
}

/// Learns a factor's levels from a table (missing values are not a level):
/// numbers sort numerically, text by bytes; the base is the first level
/// unless `base` names one.
/// - Throws: ``DataError/unknownBaseLevel(column:level:known:)``, ``DataError/unknownColumn(_:available:)``.
public func learnFactor(_ table: Table, _ name: String, base: String?) throws -> FactorCoding {
    var levels: [String]
    var numericLevels: [Double]?
    switch try table.column(name) {
    case .numeric(let v):
        let distinct: [Double]
        switch v.storage {
        case .int8(let a): distinct = presentIntegers(a)
        case .int16(let a): distinct = presentIntegers(a)
        default:
            // Registers repeat a level over many consecutive rows: hash only when the value changes.
            var seen = Set<Double>()
            var last = Double.nan
            for x in v where x != last && !x.isNaN {
                seen.insert(x)
                last = x
            }
            distinct = seen.sorted()
        }
        numericLevels = distinct
        levels = distinct.map(formatLevel)
    case .text(let t):
        levels = t.dictionaryEncoded().levels
    }
    var baseIndex = 0
    if let b = base {
        if let k = levels.firstIndex(of: b) { baseIndex = k } else if let x = Double(b), let nl = numericLevels, let k = nl.firstIndex(of: x) {
            baseIndex = k
        } else {
            throw DataError.unknownBaseLevel(column: name, level: b, known: levels)
        }
    }
    return FactorCoding(column: name, levels: levels, numericLevels: numericLevels, base: baseIndex)
}

/// The distinct values of a 1- or 2-byte integer column (its minimum, the missing sentinel, left out),
/// ascending: one pass that marks each value in a table indexed by it (256 or 65,536 flags), where a
/// hash set hashed every change of value (a municipality factor on the whole country's event-study
/// sample changes at almost every row).
/// - Complexity: O(n + 2^bits).
func presentIntegers<T: FixedWidthInteger & SignedInteger>(_ values: [T]) -> [Double] {
    let offset = -Int(T.min)
    var seen = [Bool](repeating: false, count: 1 << T.bitWidth)
    values.withUnsafeBufferPointer { v in
        seen.withUnsafeMutableBufferPointer { s in
            for x in v { s[Int(x) + offset] = true }
        }
    }
    // Index 0 is T.min, the sentinel.
    return (1..<seen.count).filter { seen[$0] }.map { Double($0 - offset) }
}

/// ``factorCodes(table:coding:)`` as 4-byte codes, for the design's level codes: a compact integer column
/// (the registers' factors) is coded through a lookup table in parts on all cores, straight into the
/// 4-byte array (coding into `Int`s and narrowing them after was two arrays, 12 bytes a row, and two
/// serial passes over a 6M-person baseline); other columns take ``factorCodes(table:coding:)``.
/// - Throws: as ``factorCodes(table:coding:)`` (the first unknown level in row order).
func factorCodes32(table: Table, coding f: FactorCoding) throws -> [Int32] {
    guard case .numeric(let v) = try table.column(f.column) else {
        return try factorCodes(table: table, coding: f).map { Int32(truncatingIfNeeded: $0) }
    }
    let index = numericLevelIndex(f)
    switch v.storage {
    case .int8(let a): return try integerFactorCodes32(a, index: index, coding: f)
    case .int16(let a): return try integerFactorCodes32(a, index: index, coding: f)
    default: return try factorCodes(table: table, coding: f).map { Int32(truncatingIfNeeded: $0) }
    }
}

private func integerFactorCodes32<T: FixedWidthInteger & SignedInteger & Sendable>(_ values: [T], index: [Double: Int],
                                                                               coding f: FactorCoding) throws -> [Int32] {
    let offset = -Int(T.min)
    var lookup = [Int32](repeating: -2, count: 1 << T.bitWidth)
    lookup[0] = -1  // T.min: missing
    for (x, k) in index where x == x.rounded() && x > Double(T.min) && x <= Double(T.max) { lookup[Int(x) + offset] = Int32(k) }
    let table = lookup
    let parts = partStarts(count: values.count, minimumPart: 262_144)
    let codes: [Int32] = parallelParts(starts: parts) { k, out in
        for i in 0..<out.count { out[i] = table[Int(values[parts[k] + i]) + offset] }
    }
    // An unknown level is coded -2; the first one in row order is named (a scan only of the codes).
    if let i = codes.firstIndex(of: -2) {
        throw DataError.unknownFactorLevel(column: f.column, level: formatLevel(Double(values[i])), known: f.levels)
    }
    return codes
}

/// Codes of a 1- or 2-byte integer column under `index` (level value -> code): -1 for the missing
/// sentinel, by a table indexed by the value (no hashing per row).
/// - Throws: ``DataError/unknownFactorLevel(column:level:known:)`` for a value without a level.
func integerFactorCodes<T: FixedWidthInteger & SignedInteger>(_ values: [T], index: [Double: Int], coding f: FactorCoding) throws -> [Int] {
    let offset = -Int(T.min)
    var table = [Int](repeating: -2, count: 1 << T.bitWidth)
    table[0] = -1  // T.min: missing
    for (x, k) in index where x == x.rounded() && x > Double(T.min) && x <= Double(T.max) { table[Int(x) + offset] = k }
    var codes = [Int](repeating: 0, count: values.count)
    var unknown: T? = nil
    values.withUnsafeBufferPointer { v in
        table.withUnsafeBufferPointer { t in
            codes.withUnsafeMutableBufferPointer { c in
                for i in 0..<v.count {
                    let k = t[Int(v[i]) + offset]
                    c[i] = k
                    if k == -2 && unknown == nil { unknown = v[i] }
                }
            }
        }
    }
    if let x = unknown { throw DataError.unknownFactorLevel(column: f.column, level: formatLevel(Double(x)), known: f.levels) }
    return codes
}
