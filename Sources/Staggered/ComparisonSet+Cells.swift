import Linalg

/// One cell's periods for ``ComparisonSet/estimate(cells:scale:into:at:)``: the sample's outcome
/// arrays of the cell's period and of its base period, so that the set's unit `a` (sample position
/// `u_a`) has `dY_a = now[u_a] - base[u_a]`.
struct CellPeriods: Sendable {
    let now: [Double]
    let base: [Double]
}

/// Columns of a column-major `rows x cells` array that several comparison sets fill at once, each
/// its own columns at its own units' rows (`@unchecked Sendable`: no two writers share an element).
struct InfluenceColumns: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    let rows: Int

    func column(_ c: Int) -> UnsafeMutablePointer<Double> { base + c * rows }
}

extension ComparisonSet {
    /// Rows per block of the passes: the block's `k` design columns and the cells' changes stay in cache.
    static let passBlock = 2048

    /// The ATT of every cell of the set, writing `scale * psi` of cell `a` (DRDID's influence function,
    /// ``TwoPeriodDiD``; `scale = n / n1`) into column `at[a]` of `columns` at the sample positions of the
    /// set's units (the other rows are left as they are: zero).
    ///
    /// All cells share each pass over the design (the period-free parts are the set's):
    /// 1. `X' (W_ols dY)` (the outcome model's right-hand side; ipw: `X' (w0 dY)`), `sum D dY`, `sum w0 dY`;
    ///    then `b = (X_c'WX_c)^-1 X_c'W dY` per cell;
    /// 2. (reg, dr, drimp) with `r = dY - x'b`: `sum D x'b` (reg), `sum D r` and `sum w0 r` (dr),
    ///    `sum 1{kept} (D - w0) r` (drimp);
    /// 3. (dr) `M2 = mean(w0 (r - eta0) x)`, straight from the residuals (the algebraic route through
    ///    `mean(w0 x x')` loses digits when the propensity bread is large: rare groups);
    /// 4. `psi` from `x'b` and the two contracted linear representations `x'c_ols`, `x'c_ps`.
    /// Blocks of rows are summed in fixed stripes combined in order: the same sums on any number of cores.
    ///
    /// Complexity: `O(n1 k C)` time in at most four reads of the `n1 x k` design; `O(C k)` memory
    /// besides a block of scratch per stripe.
    func estimate(cells: [CellPeriods], scale: Double, into columns: InfluenceColumns, at: [Int]) -> [Double] {
        let cellCount = cells.count, k = x.columns, nn = Double(treated.count)
        let first = changeSums(cells)
        let b = first.q.map { q in olsBread.map { expand($0.multiply(olsColumns.map { q[$0] }), olsColumns, k) } ?? [Double](repeating: 0, count: k) }
        var eta1 = first.dSums.map { $0 / nn / meanTreated }
        var eta0 = first.w0Sums.map { $0 / nn / meanW0 }
        var att = [Double](repeating: 0, count: cellCount)
        var cPS = [[Double]](repeating: [Double](repeating: 0, count: k), count: cellCount)
        if method == .ipw {
            // M2 = mean(w0 dY x) - eta0 mean(w0 x).
            for a in 0..<cellCount { cPS[a] = propensityDirection((0..<k).map { first.q[a][$0] / nn - eta0[a] * meanW0X[$0] }) }
        } else {
            let sums = residualSums(cells, coefficients: b)
            for a in 0..<cellCount {
                switch method {
                case .reg: eta0[a] = sums[a].0 / nn / meanTreated
                case .dr: eta1[a] = sums[a].0 / nn / meanTreated; eta0[a] = sums[a].1 / nn / meanW0
                case .drimp: att[a] = sums[a].0 / nn / meanTreated
                case .ipw: break
                }
            }
        }
        if method != .drimp { for a in 0..<cellCount { att[a] = eta1[a] - eta0[a] } }
        if method == .dr {
            cPS = weightedResidualMoments(cells, coefficients: b, centres: eta0).map { m in propensityDirection(m.map { $0 / nn }) }
        }
        writeInfluence(cells, b: b, cOLS: outcomeDirection(), cPS: cPS, eta1: eta1, eta0: eta0, att: att, scale: scale,
                       columns: columns, at: at)
        return att
    }

