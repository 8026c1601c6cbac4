/// The rows of a cell-structured design: for every row its cell and its short factor vector.
///
/// A design is cell-structured when row `r` is `x_r = A_{c(r)} z_r`: a cell `c(r)` (e.g. a
/// cohort x period cell of a panel) picks a sparse `p x q` loading matrix `A_c`, and a short
/// factor vector `z_r` (`q` values, `z_r[0] = 1`; e.g. a person's baseline covariates) carries
/// what varies within the cell. See ``CellLoadings``.
public protocol CellFactorSource: Sendable {
    /// Number of rows.
    var rows: Int { get }
    /// Number of cells (cell codes are `0..<cellCount`).
    var cellCount: Int { get }
    /// Factor length `q` (at least 1; factor 0 is the constant 1).
    var factorCount: Int { get }
    /// For the rows in `range`: `cells[k]` is the cell of row `range.lowerBound + k` and
    /// `z[k * q ..< (k + 1) * q]` its factors (`z[k * q] = 1`). Both arrays have room for `range.count` rows.
    func factors(rows range: Range<Int>, cells: inout [Int32], z: inout [Double])
}

/// The cell structure of a design (`x_r = A_{c(r)} z_r`, see ``CellFactorSource``): the loadings
/// `A_c` as lists of non-zeros, and the source of the rows' cells and factors.
///
/// ## Why
/// Sums over the rows of a cell-structured design reduce to sums of the short factors:
/// `X' diag(w) X = sum_c A_c (sum_{r in c} w_r z_r z_r') A_c'`, `X' s = sum_c A_c (sum_{r in c} s_r z_r)`
/// and `x_r' b = (A_c' b)' z_r`. A pass then costs `O(N q^2)` instead of `O(N p^2)` (`N` rows,
/// `p` columns), and the mapping `O(C e^2)` for `C` cells with `e` non-zeros each. Wooldridge's
/// extended TWFE design with `k` baseline covariates is the case in point: `p` is about
/// `(k + 1)(C + T)` but a row has `q = k + 1` distinct values (its cohort, period and cell
/// indicators, each times `1` and the covariates).
///
/// Generic BLAS on the dense row blocks (`dsyrk`) cannot skip the zeros; no sparse BLAS on
/// this machine's Debian packages exploits this Kronecker-like structure, so the few loops
/// below are written by hand.
public struct CellLoadings: Sendable {
    /// One non-zero of a loading: design column `column` gets `coefficient * z[factor]`.
    public struct Entry: Sendable, Equatable {
        public let column: Int
        public let factor: Int
        public let coefficient: Double

        public init(column: Int, factor: Int, coefficient: Double) {
            self.column = column
            self.factor = factor
            self.coefficient = coefficient
        }
    }

    /// Design columns `p`.
    public let columns: Int
    /// Per cell, its loading's non-zeros (a column may appear with several factors).
    public let cells: [[Entry]]
    /// The rows' cells and factors.
    public let source: any CellFactorSource

    public var factorCount: Int { source.factorCount }
    public var rows: Int { source.rows }

    /// - Precondition: one entry list per cell, columns in `0..<columns`, factors in `0..<q`.
    public init(columns: Int, cells: [[Entry]], source: any CellFactorSource) {
        precondition(cells.count == source.cellCount, "CellLoadings: one entry list per cell")
        precondition(cells.allSatisfy { $0.allSatisfy { (0..<columns).contains($0.column) && (0..<source.factorCount).contains($0.factor) } },
                     "CellLoadings: an entry is out of range")
        self.columns = columns
        self.cells = cells
        self.source = source
    }

    /// The loadings of the chosen columns, renumbered in their order (the others dropped), as
    /// ``ColumnSubset`` chooses columns. `O(C e)`.
    public func selecting(columns chosen: [Int]) -> CellLoadings {
        var position = [Int](repeating: -1, count: columns)
        for (k, j) in chosen.enumerated() { position[j] = k }
        let kept = cells.map { entries in
            entries.compactMap { e in position[e.column] >= 0 ? Entry(column: position[e.column], factor: e.factor, coefficient: e.coefficient) : nil }
        }
        return CellLoadings(columns: chosen.count, cells: kept, source: source)
    }

    /// `A_c' b` for every cell: the factor coefficients that give `x_r' b = (A_c' b)' z_r`,
    /// row-major `C x q`. `O(C e)`.
    public func cellCoefficients(_ b: [Double]) -> [Double] {
        precondition(b.count == columns, "CellLoadings.cellCoefficients: length mismatch")
        let q = factorCount
        var out = [Double](repeating: 0, count: cells.count * q)
        for (c, entries) in cells.enumerated() {
            for e in entries { out[c * q + e.factor] += e.coefficient * b[e.column] }
        }
        return out
    }

