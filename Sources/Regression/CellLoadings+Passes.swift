import Design
import Estimation
import Linalg

// The passes of a binary-model fit over a cell-structured design (``CellLoadings``: row `r` is
// `A_{c(r)} z_r`). Each is the dense pass's sum regrouped by cell: the rows contribute
// `q`-vectors and `q x q` moments of their factors `z_r` to their cell, and the loadings map the
// cells' sums onto the design's columns once per pass. Same quantities, up to the order of the
// additions; `O(N q^2)` per pass instead of `O(N p^2)` (Docs/NonlinearDiD.md, Complexity).

/// Per-cell factor sums of one stripe: `sum w z z'` (upper triangles, `C x q x q`) and `sum s z` (`C x q`).
struct CellMoments: Sendable {
    let q: Int
    var moments: [Double]
    var sums: [Double]

    init(cells: Int, factors q: Int) {
        self.q = q
        moments = [Double](repeating: 0, count: cells * q * q)
        sums = [Double](repeating: 0, count: cells * q)
    }

    /// Adds `w z z'` (upper triangle) and `s z` to cell `c`; `z` points at the row's `q` factors.
    @inline(__always)
    static func add(cell c: Int, z: UnsafePointer<Double>, weight w: Double, score s: Double, q: Int,
                    moments: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>) {
        let m = moments + c * q * q, v = sums + c * q
        for a in 0..<q {
            let za = z[a]
            v[a] += s * za
            let wa = w * za
            for b in a..<q { m[a * q + b] += wa * z[b] }
        }
    }

    mutating func absorb(_ other: CellMoments) {
        for i in moments.indices { moments[i] += other.moments[i] }
        for i in sums.indices { sums[i] += other.sums[i] }
    }
}

/// One stripe's share of a cell-structured IRLS pass.
struct CellPassPartial: Sendable {
    var ll = 0.0
    var sums: CellMoments
    let firstRow: Int
    var eta: [Double]
    var scores: [Double]
}

