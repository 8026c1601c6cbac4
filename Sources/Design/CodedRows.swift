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
        case level(codes: [Int32], level: Int32)
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
                return .level(codes: codes, level: Int32(truncatingIfNeeded: level))
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
        out.withUnsafeMutableBufferPointer { Self.write(plans[j], from: 0, into: $0, multiplying: false) }
    }

    /// `out[k] = value(from + k)`, or `out[k] *= value(from + k)`, for one plan over `out.count` rows,
    /// read in the column's storage form. Each case is one loop over raw buffers (no bounds check or
    /// uniqueness check per value, so the compiler vectorises it): a factor level is a compare of codes,
    /// a product writes its first part and multiplies in the others.
    private static func write(_ plan: Plan, from lo: Int, into out: UnsafeMutableBufferPointer<Double>, multiplying: Bool) {
        switch plan {
        case .intercept:
            if !multiplying { out.update(repeating: 1) }
        case .level(let codes, let level):
            precondition(lo >= 0 && lo + out.count <= codes.count, "CodedRows: rows out of range")
            codes.withUnsafeBufferPointer { c in
                if multiplying {
                    for k in 0..<out.count { out[k] *= c[lo + k] == level ? 1 : 0 }
                } else {
                    for k in 0..<out.count { out[k] = c[lo + k] == level ? 1 : 0 }
                }
            }
        case .numeric(let v):
            switch v.storage {
            case .int8(let a): write(a, from: lo, into: out, multiplying: multiplying) { Double($0) }
            case .int16(let a): write(a, from: lo, into: out, multiplying: multiplying) { Double($0) }
            case .int32(let a): write(a, from: lo, into: out, multiplying: multiplying) { Double($0) }
            case .double(let a): write(a, from: lo, into: out, multiplying: multiplying) { $0 }
            }
        case .product(let parts):
            for (k, part) in parts.enumerated() { write(part, from: lo, into: out, multiplying: multiplying || k > 0) }
        }
    }

    @inline(__always)
    private static func write<V>(_ a: [V], from lo: Int, into out: UnsafeMutableBufferPointer<Double>, multiplying: Bool,
                                 _ convert: (V) -> Double) {
        precondition(lo >= 0 && lo + out.count <= a.count, "CodedRows: rows out of range")
        a.withUnsafeBufferPointer { v in
            if multiplying {
                for k in 0..<out.count { out[k] *= convert(v[lo + k]) }
            } else {
                for k in 0..<out.count { out[k] = convert(v[lo + k]) }
            }
        }
    }

    /// Writes the design rows `range` into `block` (rows `0..<range.count`), column by column: a numeric
    /// term is a contiguous copy from its storage form, every other column one loop over raw buffers.
    /// - Complexity: O(range.count x columns), no allocation.
    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        block.reset(rows: range.count, zeroed: false)
        for (j, plan) in plans.enumerated() {
            if case .numeric(let v) = plan {
                block.copyColumn(j, from: v, range: range)
            } else {
                block.updateColumn(j) { Self.write(plan, from: range.lowerBound, into: $0, multiplying: false) }
            }
        }
    }
}
