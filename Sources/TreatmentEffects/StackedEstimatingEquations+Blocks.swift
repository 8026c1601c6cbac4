import Linalg

/// What one pass over the rows of the stacked estimating equations gives: the mean Jacobian `A`, the
/// meat `B = (1/n) sum_i psi_i psi_i'` and the mean of every equation, all `K x K` or `K` (never `n x K`).
struct EstimatingEquationMoments {
    /// `A = (1/n) sum_i d psi_i / d theta'`.
    let jacobian: Matrix
    /// `B = (1/n) sum_i psi_i psi_i'`.
    let meat: Matrix
    /// `(1/n) sum_i psi_i`.
    let means: [Double]
}

/// The per-person inputs of the pass, in sample order: the models' linear predictors.
struct LinearPredictors {
    /// `z_i' gamma` (empty without a treatment model).
    let treatment: [Double]
    /// `x_i' b_j` for the two arms' outcome models (empty without outcome models).
    let outcome: [[Double]]
}

/// One stripe's partial sums (see ``StackedEstimatingEquations/moments(mu:predictors:)``); the Jacobian
/// pieces are kept on the designs' full columns and cut to the models' kept columns at the end.
struct StackedPartialSums: Sendable {
    /// `sum s'_i z_i z_i'` (treatment model, full treatment columns).
    var zz: Matrix
    /// Per arm: `-sum_{arm j} w dm x x'`, `sum_{arm j} r dw f x z'`.
    var xx: [Matrix]
    var xz: [Matrix]
    /// Per arm: `d psi_mu_j / d mu_j`, `d psi_mu_j / d b_j` (full outcome columns), `d psi_mu_j / d gamma`.
    var mm: [Double]
    var mb: [[Double]]
    var mg: [[Double]]
    /// `sum psi psi'` (upper triangle) and `sum psi` in the pass's column order.
    var meat: Matrix
    var sums: [Double]

    init(p: Int, q: Int, k: Int) {
        zz = Matrix(rows: q, columns: q)
        xx = [Matrix(rows: p, columns: p), Matrix(rows: p, columns: p)]
        xz = [Matrix(rows: p, columns: q), Matrix(rows: p, columns: q)]
        mm = [0, 0]
        mb = [[Double](repeating: 0, count: p), [Double](repeating: 0, count: p)]
        mg = [[Double](repeating: 0, count: q), [Double](repeating: 0, count: q)]
        meat = Matrix(rows: k, columns: k)
        sums = [Double](repeating: 0, count: k)
    }

    mutating func add(_ o: StackedPartialSums) {
        zz = zz + o.zz
        for j in 0...1 {
            xx[j] = xx[j] + o.xx[j]
            xz[j] = xz[j] + o.xz[j]
            mm[j] += o.mm[j]
            for c in mb[j].indices { mb[j][c] += o.mb[j][c] }
            for c in mg[j].indices { mg[j][c] += o.mg[j][c] }
        }
        meat = meat + o.meat
        for c in sums.indices { sums[c] += o.sums[c] }
    }
}

extension StackedEstimatingEquations {
    /// The pass's column order of `psi`: `[b0 | mu0 mu1 gamma | b1]`, so that the persons of arm 0 (whose `b1`
    /// equations are 0) touch the columns `0..<armZeroEnd` only and those of arm 1 the columns `armOneStart..<K`:
    /// within each row block the rows are ordered by arm and each arm's part of `B` is one `dsyrk`.
    struct PassLayout {
        let p0: Int, p1: Int, q: Int
        var mu: Int { p0 }
        var gamma: Int { p0 + 2 }
        var b0: Int { 0 }
        var b1: Int { p0 + 2 + q }
        var count: Int { p0 + p1 + 2 + q }
        var armZeroEnd: Int { p0 + 2 + q }
        var armOneStart: Int { p0 }
        /// The pass column of each parameter (in the order of ``StackedEstimatingEquations/parameterNames``).
        var parameterColumns: [Int] {
            [mu, mu + 1] + (0..<p0).map { b0 + $0 } + (0..<p1).map { b1 + $0 } + (0..<q).map { gamma + $0 }
        }
    }