    /// Pass 1, per cell: `sum D dY`, `sum w0 dY` and `q = X' (W dY)` (`W` the outcome model's weights;
    /// ipw: `w0`).
    private func changeSums(_ cells: [CellPeriods]) -> (dSums: [Double], w0Sums: [Double], q: [[Double]]) {
        let cellCount = cells.count, n = treated.count, k = x.columns, width = 2 + k
        let weightByW0 = method == .ipw
        let sums = pass(cells, width: cellCount * width) { v, r, dY, acc in
            for a in 0..<cellCount {
                let dy = dY + a * Self.passBlock
                let out = acc + a * width
                out[0] += v.dot(v.d, dy, r)
                out[1] += v.dot(v.w0, dy, r)
                let weight = weightByW0 ? v.w0 : v.ow
                for i in 0..<r.count { v.scratch[i] = weight[r.lowerBound + i] * dy[i] }
                for j in 0..<k { out[2 + j] += v.dot(v.x + j * n, UnsafePointer(v.scratch), r) }
            }
        }
        return ((0..<cellCount).map { sums[$0 * width] }, (0..<cellCount).map { sums[$0 * width + 1] },
                (0..<cellCount).map { Array(sums[($0 * width + 2)..<($0 * width + width)]) })
    }

    /// Pass 2, per cell with `r = dY - x'b`: `(sum D x'b, 0)` (reg), `(sum D r, sum w0 r)` (dr),
    /// `(sum 1{kept} (D - w0) r, 0)` (drimp).
    private func residualSums(_ cells: [CellPeriods], coefficients: [[Double]]) -> [(Double, Double)] {
        let cellCount = cells.count
        let method = method
        let sums = pass(cells, width: 2 * cellCount) { v, r, dY, acc in
            for a in 0..<cellCount {
                let dy = dY + a * Self.passBlock
                v.fitted(coefficients[a], r)
                var s0 = 0.0, s1 = 0.0
                for i in 0..<r.count {
                    let row = r.lowerBound + i
                    let f = v.scratch[i], res = dy[i] - f
                    switch method {
                    case .reg: s0 += v.d[row] * f
                    case .dr: s0 += v.d[row] * res; s1 += v.w0[row] * res
                    case .drimp: s0 += v.kept(row) * (v.d[row] - v.w0[row]) * res
                    case .ipw: break
                    }
                }
                acc[2 * a] += s0
                acc[2 * a + 1] += s1
            }
        }
        return (0..<cellCount).map { (sums[2 * $0], sums[2 * $0 + 1]) }
    }

    /// Pass 3 (dr), per cell: `sum w0 (r - eta0) x` (k values), straight from the residuals (the algebraic
    /// route through `mean(w0 x x')` loses digits when the propensity bread is large: rare groups).
    private func weightedResidualMoments(_ cells: [CellPeriods], coefficients: [[Double]], centres: [Double]) -> [[Double]] {
        let cellCount = cells.count, n = treated.count, k = x.columns
        let sums = pass(cells, width: cellCount * k) { v, r, dY, acc in
            for a in 0..<cellCount {
                let dy = dY + a * Self.passBlock
                v.fitted(coefficients[a], r)
                for i in 0..<r.count { v.scratch[i] = v.w0[r.lowerBound + i] * (dy[i] - v.scratch[i] - centres[a]) }
                for j in 0..<k { acc[a * k + j] += v.dot(v.x + j * n, UnsafePointer(v.scratch), r) }
            }
        }
        return (0..<cellCount).map { Array(sums[($0 * k)..<($0 * k + k)]) }
    }

