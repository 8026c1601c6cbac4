import Design
import Linalg

extension DesignSurvey {
    /// The survey of a cell-structured design (``CellLoadings``), from the cells' factor sums:
    /// the same quantities as the dense pass, up to the order of the additions.
    ///
    /// - First pass: per cell the row count, `sum z`, `sum y z`, whether each factor is 0/1, and
    ///   the 0/1 check of the cell's irregular columns (see below); `sum y`.
    /// - Second pass: per cell the moments of `z` about the cell's mean `zbar_c`, `W_c`. The
    ///   centred Gram is then the within-cell part `sum_c A_c W_c A_c'` plus the between-cell part
    ///   `sum_c n_c (A_c zbar_c - m)(A_c zbar_c - m)'` (`m` the column means), with no
    ///   `X'X - n m m'` cancellation.
    /// - A column is 0/1 when, in every cell with rows, it is a constant 0 or 1 (one entry on the
    ///   constant factor), a 0/1 factor with coefficient 1, or absent; any other loading (an
    ///   irregular column: several entries, or another coefficient) is checked on the rows.
    ///   The intercept column is not checked, as in the dense pass.
    ///
    /// Column sums and outcome cross-products of a 0/1 column are sums of integer counts, so exact.
    /// `O(N (q^2 + i) + C e^2 + C p^2)` for `i` irregular entries in a row's cell.
    init(cells: CellLoadings, y: [Double], interceptColumn: Int?) {
        let q = cells.factorCount, cellCount = cells.cells.count, p = cells.columns, n = cells.rows
        // Per cell: the columns and how each is to be checked for 0/1.
        let plan = cells.cells.map { CellBinaryPlan(entries: $0) }
        struct First: Sendable {
            var counts: [Double]
            var sums: [Double]
            var outcomeSums: [Double]
            var binaryFactor: [Bool]
            var irregularBinary: [Bool]
            var outcomeSum = 0.0
        }
        let first = cells.reduceRows(stripeState: { _ in
            First(counts: [Double](repeating: 0, count: cellCount), sums: [Double](repeating: 0, count: cellCount * q),
                  outcomeSums: [Double](repeating: 0, count: cellCount * q), binaryFactor: [Bool](repeating: true, count: cellCount * q),
                  irregularBinary: [Bool](repeating: true, count: p))
        }, body: { part, r, cellOf, z in
            for k in 0..<r.count {
                let c = Int(cellOf[k]), yk = y[r.lowerBound + k]
                part.counts[c] += 1
                part.outcomeSum += yk
                for l in 0..<q {
                    let v = z[k * q + l]
                    part.sums[c * q + l] += v
                    part.outcomeSums[c * q + l] += yk * v
                    if v != 0 && v != 1 { part.binaryFactor[c * q + l] = false }
                }
                for (column, entries) in plan[c].irregular where part.irregularBinary[column] {
                    var v = 0.0
                    for e in entries { v += e.coefficient * z[k * q + e.factor] }
                    if v != 0 && v != 1 { part.irregularBinary[column] = false }
                }
            }
        }, combine: { a, b in
            for c in 0..<cellCount { a.counts[c] += b.counts[c] }
            for i in a.sums.indices {
                a.sums[i] += b.sums[i]
                a.outcomeSums[i] += b.outcomeSums[i]
                a.binaryFactor[i] = a.binaryFactor[i] && b.binaryFactor[i]
            }
            for j in 0..<p { a.irregularBinary[j] = a.irregularBinary[j] && b.irregularBinary[j] }
            a.outcomeSum += b.outcomeSum
        })
        let columnSums = cells.columnVector(cellSums: first.sums)
        let means = columnSums.map { n > 0 ? $0 / Double(n) : 0 }
        var binary = [Bool](repeating: true, count: p)
        for c in 0..<cellCount where first.counts[c] > 0 {
            for (column, check) in plan[c].checks where column != interceptColumn {
                switch check {
                case .constant(let v): if v != 0 && v != 1 { binary[column] = false }
                case .factor(let l): if !first.binaryFactor[c * q + l] { binary[column] = false }
                case .rows: if !first.irregularBinary[column] { binary[column] = false }
                }
            }
        }
        // Within-cell moments about each cell's mean factors.
        let cellMeans = (0..<cellCount).flatMap { c in
            (0..<q).map { l in first.counts[c] > 0 ? first.sums[c * q + l] / first.counts[c] : 0 }
        }
        let within = cells.reduceRows(stripeState: { _ in CellMoments(cells: cellCount, factors: q) }, body: { part, r, cellOf, z in
            var d = [Double](repeating: 0, count: q)
            d.withUnsafeMutableBufferPointer { dz in
                part.moments.withUnsafeMutableBufferPointer { m in
                    part.sums.withUnsafeMutableBufferPointer { v in
                        for k in 0..<r.count {
                            let c = Int(cellOf[k])
                            for l in 0..<q { dz[l] = z[k * q + l] - cellMeans[c * q + l] }
                            CellMoments.add(cell: c, z: UnsafePointer(dz.baseAddress!), weight: 1, score: 0, q: q,
                                            moments: m.baseAddress!, sums: v.baseAddress!)
                        }
                    }
                }
            }
        }, combine: { $0.absorb($1) })
        var gram = cells.gram(cellMoments: within.moments)
        for c in 0..<cellCount where first.counts[c] > 0 {
            // d = A_c zbar_c - m.
            var d = means.map { -$0 }
            for e in cells.cells[c] { d[e.column] += e.coefficient * cellMeans[c * q + e.factor] }
            for j in 0..<p where d[j] != 0 {
                for i in 0...j where d[i] != 0 { gram[i, j] += first.counts[c] * d[i] * d[j] }
            }
        }
        gram.symmetrizeFromUpper()
        self.init(rows: n, means: means, centeredGram: gram, binary: binary, columnSums: columnSums,
                  outcomeCrossProducts: cells.columnVector(cellSums: first.outcomeSums), outcomeSum: first.outcomeSum)
    }
}

/// How a cell's columns are checked for 0/1 (see ``DesignSurvey/init(cells:y:interceptColumn:)``).
struct CellBinaryPlan: Sendable {
    enum Check: Sendable {
        /// One entry on the constant factor: the column is this value throughout the cell.
        case constant(Double)
        /// One entry with coefficient 1 on this factor.
        case factor(Int)
        /// Anything else: evaluated row by row.
        case rows
    }
    /// Every column of the cell with its check.
    let checks: [(column: Int, check: Check)]
    /// The `.rows` columns with their entries.
    let irregular: [(column: Int, entries: [CellLoadings.Entry])]

    init(entries: [CellLoadings.Entry]) {
        var byColumn: [Int: [CellLoadings.Entry]] = [:]
        var order: [Int] = []
        for e in entries {
            if byColumn[e.column] == nil { order.append(e.column) }
            byColumn[e.column, default: []].append(e)
        }
        var checks: [(Int, Check)] = [], irregular: [(Int, [CellLoadings.Entry])] = []
        for column in order {
            let es = byColumn[column] ?? []
            if es.count == 1, es[0].factor == 0 {
                checks.append((column, .constant(es[0].coefficient)))
            } else if es.count == 1, es[0].coefficient == 1 {
                checks.append((column, .factor(es[0].factor)))
            } else {
                checks.append((column, .rows))
                irregular.append((column, es))
            }
        }
        self.checks = checks
        self.irregular = irregular
    }
}