    /// `A`, `B` and the mean equations at `theta = (mu0, mu1, models' coefficients)` in one parallel pass over
    /// fixed row blocks (``RowBlocks``; the stripes' sums are added in stripe order, so the result does not
    /// depend on the number of cores). Within a block the rows are ordered by arm; every sum over persons of a
    /// product of two design columns is a BLAS call on the block (`dgemm` for the Jacobian's blocks, `dsyrk` for
    /// `B`, `dgemv` for the Jacobian's rows of `mu`); only the per-person scalars (scores, weights, residuals) and
    /// the `n x K` columns of `psi` (one block at a time) are computed element by element.
    /// - Complexity: `O(n (p^2 + q^2 + K^2 / 2))` flops, `O(blockSize (p + q + K))` memory per core.
    func moments(mu: [Double], predictors lp: LinearPredictors) -> EstimatingEquationMoments {
        let n = sample.count
        let x = sample.outcomeSource, z = sample.treatmentSource
        let pF = outcomeModels.isEmpty ? 0 : x.columns
        let qF = treatmentModel == nil ? 0 : z.columns
        let layout = PassLayout(p0: outcomeModels.first?.columns.count ?? 0, p1: outcomeModels.last?.columns.count ?? 0,
                                q: treatmentModel?.columns.count ?? 0)
        let k = layout.count
        let blocks = RowBlocks(count: n)
        let partials = blocks.stripes { ranges -> StackedPartialSums in
            var state = StackedPartialSums(p: pF, q: qF, k: k)
            var work = BlockWork(capacity: blocks.blockSize, p: pF, q: qF, k: k)
            for r in ranges { accumulate(rows: r, mu: mu, predictors: lp, layout: layout, work: &work, into: &state) }
            return state
        }
        var total = StackedPartialSums(p: pF, q: qF, k: k)
        for part in partials { total.add(part) }
        // Blocks may have added their Jacobian Grams on the upper triangle only (dsyrk).
        total.zz.symmetrizeFromUpper()
        for j in 0...1 { total.xx[j].symmetrizeFromUpper() }
        return assemble(total, layout: layout, n: n)
    }

    /// Buffers of one stripe, reused for all its blocks.
    struct BlockWork {
        /// The designs' rows in arm order (`x`, `z`), as the sources fill them (`xRaw`, `zRaw`, sample order).
        var x: RowBlock, xs: RowBlock, z: RowBlock, zs: RowBlock, psi: RowBlock
        var xRaw: RowBlock, zRaw: RowBlock
        /// The block's rows in arm order: sample rows (`order`) and positions within the block (`local`).
        var order: [Int]
        var local: [Int]
        /// Ones for the column sums of `psi` (`dgemv`).
        var ones: [Double] = []

        init(capacity: Int, p: Int, q: Int, k: Int) {
            x = RowBlock(capacity: capacity, columns: p)
            xs = x
            xRaw = x
            z = RowBlock(capacity: capacity, columns: q)
            zs = z
            zRaw = z
            psi = RowBlock(capacity: capacity, columns: k)
            order = []
            order.reserveCapacity(capacity)
            local = []
            local.reserveCapacity(capacity)
        }
    }

