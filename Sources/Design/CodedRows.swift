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
/// block at a time: no `n x p` matrix is held. A numeric term is gathered in its storage form, the
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
        case product([Part])
    }
    enum Part: Sendable {
        case numeric(NumericColumn)
        case level(codes: [Int], level: Int)
    }

    let plans: [Plan]
    public let rows: Int

    init(table: Table, coding: DesignCoding) throws {
        let accessors = try ColumnAccessors(table: table, coding: coding)
        func part(_ p: (String, Int?)) -> Part {
            if let level = p.1 { return .level(codes: accessors.levelCodes[p.0]!, level: level) }
            return .numeric(accessors.numeric[p.0]!)
        }
        var parts = coding.terms.flatMap { coding.expansion(of: $0).map(\.parts) }
        if coding.intercept { parts.append([]) }
        plans = parts.map { column -> Plan in
            if column.isEmpty { return .intercept }
            if column.count > 1 { return .product(column.map(part)) }
            switch part(column[0]) {
            case .numeric(let v): return .numeric(v)
            case .level(let codes, let level): return .level(codes: codes, level: level)
            }
        }
        rows = table.rowCount
    }

    public var columns: Int { plans.count }

    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        block.reset(rows: range.count, zeroed: false)
        let lo = range.lowerBound
        for (j, plan) in plans.enumerated() {
            switch plan {
            case .intercept:
                block.fillColumn(j, with: 1)
            case .numeric(let v):
                block.gatherColumn(j, from: v, at: ArraySlice(range))
            case .level(let codes, let level):
                for k in 0..<range.count { block[k, j] = codes[lo + k] == level ? 1 : 0 }
            case .product(let parts):
                for k in 0..<range.count {
                    var x = 1.0
                    for p in parts {
                        switch p {
                        case .numeric(let v): x *= v[lo + k]
                        case .level(let codes, let level): x *= codes[lo + k] == level ? 1 : 0
                        }
                    }
                    block[k, j] = x
                }
            }
        }
    }
}
