import Linalg
import Tabular

/// Per-row columns as the panel builder reads them (the covariates, and the outcome as one column):
/// only a finiteness check over all rows and the values at chosen rows (the baseline rows; each
/// period's rows) are needed, so a source never has to materialise an `N x k` matrix (a whole
/// country's 54M person-years x 6 covariates is 2.6 GB) nor a `Double` copy of a narrow column.
protocol PanelRowCovariates: Sendable {
    /// Number of covariate columns.
    var columnCount: Int { get }
    /// Sets `rowOK[r] = false` for every row `r` with a non-finite value in some column.
    func markNonFinite(_ rowOK: inout [Bool])
    /// Column `j`'s values at the given rows, in their order, written to `out` (`rows.count` elements).
    func write<Rows: Collection<Int>>(column j: Int, at rows: Rows, into out: inout MutableSpan<Double>)
}

extension PanelRowCovariates {
    /// Column `j`'s values at the given rows, in their order.
    func values<Rows: Collection<Int>>(column j: Int, at rows: Rows) -> [Double] {
        [Double](unsafeUninitializedCapacity: rows.count) { buffer, count in
            var span = buffer.mutableSpan
            write(column: j, at: rows, into: &span)
            count = rows.count
        }
    }
}

/// Covariates held as an `N x k` matrix (the row-array initializer).
struct MatrixRowCovariates: PanelRowCovariates {
    let x: Matrix
    var columnCount: Int { x.columns }

    init(_ x: Matrix) { self.x = x }

    /// One column (the row arrays' outcome), without a copy.
    init(column: [Double]) { x = Matrix(rows: column.count, columns: 1, columnMajor: column) }

    func markNonFinite(_ rowOK: inout [Bool]) {
        let nRows = x.rows
        x.storage.withUnsafeBufferPointer { xs in
            for j in 0..<x.columns {
                let base = j * nRows
                for r in 0..<nRows where !xs[base + r].isFinite { rowOK[r] = false }
            }
        }
    }

    func write<Rows: Collection<Int>>(column j: Int, at rows: Rows, into out: inout MutableSpan<Double>) {
        let base = j * x.rows
        x.storage.withUnsafeBufferPointer { xs in
            for (k, r) in rows.enumerated() { out[k] = xs[base + r] }
        }
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

    func write<Rows: Collection<Int>>(column j: Int, at panelRows: Rows, into out: inout MutableSpan<Double>) {
        let c = columns[j]
        guard let rows else { return c.write(panelRows, into: &out) }
        rows.withUnsafeBufferPointer { map in c.write(panelRows.lazy.map { map[$0] }, into: &out) }
    }
}