    /// Adds the rows `r` (a row block) to `s`.
    private func accumulate(rows r: Range<Int>, mu: [Double], predictors lp: LinearPredictors, layout: PassLayout,
                            work w: inout BlockWork, into s: inout StackedPartialSums) {
        let t = sample.t, y = sample.y
        // Rows of arm 0 first, then arm 1 (each in sample order).
        w.order.removeAll(keepingCapacity: true)
        for i in r where t[i] != 1 { w.order.append(i) }
        let n0 = w.order.count
        for i in r where t[i] == 1 { w.order.append(i) }
        let m = r.count
        let armRows = [0..<n0, n0..<m]
        let order = w.order
        let tb = order.map { t[$0] }, yb = order.map { y[$0] }
        let hasOutcome = !outcomeModels.isEmpty, tm = treatmentModel
        w.local.removeAll(keepingCapacity: true)
        for i in order { w.local.append(i - r.lowerBound) }
        if hasOutcome {
            sample.outcomeSource.fill(&w.xRaw, rows: r)
            w.x.gatherRows(of: w.xRaw, at: w.local[...])
        }
        let shared = sample.designsShared && hasOutcome
        if tm != nil && !shared {
            sample.treatmentSource.fill(&w.zRaw, rows: r)
            w.z.gatherRows(of: w.zRaw, at: w.local[...])
        }
        let zb = shared ? w.x : w.z  // the treatment design's rows (shares the buffer: no copy)
        w.psi.reset(rows: m, zeroed: false)

        // Per-row treatment-model pieces: p, f (density), score, score derivative.
        var pr = [Double](repeating: 0.5, count: m), fr = [Double](repeating: 0, count: m)
        if let tm {
            var sd = [Double](repeating: 0, count: m)
            var score = [Double](repeating: 0, count: m)
            for k in 0..<m {
                let b = BinaryScore(link: tm.link, t: tb[k], eta: lp.treatment[order[k]])
                pr[k] = b.p; fr[k] = b.density; score[k] = b.score; sd[k] = b.scoreDerivative
            }
            // psi_gamma = score z (kept columns); A_gamma,gamma += Z' diag(s') Z.
            for (c, j) in tm.columns.enumerated() { fillScaled(&w.psi, column: layout.gamma + c, from: zb, column: j, by: score) }
            if sd.allSatisfy({ $0 <= 0 }) {
                // A concave log-likelihood (the logit; the probit's observed Hessian): Z' diag(s') Z =
                // -(sqrt(-s') Z)'(sqrt(-s') Z), one dsyrk (upper triangle) at half a dgemm's flops.
                w.zs.setScaledRows(of: zb, by: sd.map { (-$0).squareRoot() })
                w.zs.accumulateGram(rows: 0..<m, alpha: -1, into: &s.zz)
            } else {
                w.zs.setScaledRows(of: zb, by: sd)
                zb.accumulateCrossProduct(rows: 0..<m, with: w.zs, into: &s.zz)
            }
        }
        for arm in 0...1 {
            let rows = armRows[arm]
            let a = arm == 1 ? tb : tb.map { 1 - $0 }
            var mean = [Double](repeating: 0, count: m), dmean = mean, resid = mean
            if hasOutcome {
                let om = outcomeModels[arm], xb = lp.outcome[arm]
                for k in 0..<m {
                    let (mk, dk) = outcomeMean(om.kind, xb[order[k]])
                    mean[k] = mk; dmean[k] = dk; resid[k] = yb[k] - mk
                }
                // psi_bj = a_j w r x; A_bj,bj -= X_j' diag(w dm) X_j; A_bj,gamma += X_j' diag(r dw f) Z_j.
                var wr = [Double](repeating: 0, count: m), negWdm = wr, rdwf = wr
                var weighted = false
                for k in rows {
                    let (wk, dwk) = outcomeWeight(arm: arm, p: pr[k])
                    wr[k] = a[k] * wk * resid[k]
                    negWdm[k] = -wk * dmean[k]
                    rdwf[k] = resid[k] * dwk * fr[k]
                    if dwk != 0 { weighted = true }
                }
                let base = arm == 0 ? layout.b0 : layout.b1
                for (c, j) in om.columns.enumerated() { fillScaled(&w.psi, column: base + c, from: w.x, column: j, by: wr) }
                if rows.allSatisfy({ negWdm[$0] == -1 }) {
                    // Unweighted linear model: -X_j'X_j, one dsyrk (upper triangle), the same products as the dgemm.
                    w.x.accumulateGram(rows: rows, alpha: -1, into: &s.xx[arm])
                } else {
                    w.xs.setScaledRows(of: w.x, by: negWdm)
                    w.x.accumulateCrossProduct(rows: rows, with: w.xs, into: &s.xx[arm])
                }
                if weighted, tm != nil {
                    w.zs.setScaledRows(of: zb, by: rdwf)
                    w.x.accumulateCrossProduct(rows: rows, with: w.zs, into: &s.xz[arm])
                }
            }
            accumulateMean(arm: arm, rows: rows, mu: mu[arm], t: tb, y: yb, a: a, p: pr, f: fr, mean: mean, dmean: dmean, resid: resid,
                           z: zb, layout: layout, work: &w, into: &s)
        }
        // B: each arm's rows on its own columns (the other arm's b columns are 0 there).
        w.psi.accumulateGram(rows: armRows[0], columns: 0..<layout.armZeroEnd, into: &s.meat)
        w.psi.accumulateGram(rows: armRows[1], columns: layout.armOneStart..<layout.count, into: &s.meat)
        // sum psi: one dgemv over the block (a `b` column is exactly 0 on the other arm's rows).
        if w.ones.count < m { w.ones = [Double](repeating: 1, count: m) }
        w.psi.accumulateTransposedProduct(w.ones, rows: 0..<m, into: &s.sums)
    }

