import Linalg
import Tabular

/// Per-row covariates as the panel builder reads them: only a finiteness check over all rows and
/// the values at the baseline rows are needed, so a source never has to materialise an `N x k`
/// matrix (a whole country's 54M person-years x 6 covariates is 2.6 GB).
protocol PanelRowCovariates {
    /// Number of covariate columns.
    var columnCount: Int { get }
    /// Sets `rowOK[r] = false` for every row `r` with a non-finite value in some column.
    func markNonFinite(_ rowOK: inout [Bool])
    /// Column `j`'s values at the given rows, in their order.
    func values(column j: Int, at rows: [Int]) -> [Double]
}

/// Covariates held as an `N x k` matrix (the row-array initializer).
struct MatrixRowCovariates: PanelRowCovariates {
    let x: Matrix
    var columnCount: Int { x.columns }

    func markNonFinite(_ rowOK: inout [Bool]) {
        let nRows = x.rows
        x.storage.withUnsafeBufferPointer { xs in
            for j in 0..<x.columns {
                let base = j * nRows
                for r in 0..<nRows where !xs[base + r].isFinite { rowOK[r] = false }
            }
        }
    }

    func values(column j: Int, at rows: [Int]) -> [Double] {
        let base = j * x.rows
        return x.storage.withUnsafeBufferPointer { xs in rows.map { xs[base + $0] } }
    }
}

/// Covariates read straight from a table's numeric columns; panel row `r` is table row
/// `rows[r]` (`rows` nil: the identity).
struct TableRowCovariates: PanelRowCovariates {
    let columns: [NumericColumn]
    let rows: [Int]?
    var columnCount: Int { columns.count }

    func markNonFinite(_ rowOK: inout [Bool]) {
        // Integer storage is finite or missing (missing rows were left out before): only doubles need a look.
        for c in columns {
            guard case .double(let v) = c.storage else { continue }
            if let rows {
                for (r, t) in rows.enumerated() where !v[t].isFinite { rowOK[r] = false }
            } else {
                for r in v.indices where !v[r].isFinite { rowOK[r] = false }
            }
        }
    }

    func values(column j: Int, at panelRows: [Int]) -> [Double] {
        let c = columns[j]
        let tableRows = rows.map { map in panelRows.map { map[$0] } } ?? panelRows
        return c.gathered(tableRows)
    }
}

extension NumericColumn {
    /// The values at `rows` as doubles (missing: NaN), one switch on the storage for the whole pass.
    func gathered(_ rows: [Int]) -> [Double] {
        switch storage {
        case .int8(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .int16(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .int32(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .double(let a): return rows.map { a[$0] }
        }
    }

    /// All values as doubles, or those at `rows` (nil: all).
    func gathered(_ rows: [Int]?) -> [Double] {
        if let rows { return gathered(rows) }
        switch storage {
        case .int8(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .int16(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .int32(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .double(let a): return a
        }
    }
}
