import Linalg
import Tabular

/// A design built by ``DesignMatrix/streamed(_:_:)``: the layout (names, response, weights,
/// clusters, rows used, notes, codings; its `matrix` is empty, `0 x p`) and the source that
/// makes its rows.
public struct StreamedDesign: Sendable {
    /// Everything but the matrix (`layout.matrix` has no rows: read the rows from ``source``).
    public let layout: DesignMatrix
    public let source: CodedRows
}

/// Design rows made from a table's columns block by block, as ``DesignCoding/matrix(for:)``
/// would make them (the same values in the same columns), for estimators that read a design a
/// block at a time: no `n x p` matrix is held. A numeric term is copied from its storage form, the
/// intercept is a fill, a factor level or an interaction is computed row by row.
///
/// The table must have no missing value in a used column (``DesignMatrix/streamed(_:_:)`` passes
/// the listwise-deleted sample).
/// - Complexity: O(rows x columns) per fill of all blocks; memory: the table's used columns.
public struct CodedRows: RowBlockSource {
    /// How one design column is made, resolved once (no dictionary lookup per value).
    enum Plan: Sendable {
        case intercept
        case numeric(NumericColumn)
        case level(codes: [Int], level: Int)
        case product([Plan])
    }

    let accessors: ColumnAccessors
    let plans: [Plan]
    public let rows: Int

    /// - Throws: ``DataError`` for a column the coding names that `table` lacks, text where numbers
    ///   are needed, or a factor level the coding did not see.
    init(table: Table, coding: DesignCoding) throws {
        let accessors = try ColumnAccessors(table: table, coding: coding)
        func plan(_ part: (String, Int?)) throws -> Plan {
            if let level = part.1 {
                guard let codes = accessors.levelCodes[part.0] else { throw DataError.unknownColumn(part.0, available: table.columnNames) }
                return .level(codes: codes, level: level)
            }
            guard let column = accessors.numeric[part.0] else { throw DataError.unknownColumn(part.0, available: table.columnNames) }
            return .numeric(column)
        }
        var parts = coding.terms.flatMap { coding.expansion(of: $0).map(\.parts) }
        if coding.intercept { parts.append([]) }
        plans = try parts.map { column in
            if column.isEmpty { return .intercept }
            return column.count == 1 ? try plan(column[0]) : .product(try column.map(plan))
        }
        self.accessors = accessors
        rows = table.rowCount
    }

    public var columns: Int { plans.count }

    /// Writes design column `j` for every row into `out` (`rows` values; a row with a missing part
    /// gets an arbitrary value, which ``DesignCoding/matrix(for:)`` overwrites with NaN).
    func writeColumn(_ j: Int, into out: inout MutableSpan<Double>) {
        Self.write(plans[j], into: &out, multiplying: false)
    }

    /// `out[i] = value(i)`, or `out[i] *= value(i)`, for one plan, in the column's storage form.
    private static func write(_ plan: Plan, into out: inout MutableSpan<Double>, multiplying: Bool) {
        switch plan {
        case .intercept:
            if !multiplying { for i in 0..<out.count { out[i] = 1 } }
        case .level(let codes, let level):
            for i in 0..<out.count {
                let x: Double = codes[i] == level ? 1 : 0
                out[i] = multiplying ? out[i] * x : x
            }
        case .numeric(let v):
            switch v.storage {
            case .int8(let a): write(a, into: &out, multiplying: multiplying) { Double($0) }
            case .int16(let a): write(a, into: &out, multiplying: multiplying) { Double($0) }
            case .int32(let a): write(a, into: &out, multiplying: multiplying) { Double($0) }
            case .double(let a): write(a, into: &out, multiplying: multiplying) { $0 }
            }
        case .product(let parts):
            for (k, part) in parts.enumerated() { write(part, into: &out, multiplying: multiplying || k > 0) }
        }
    }

    @inline(__always)
    private static func write<V>(_ a: [V], into out: inout MutableSpan<Double>, multiplying: Bool, _ convert: (V) -> Double) {
        if multiplying {
            for i in 0..<out.count { out[i] *= convert(a[i]) }
        } else {
            for i in 0..<out.count { out[i] = convert(a[i]) }
        }
    }

    /// The value of `plan` in row `i` (for the product columns of a block).
    private static func value(_ plan: Plan, row i: Int) -> Double {
        switch plan {
        case .intercept: return 1
        case .numeric(let v): return v[i]
        case .level(let codes, let level): return codes[i] == level ? 1 : 0
        case .product(let parts): return parts.reduce(1) { $0 * value($1, row: i) }
        }
    }

    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        block.reset(rows: range.count, zeroed: false)
        let lo = range.lowerBound
        for (j, plan) in plans.enumerated() {
            switch plan {
            case .intercept:
                block.fillColumn(j, with: 1)
            case .numeric(let v):
                block.copyColumn(j, from: v, range: range)  // contiguous rows: a copy, no index array
            case .level(let codes, let level):
                for k in 0..<range.count { block[k, j] = codes[lo + k] == level ? 1 : 0 }
            case .product:
                for k in 0..<range.count { block[k, j] = Self.value(plan, row: lo + k) }
            }
        }
    }
}