    /// The potential-outcome mean's equation of `arm` (its `psi` column and Jacobian row).
    private func accumulateMean(arm: Int, rows: Range<Int>, mu: Double, t: [Double], y: [Double], a: [Double], p: [Double], f: [Double],
                                mean: [Double], dmean: [Double], resid: [Double], z: RowBlock, layout: PassLayout,
                                work w: inout BlockWork, into s: inout StackedPartialSums) {
        let m = w.psi.rows
        var forB = [Double](repeating: 0, count: m), forG = forB
        var dmu = 0.0
        w.psi.updateColumn(layout.mu + arm) { col in
            switch method {
            case .ra, .ipwra:
                for k in 0..<m {
                    let sel = estimand == .ate ? 1.0 : t[k]
                    col[k] = sel * (mean[k] - mu)
                    dmu -= sel
                    forB[k] = sel * dmean[k]
                }
            case .ipw:
                for k in 0..<m { col[k] = 0 }
                for k in rows {
                    let (v, dv) = ArmWeight.inverseProbability(arm: arm, p: p[k], estimand: estimand)
                    let e = y[k] - mu
                    col[k] = v * e
                    dmu -= v
                    forG[k] = e * dv * f[k]
                }
            case .aipw:
                for k in 0..<m {
                    let ak = a[k]
                    let (inv, dinv) = ArmWeight.ownArmInverse(arm: arm, p: p[k])
                    col[k] = mean[k] + ak * resid[k] * inv - mu
                    dmu -= 1
                    forB[k] = dmean[k] * (1 - ak * inv)
                    if ak != 0 { forG[k] = resid[k] * dinv * f[k] }
                }
            case .psmatch, .nnmatch:
                for k in 0..<m { col[k] = 0 }
            }
        }
        s.mm[arm] += dmu
        if !outcomeModels.isEmpty && (method == .ra || method == .ipwra || method == .aipw) {
            w.x.accumulateTransposedProduct(forB, rows: 0..<m, into: &s.mb[arm])
        }
        if treatmentModel != nil && (method == .ipw || method == .aipw) {
            z.accumulateTransposedProduct(forG, rows: rows, into: &s.mg[arm])
        }
    }

    /// `psi[:, column] = s * src[:, j]` over the block's rows.
    private func fillScaled(_ psi: inout RowBlock, column: Int, from src: RowBlock, column j: Int, by s: [Double]) {
        precondition(s.count >= psi.rows && src.rows >= psi.rows, "fillScaled: shape mismatch")
        src.readColumn(j) { from in
            s.withUnsafeBufferPointer { sp in
                psi.updateColumn(column) { to in for k in 0..<to.count { to[k] = sp[k] * from[k] } }
            }
        }
    }

    /// `A`, `B` and the means in the parameters' order, divided by `n`.
    private func assemble(_ s: StackedPartialSums, layout: PassLayout, n: Int) -> EstimatingEquationMoments {
        let k = layout.count
        var a = Matrix(rows: k, columns: k)
        let offsets = outcomeOffsets, tOff = treatmentOffset
        let tc = treatmentModel?.columns ?? []
        for (ka, ja) in tc.enumerated() { for (kb, jb) in tc.enumerated() { a[tOff + ka, tOff + kb] = s.zz[ja, jb] } }
        for arm in 0...1 {
            a[arm, arm] = s.mm[arm]
            for (kb, jb) in tc.enumerated() { a[arm, tOff + kb] = s.mg[arm][jb] }
            guard !outcomeModels.isEmpty else { continue }
            let oc = outcomeModels[arm].columns, off = offsets[arm]
            for (kb, jb) in oc.enumerated() { a[arm, off + kb] = s.mb[arm][jb] }
            for (ka, ja) in oc.enumerated() {
                for (kb, jb) in oc.enumerated() { a[off + ka, off + kb] = s.xx[arm][ja, jb] }
                for (kb, jb) in tc.enumerated() { a[off + ka, tOff + kb] = s.xz[arm][ja, jb] }
            }
        }
        var meat = s.meat
        meat.symmetrizeFromUpper()
        let cols = layout.parameterColumns
        let scale = 1 / Double(n)
        var b = Matrix(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { b[i, j] = meat[cols[i], cols[j]] * scale } }
        return EstimatingEquationMoments(jacobian: scale * a, meat: b, means: cols.map { s.sums[$0] * scale })
    }
}