    /// `c_ps = (X'VX)^-1 M2` over the propensity model's columns (zero elsewhere).
    private func propensityDirection(_ m2: [Double]) -> [Double] {
        guard let bread = psBread else { return [Double](repeating: 0, count: x.columns) }
        return expand(bread.multiply(psColumns.map { m2[$0] }), psColumns, x.columns)
    }

    /// `c_ols`, the same for every cell of the set: `(X_c'X_c)^-1 mean(D x)` (reg),
    /// `(X_c'X_c)^-1 (mean(D x)/mean(D) - mean(w0 x)/mean(w0))` (dr), zero for ipw and drimp.
    private func outcomeDirection() -> [Double] {
        let k = x.columns
        guard let bread = olsBread else { return [Double](repeating: 0, count: k) }
        switch method {
        case .reg: return expand(bread.multiply(olsColumns.map { meanTreatedX[$0] }), olsColumns, k)
        case .dr: return expand(bread.multiply(olsColumns.map { meanTreatedX[$0] / meanTreated - meanW0X[$0] / meanW0 }), olsColumns, k)
        case .ipw, .drimp: return [Double](repeating: 0, count: k)
        }
    }

    /// Pass 4: `scale * psi` of every cell, written at the units' sample positions (formulas of ``TwoPeriodDiD``).
    private func writeInfluence(_ cells: [CellPeriods], b: [[Double]], cOLS: [Double], cPS: [[Double]],
                                eta1: [Double], eta0: [Double], att: [Double], scale: Double,
                                columns: InfluenceColumns, at: [Int]) {
        let nn = Double(treated.count), mw1 = meanTreated, mw0 = meanW0
        _ = pass(cells, width: 0) { v, r, dY, _ in
            let ols = v.scratch + Self.passBlock, ps = v.scratch + 2 * Self.passBlock
            v.fitted(cOLS, r, into: ols)
            for a in 0..<cells.count {
                let dy = dY + a * Self.passBlock
                let psi = columns.column(at[a])
                v.fitted(b[a], r)
                v.fitted(cPS[a], r, into: ps)
                for i in 0..<r.count {
                    let row = r.lowerBound + i
                    let d = v.d[row], w0 = v.w0[row], f = v.scratch[i]
                    let value: Double
                    switch method {
                    case .reg:
                        let e = d == 0 ? dy[i] - f : 0
                        value = (d * dy[i] - d * eta1[a]) / mw1 - (d * f - d * eta0[a] + nn * e * ols[i]) / mw1
                    case .ipw:
                        value = d * (dy[i] - eta1[a]) / mw1 - (w0 * (dy[i] - eta0[a]) + nn * (d - v.score[row]) * ps[i]) / mw0
                    case .dr:
                        let res = dy[i] - f
                        let e = d == 0 ? res : 0
                        value = d * (res - eta1[a]) / mw1 - w0 * (res - eta0[a]) / mw0
                            - nn * e * ols[i] - nn * (d - v.score[row]) * ps[i] / mw0
                    case .drimp:
                        let keep = v.kept(row)
                        let summand = keep * (d - w0) * (dy[i] - f)
                        value = keep * (summand - d * att[a]) / mw1
                    }
                    psi[v.units[row]] = scale * value
                }
            }
        }
    }

    /// The set's arrays as pointers for one stripe of a pass, with `3 passBlock` doubles of scratch.
    struct PassView {
        let x: UnsafePointer<Double>
        let d, w0, ow, score: UnsafePointer<Double>
        let units: UnsafePointer<Int>
        let columns: Int
        let rows: Int
        let scratch: UnsafeMutablePointer<Double>

        /// `sum_i a[row_i] b[i]` over the block `r` (`a` indexed by set row, `b` by block position), in four
        /// interleaved partial sums.
        @inline(__always) func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ r: Range<Int>) -> Double {
            let a = a + r.lowerBound, m = r.count
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = 0
            while i + 4 <= m {
                s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
                i += 4
            }
            while i < m { s0 += a[i] * b[i]; i += 1 }
            return (s0 + s1) + (s2 + s3)
        }

