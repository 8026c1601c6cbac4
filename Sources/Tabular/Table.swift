/// One column of a ``Table``: numbers (missing = NaN) or text.
public enum Column: Sendable, Equatable {
    /// Numbers (see ``NumericColumn``: read as `Double`, stored compactly); a
    /// missing value reads as `Double.nan`. Explicit NaN/Inf are rejected on input.
    case numeric(NumericColumn)
    /// Text values (ids, text factor levels).
    case text(TextColumn)

    /// Numbers kept as `Double` (``NumericColumn/init(_:)``).
    public static func numeric(_ values: [Double]) -> Column { .numeric(NumericColumn(values)) }

    /// Number of values.
    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .text(let t): return t.count
        }
    }

    /// Whether value `i` is missing.
    public func isMissing(_ i: Int) -> Bool {
        switch self {
        case .numeric(let v): return v.isMissing(i)
        case .text(let t): return t.isMissing(i)
        }
    }

    /// The values at the given row indices.
    public func selecting(_ rows: [Int]) -> Column {
        switch self {
        case .numeric(let v): return .numeric(v.selecting(rows))
        case .text(let t): return .text(t.selecting(rows))
        }
    }
}

/// A columnar table: named columns of equal length, in a fixed order.
///
/// Value semantics, copy-on-write columns; selecting columns or rows makes new
/// arrays only for what is selected.
public struct Table: Sendable, Equatable {
    /// Column names in order.
    public private(set) var columnNames: [String]
    private var columnsByName: [String: Column]
    /// Number of rows.
    public let rowCount: Int

    /// A table from named columns; all must have `rowCount` values.
    /// - Throws: ``DataError/columnLengthMismatch(column:expected:found:)``,
    ///   ``DataError/duplicateColumnName(_:)``, ``DataError/nonFinite(column:row:value:)``
    ///   for an infinite number in a numeric column.
    public init(_ columns: [(String, Column)]) throws {
        try self.init(columns, checkingFinite: true)
    }

    /// ``init(_:)``; `checkingFinite: false` skips the scan for infinities where
    /// the maker already refused them (the CSV reader: a pass over every decimal column).
    init(_ columns: [(String, Column)], checkingFinite: Bool) throws {
        let n = columns.first?.1.count ?? 0
        var names: [String] = []
        var dict: [String: Column] = [:]
        for (name, col) in columns {
            if dict[name] != nil { throw DataError.duplicateColumnName(name) }
            if col.count != n { throw DataError.columnLengthMismatch(column: name, expected: n, found: col.count) }
            if checkingFinite, case .numeric(let v) = col, case .double(let d) = v.storage, let i = d.firstIndex(where: { $0.isInfinite }) {
                throw DataError.nonFinite(column: name, row: i + 2, value: "\(v[i])")
            }
            names.append(name)
            dict[name] = col
        }
        columnNames = names
        columnsByName = dict
        rowCount = n
    }

    /// Convenience: numeric columns only.
    public init(numeric columns: [(String, [Double])]) throws {
        try self.init(columns.map { ($0.0, Column.numeric(NumericColumn($0.1))) })
    }

    /// The column with this name.
    /// - Throws: ``DataError/unknownColumn(_:available:)``.
    public func column(_ name: String) throws -> Column {
        guard let c = columnsByName[name] else { throw DataError.unknownColumn(name, available: columnNames) }
        return c
    }

    /// Whether the table has this column.
    public func hasColumn(_ name: String) -> Bool { columnsByName[name] != nil }

    /// A numeric column's values (no copy: the column as stored; ``NumericColumn/doubles`` makes a `[Double]`).
    /// - Throws: ``DataError/unknownColumn(_:available:)``, ``DataError/wrongColumnType(column:expected:)``.
    public func numeric(_ name: String) throws -> NumericColumn {
        switch try column(name) {
        case .numeric(let v): return v
        case .text: throw DataError.wrongColumnType(column: name, expected: "numeric, but it holds text")
        }
    }

    /// A text column's values.
    public func text(_ name: String) throws -> TextColumn {
        switch try column(name) {
        case .text(let t): return t
        case .numeric(let v):
            // Numbers used as ids: render them as text (integers without a decimal point).
            return TextColumn(v.map { $0.isNaN ? nil : formatLevel($0) })
        }
    }

    /// Adds or replaces a column.
    public mutating func setColumn(_ name: String, _ column: Column) throws {
        if column.count != rowCount { throw DataError.columnLengthMismatch(column: name, expected: rowCount, found: column.count) }
        if columnsByName[name] == nil { columnNames.append(name) }
        columnsByName[name] = column
    }

    /// The table without column `name` (the other columns shared, not copied); the same table when it has
    /// no such column. A pipeline drops a column it no longer needs (the study's text id, once the persons
    /// are coded) so that its memory is freed when no other table holds it.
    public func removingColumn(_ name: String) -> Table {
        guard columnsByName[name] != nil else { return self }
        var out = self
        out.columnsByName[name] = nil
        out.columnNames.removeAll { $0 == name }
        return out
    }

    /// The rows at the given indices (all columns, in this table's order; indices must be valid rows).
    /// The columns come from a valid table, so there is nothing to check again: distinct names, equal lengths
    /// (`rows.count` each), finite numbers.
    public func selectingRows(_ rows: [Int]) -> Table {
        var out = self
        for (name, column) in columnsByName { out.columnsByName[name] = column.selecting(rows) }
        return Table(checked: out, rowCount: rows.count)
    }

    /// `table`'s names and columns with `rowCount` rows (the caller made every column that long).
    private init(checked table: Table, rowCount: Int) {
        columnNames = table.columnNames
        columnsByName = table.columnsByName
        self.rowCount = rowCount
    }
}

/// Formats a numeric factor level or id the way Stata prints it: integers
/// without a decimal point (`2`, not `2.0`), other values in the shortest form.
public func formatLevel(_ v: Double) -> String {
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