extension IRLSPass {
    /// The IRLS pass of ``run(_:source:y:weights:beta:)`` on a cell-structured design: per row
    /// `eta = (A_c' b)' z`, the link's contributions, and the cell's `sum f s z`, `sum f w z z'`;
    /// then `g = sum_c A_c (sum f s z)`, `I = sum_c A_c (sum f w z z') A_c'`.
    /// `O(N q^2 + C e^2)`; per-stripe sums folded in stripe order (core-count independent).
    static func run<L: LinkKernel>(_ link: L.Type, cells: CellLoadings, y: [Double], weights: [Double]?,
                                   beta: [Double]) -> IRLSPass {
        let q = cells.factorCount, cellCount = cells.cells.count
        let coefficients = cells.cellCoefficients(beta)
        var etaParts: [[Double]] = [], scoreParts: [[Double]] = []
        let total = cells.reduceRows(stripeState: { r in
            CellPassPartial(sums: CellMoments(cells: cellCount, factors: q), firstRow: r.lowerBound,
                 eta: [Double](repeating: 0, count: r.count), scores: [Double](repeating: 0, count: r.count))
        }, body: { part, r, cellOf, z in
            let offset = r.lowerBound - part.firstRow
            var ll = 0.0
            coefficients.withUnsafeBufferPointer { bc in
                z.withUnsafeBufferPointer { zs in
                    y.withUnsafeBufferPointer { ys in
                        part.sums.moments.withUnsafeMutableBufferPointer { m in
                            part.sums.sums.withUnsafeMutableBufferPointer { v in
                                part.eta.withUnsafeMutableBufferPointer { etaOut in
                                    part.scores.withUnsafeMutableBufferPointer { scoreOut in
                                        for k in 0..<r.count {
                                            let c = Int(cellOf[k])
                                            let zk = zs.baseAddress! + k * q, b = bc.baseAddress! + c * q
                                            var eta = 0.0
                                            for l in 0..<q { eta += b[l] * zk[l] }
                                            let i = r.lowerBound + k
                                            let contribution = L.contributions(y: ys[i], eta: eta)
                                            let f = weights?[i] ?? 1
                                            ll += f * contribution.logLik
                                            etaOut[offset + k] = eta
                                            scoreOut[offset + k] = contribution.score
                                            CellMoments.add(cell: c, z: zk, weight: f * Swift.max(0, contribution.weight),
                                                            score: f * contribution.score, q: q, moments: m.baseAddress!, sums: v.baseAddress!)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            part.ll += ll
        }, combine: { acc, part in
            acc.ll += part.ll
            acc.sums.absorb(part.sums)
            etaParts.append(part.eta)
            scoreParts.append(part.scores)
        })
        return IRLSPass(logLikelihood: total.ll, gradient: cells.columnVector(cellSums: total.sums.sums),
                        information: cells.gram(cellMoments: total.sums.moments),
                        perRow: .stripes(eta: etaParts, scores: scoreParts))
    }
}

extension ScoreData {
    /// ``robustMeat()`` on a cell-structured design: `sum_c A_c (sum h^2 z z') A_c'` with `h` the
    /// row's scaled score (`sqrt(f) r` for frequency weights, `f r` for analytic ones). `O(N q^2)`.
    func robustMeat(cells: CellLoadings) -> Matrix {
        let q = cells.factorCount, cellCount = cells.cells.count
        let residuals = self.residuals, weights = self.weights, kind = self.weightKind
        let total = cells.reduceRows(stripeState: { _ in CellMoments(cells: cellCount, factors: q) }, body: { part, r, cellOf, z in
            z.withUnsafeBufferPointer { zs in
                part.moments.withUnsafeMutableBufferPointer { m in
                    part.sums.withUnsafeMutableBufferPointer { v in
                        for k in 0..<r.count {
                            let i = r.lowerBound + k
                            let f = weights?[i] ?? 1
                            let h = kind == .frequency ? f.squareRoot() * residuals[i] : f * residuals[i]
                            CellMoments.add(cell: Int(cellOf[k]), z: zs.baseAddress! + k * q, weight: h * h, score: 0, q: q,
                                            moments: m.baseAddress!, sums: v.baseAddress!)
                        }
                    }
                }
            }
        }, combine: { $0.absorb($1) })
        return cells.gram(cellMoments: total.moments)
    }

    /// Largest cell space `W = C q` whose `W x W` meat each stripe holds (8 MB).
    static let cellSpaceLimit = 1024

    /// The contiguous clusters' meat in cell space (``CellClusterMeatPartial``): `A (sum_g v_g v_g') A'`.
    /// `O(N q + G (t q)^2 + C^2 e^2)` for clusters touching `t` cells.
    func clusterMeatInCellSpace(cells: CellLoadings, codes: [Int32]) -> Matrix {
        let q = cells.factorCount, cellCount = cells.cells.count
        let residuals = self.residuals, weights = self.weights
        let total = cells.reduceRows(stripeState: { _ in CellClusterMeatPartial(cells: cellCount, factors: q) }, body: { part, r, cellOf, z in
            z.withUnsafeBufferPointer { zs in
                for k in 0..<r.count {
                    let i = r.lowerBound + k
                    part.add(code: codes[i], cell: Int(cellOf[k]), z: zs.baseAddress! + k * q, score: (weights?[i] ?? 1) * residuals[i])
                }
            }
        }, combine: { $0.absorb($1) })
        var meat = cells.gram(crossMoments: total.finished())
        meat.symmetrizeFromUpper()
        return meat
    }

    /// ``clusterMeat(_:)`` on a cell-structured design. Contiguous clusters in a cell space of at most
    /// ``cellSpaceLimit`` values: ``clusterMeatInCellSpace(cells:codes:)``. Otherwise each cluster's score
    /// `u_g = sum f r A_c z` is built from its rows' non-zeros (`O(e)` a row); with contiguous clusters the sums are `dsyrk`ed
    /// in batches as in the dense pass (``ClusterMeatPartial``), otherwise the `G x p` sums are built.
    /// `O(N e + G p^2)`.
    func clusterMeat(cells: CellLoadings, clusters: ClusterIDs, contiguous: Bool, cellSpaceLimit: Int = Self.cellSpaceLimit) -> Matrix {
        let p = cells.columns, q = cells.factorCount
        let codes = clusters.codes, residuals = self.residuals, weights = self.weights
        let entries = cells.cells
        if contiguous && cells.cells.count * q <= cellSpaceLimit {
            return clusterMeatInCellSpace(cells: cells, codes: codes)
        }
        if contiguous {
            struct Part: Sendable {
                var meat: ClusterMeatPartial
                var code: Int32 = -1
                var u: [Double]
            }
            let total = cells.reduceRows(stripeState: { _ in Part(meat: ClusterMeatPartial(columns: p, scratchRows: 1), u: [Double](repeating: 0, count: p)) },
                                         body: { part, r, cellOf, z in
                for k in 0..<r.count {
                    let i = r.lowerBound + k
                    if codes[i] != part.code {
                        if part.code >= 0 { part.meat.add(code: part.code, sum: part.u); for j in 0..<p { part.u[j] = 0 } }
                        part.code = codes[i]
                    }
                    let s = (weights?[i] ?? 1) * residuals[i]
                    if s == 0 { continue }
                    for e in entries[Int(cellOf[k])] { part.u[e.column] += e.coefficient * s * z[k * q + e.factor] }
                }
                // The block's last cluster may go on in the next block: `add` joins consecutive sums of one code.
                if part.code >= 0 { part.meat.add(code: part.code, sum: part.u); for j in 0..<p { part.u[j] = 0 } }
                part.code = -1
            }, combine: { total, part in total.meat.absorb(part.meat) })
            return total.meat.finished()
        }
        var sums = Matrix(rows: clusters.count, columns: p)
        let blocks = RowBlocks(count: cells.rows)
        var cellOf = [Int32](repeating: 0, count: blocks.blockSize), z = [Double](repeating: 0, count: blocks.blockSize * q)
        for b in 0..<blocks.blockCount {
            let r = blocks.block(b)
            cells.source.factors(rows: r, cells: &cellOf, z: &z)
            for k in 0..<r.count {
                let i = r.lowerBound + k
                let s = (weights?[i] ?? 1) * residuals[i]
                if s == 0 { continue }
                let g = Int(codes[i])
                for e in entries[Int(cellOf[k])] { sums[g, e.column] += e.coefficient * s * z[k * q + e.factor] }
            }
        }
        var meat = Matrix(rows: p, columns: p)
        meat.addGram(of: sums)
        meat.symmetrizeFromUpper()
        return meat
    }
}