        /// `out[i] = x_i' c` for the block's rows (default: into the first scratch block).
        @inline(__always) func fitted(_ c: [Double], _ r: Range<Int>, into out: UnsafeMutablePointer<Double>? = nil) {
            let out = out ?? scratch
            let m = r.count
            for i in 0..<m { out[i] = 0 }
            for j in 0..<columns where c[j] != 0 {
                let col = x + j * rows + r.lowerBound, cj = c[j]
                for i in 0..<m { out[i] += col[i] * cj }
            }
        }

        /// drimp's `1{D = 1 or w0 > 0}` (trimmed comparison units drop out).
        @inline(__always) func kept(_ row: Int) -> Double { d[row] == 1 || w0[row] > 0 ? 1 : 0 }
    }

    /// Sums `width` accumulators over the set's rows: `body(view, rows, dY, acc)` per block, with `dY`
    /// holding cell `a`'s changes at `dY + a * passBlock`. Blocks run in fixed stripes, the stripes'
    /// sums are added in stripe order.
    private func pass(_ cells: [CellPeriods], width: Int,
                      _ body: @escaping @Sendable (PassView, Range<Int>, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let blocks = RowBlocks(count: treated.count, blockSize: Self.passBlock)
        let parts = blocks.stripes { ranges -> [Double] in
            var acc = [Double](repeating: 0, count: Swift.max(1, width))  // never empty: a base address
            var dY = [Double](repeating: 0, count: Swift.max(1, cells.count) * Self.passBlock)
            var scratch = [Double](repeating: 0, count: 3 * Self.passBlock)
            withViews(scratch: &scratch) { view in
                dY.withUnsafeMutableBufferPointer { d in
                    acc.withUnsafeMutableBufferPointer { a in
                        for r in ranges {
                            changes(cells, rows: r, units: view.units, into: d.baseAddress!)
                            body(view, r, UnsafePointer(d.baseAddress!), a.baseAddress!)
                        }
                    }
                }
            }
            return acc
        }
        var total = [Double](repeating: 0, count: width)
        for p in parts { for j in 0..<width { total[j] += p[j] } }  // stripe order: the same sums on any core count
        return total
    }

    /// `dY + a * passBlock` <- cell `a`'s changes over the block's rows.
    private func changes(_ cells: [CellPeriods], rows r: Range<Int>, units: UnsafePointer<Int>, into dY: UnsafeMutablePointer<Double>) {
        for (a, cell) in cells.enumerated() {
            cell.now.withUnsafeBufferPointer { now in
                cell.base.withUnsafeBufferPointer { base in
                    let out = dY + a * Self.passBlock
                    for (i, row) in r.enumerated() {
                        let s = units[row]
                        out[i] = now[s] - base[s]
                    }
                }
            }
        }
    }

    private func withViews(scratch: inout [Double], _ body: (PassView) -> Void) {
        x.storage.withUnsafeBufferPointer { xs in
            treated.withUnsafeBufferPointer { d in
                w0.withUnsafeBufferPointer { w0 in
                    outcomeWeights.withUnsafeBufferPointer { ow in
                        score.withUnsafeBufferPointer { p in
                            units.withUnsafeBufferPointer { u in
                                scratch.withUnsafeMutableBufferPointer { s in
                                    body(PassView(x: xs.baseAddress!, d: d.baseAddress!, w0: w0.baseAddress!, ow: ow.baseAddress!,
                                                  score: p.baseAddress!, units: u.baseAddress!, columns: x.columns, rows: x.rows,
                                                  scratch: s.baseAddress!))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func expand(_ v: [Double], _ columns: [Int], _ k: Int) -> [Double] {
        var out = [Double](repeating: 0, count: k)
        for (a, j) in columns.enumerated() { out[j] = v[a] }
        return out
    }
}