    /// `sum_c A_c s_c` for per-cell factor sums `s` (row-major `C x q`). `O(C e)`.
    public func columnVector(cellSums s: [Double]) -> [Double] {
        let q = factorCount
        precondition(s.count == cells.count * q, "CellLoadings.columnVector: length mismatch")
        var out = [Double](repeating: 0, count: columns)
        for (c, entries) in cells.enumerated() {
            for e in entries { out[e.column] += e.coefficient * s[c * q + e.factor] }
        }
        return out
    }

    /// `sum_c A_c M_c A_c'` for per-cell symmetric factor moments `M_c` (`q x q` each, row-major,
    /// the upper triangle read: `M[a * q + b]` for `a <= b`), a symmetric `p x p` matrix.
    /// Every ordered pair of a cell's entries with `column1 <= column2` adds to the upper triangle
    /// (for one column both orders of two entries, as `(u + v)^2` has `2uv`). `O(C e^2)`.
    public func gram(cellMoments m: [Double]) -> Matrix {
        let q = factorCount
        precondition(m.count == cells.count * q * q, "CellLoadings.gram: length mismatch")
        var g = Matrix(rows: columns, columns: columns)
        for (c, entries) in cells.enumerated() {
            let base = c * q * q
            for e1 in entries {
                for e2 in entries where e2.column >= e1.column {
                    let (a, b) = e1.factor <= e2.factor ? (e1.factor, e2.factor) : (e2.factor, e1.factor)
                    let v = e1.coefficient * e2.coefficient * m[base + a * q + b]
                    g[e1.column, e2.column] += v
                }
            }
        }
        g.symmetrizeFromUpper()
        return g
    }

    /// `sum_{c, d} A_c M_cd A_d'` for a symmetric matrix `M` over all cells' factors (`W x W`, `W = C q`,
    /// row-major, the upper triangle read: `M[(c q + a) W + d q + b]` for `c q + a <= d q + b`), a
    /// symmetric `p x p` matrix: the meat of clusters that span several cells. `O(C^2 e^2)`.
    public func gram(crossMoments m: [Double]) -> Matrix {
        let q = factorCount, w = cells.count * q
        precondition(m.count == w * w, "CellLoadings.gram(crossMoments:): length mismatch")
        var g = Matrix(rows: columns, columns: columns)
        for c in cells.indices {
            for d in c..<cells.count {
                for e1 in cells[c] {
                    let u = c * q + e1.factor
                    for e2 in cells[d] {
                        let v = d * q + e2.factor
                        let value = e1.coefficient * e2.coefficient * (u <= v ? m[u * w + v] : m[v * w + u])
                        g[e1.column, e2.column] += value
                        if c != d { g[e2.column, e1.column] += value }
                    }
                }
            }
        }
        return g
    }

    /// One parallel pass over the rows in the fixed blocks and stripes of ``RowBlocks``: each
    /// stripe starts from `stripeState(its rows)` and gets, block by block, the block's rows, cells and
    /// factors; the states are folded in stripe order, so results do not depend on the number of cores.
    public func reduceRows<T: Sendable>(
        blockSize: Int = RowBlocks.defaultBlockSize,
        stripeState: @Sendable (_ stripeRows: Range<Int>) -> T,
        body: @Sendable (inout T, _ rows: Range<Int>, _ cells: [Int32], _ z: [Double]) -> Void,
        combine: (inout T, T) -> Void
    ) -> T {
        let blocks = RowBlocks(count: rows, blockSize: blockSize)
        let q = factorCount, source = self.source
        let states = blocks.stripes { ranges -> T in
            var state = stripeState((ranges.first?.lowerBound ?? 0)..<(ranges.last?.upperBound ?? 0))
            var cells = [Int32](repeating: 0, count: blockSize)
            var z = [Double](repeating: 0, count: blockSize * q)
            for r in ranges {
                source.factors(rows: r, cells: &cells, z: &z)
                body(&state, r, cells, z)
            }
            return state
        }
        var total = stripeState(0..<0)
        for s in states { combine(&total, s) }
        return total
    }
}

extension RowBlockSource {
    /// The design's cell structure, if it declares one (``CellLoadings``); `nil` for a dense or
    /// generic design. Passes over the rows use it when present.
    public var cellStructure: CellLoadings? {
        if let s = self as? any CellStructuredSource { return s.cellLoadings }
        if let s = self as? ColumnSubset { return s.base.cellStructure?.selecting(columns: s.columnIndices) }
        return nil
    }
}

/// A row-block design that also declares its cell structure (see ``CellLoadings``); its
/// ``RowBlockSource/fill(_:rows:)`` must write the same rows, `A_{c(r)} z_r`.
public protocol CellStructuredSource: RowBlockSource {
    var cellLoadings: CellLoadings { get }
}
