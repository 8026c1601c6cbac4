import Linalg
import Tabular

/// How standard errors are computed, chosen after the fit.
public enum VarianceEstimator: Sendable, Equatable {
    /// Model-based: the inverse observed information (ML) or `s^2 (X'X)^-1` (OLS).
    case oim
    /// Huber-White sandwich (ML: multiplier `N/(N-1)`; OLS: HC1, `N/(N-k)`).
    case robust
    /// Cluster-robust sandwich (ML: `G/(G-1)`; OLS: CR1, `G/(G-1) (N-1)/(N-k)`),
    /// with cluster ids for the rows of the fit.
    case cluster(ClusterIDs)

    /// The CLI/JSON name: `oim`, `robust`, `cluster`.
    public var name: String {
        switch self {
        case .oim: return "oim"
        case .robust: return "robust"
        case .cluster: return "cluster"
        }
    }

    /// Number of clusters, for `.cluster`.
    public var clusterCount: Int? {
        if case .cluster(let c) = self { return c.count }
        return nil
    }
}

/// The per-observation scores of a fitted model, `s_i = f_i r_i x_i`, kept
/// implicitly as the design plus the residual factors `r_i` and weights `f_i`.
struct ScoreData: Sendable {
    let design: any RowBlockSource
    let residuals: [Double]
    let weights: [Double]?
    let weightKind: WeightKind

    /// The meat `sum_i s_i s_i'` of the robust sandwich, with frequency
    /// weights counting as replicated rows (`f r^2 x x'`) and analytic weights
    /// as scaled scores (`(f r)^2 x x'`). One parallel pass of `dsyrk`.
    func robustMeat() -> Matrix {
        let p = design.columns
        let residuals = self.residuals, weights = self.weights, kind = self.weightKind
        var meat = design.reduceRowBlocks(stripeState: { _ in (Matrix(rows: p, columns: p), [Double](repeating: 0, count: RowBlocks.defaultBlockSize)) },
                                          body: { acc, block, r in
            for (k, i) in r.enumerated() {
                let f = weights?[i] ?? 1
                acc.1[k] = kind == .frequency ? f.squareRoot() * residuals[i] : f * residuals[i]
            }
            block.scaleRows(by: acc.1)
            block.accumulateGram(into: &acc.0)
        }, combine: { $0.0 = $0.0 + $1.0 }).0
        meat.symmetrizeFromUpper()
        return meat
    }

    /// The meat `sum_g u_g u_g'` with `u_g = sum_{i in g} f_i r_i x_i`.
    ///
    /// When each cluster's rows are contiguous (panels sorted by person), one
    /// parallel pass: per block the rows are scaled by `f r`, each cluster's
    /// rows summed (``RowBlock/segmentSums(bounds:into:)``) and the completed
    /// sums `dsyrk`ed in batches; a cluster cut by a stripe boundary is
    /// completed when the stripes are combined (in order, so the result does
    /// not depend on the number of cores). Memory O(block). Otherwise the
    /// `G x p` matrix of sums is built.
    func clusterMeat(_ clusters: ClusterIDs) -> Matrix {
        let p = design.columns
        let n = design.rows
        precondition(clusters.codes.count == n, "clusterMeat: cluster ids do not match the rows")
        let codes = clusters.codes
        var contiguous = true
        var seen = Set<Int32>()
        var previous: Int32 = -1
        for c in codes where c != previous {
            if !seen.insert(c).inserted { contiguous = false; break }
            previous = c
        }
        var meat = Matrix(rows: p, columns: p)
        if contiguous {
            let residuals = self.residuals, weights = self.weights
            let total = design.reduceRowBlocks(stripeState: { _ in ClusterMeatPartial(columns: p) }, body: { part, block, r in
                var bounds = [0]
                for (k, i) in r.enumerated() {
                    part.scale[k] = (weights?[i] ?? 1) * residuals[i]
                    if k > 0 && codes[i] != codes[i - 1] { bounds.append(k) }
                }
                bounds.append(r.count)
                block.scaleRows(by: part.scale)
                block.segmentSums(bounds: bounds, into: &part.sums)
                for s in 0..<(bounds.count - 1) {
                    part.add(code: codes[r.lowerBound + bounds[s]], sum: part.sums.row(s))
                }
            }, combine: { total, part in total.absorb(part) })
            meat = total.finished()
        } else {
            var sums = Matrix(rows: clusters.count, columns: p)
            for b in 0..<RowBlocks(count: n).blockCount {
                let r = RowBlocks(count: n).block(b)
                let xb = design.rowBlock(r)
                for k in 0..<r.count {
                    let i = r.lowerBound + k
                    let g = Int(codes[i])
                    let s = (weights?[i] ?? 1) * residuals[i]
                    if s != 0 { for j in 0..<p { sums[g, j] += s * xb[k, j] } }
                }
            }
            meat.addGram(of: sums)
            meat.symmetrizeFromUpper()
        }
        return meat
    }
}

/// One stripe's share of a cluster meat over contiguous clusters: the sum of
/// the stripe's first cluster (which may have begun in the previous stripe),
/// the open last cluster (which may go on in the next), and the `dsyrk` of
/// the complete ones in between.
struct ClusterMeatPartial: Sendable {
    var first: (code: Int32, sum: [Double])?
    var open: (code: Int32, sum: [Double])?
    var meat: Matrix
    var batch: RowBlock
    var scale: [Double]
    var sums: RowBlock

    init(columns p: Int) {
        meat = Matrix(rows: p, columns: p)
        batch = RowBlock(capacity: 1024, columns: p)
        scale = [Double](repeating: 0, count: RowBlocks.defaultBlockSize)
        sums = RowBlock(capacity: RowBlocks.defaultBlockSize, columns: p)
    }

    /// Adds one segment's sum (rows of cluster `code`).
    mutating func add(code: Int32, sum: [Double]) {
        if var o = open, o.code == code {
            for j in sum.indices { o.sum[j] += sum[j] }
            open = o
            return
        }
        if let o = open { close(o) }
        open = (code, sum)
    }

    private mutating func close(_ cluster: (code: Int32, sum: [Double])) {
        if first == nil {
            first = cluster
            return
        }
        emit(cluster.sum)
    }

    mutating func emit(_ u: [Double]) {
        if batch.rows == batch.capacity {
            batch.accumulateGram(into: &meat)
            batch.reset(rows: 0, zeroed: false)
        }
        batch.appendRow(u)
    }

    /// Folds the next stripe's partial into this running total (stripe order).
    mutating func absorb(_ next: ClusterMeatPartial) {
        // The next stripe's clusters in order: its first (closed) cluster if any, its
        // interior (already in its meat), its open cluster.
        var nextMeat = next.meat
        next.batch.accumulateGram(into: &nextMeat)
        let head = next.first ?? next.open
        if let head {
            add(code: head.code, sum: head.sum)
        }
        if next.first != nil, let tail = next.open {
            // `head` was complete within the next stripe: everything before its tail is closed.
            if let o = open { emitClosing(o) }
            meat = meat + nextMeat
            open = tail
        } else {
            meat = meat + nextMeat
        }
    }

    private mutating func emitClosing(_ cluster: (code: Int32, sum: [Double])) {
        emit(cluster.sum)
        open = nil
    }

    /// The meat once every stripe is absorbed.
    func finished() -> Matrix {
        var total = self
        if let o = total.open { total.emit(o.sum) }
        if let f = total.first { total.emit(f.sum) }
        total.batch.accumulateGram(into: &total.meat)
        var m = total.meat
        m.symmetrizeFromUpper()
        return m
    }
}

/// `q B M B`: the sandwich with multiplier `q`.
func sandwich(bread: Matrix, meat: Matrix, multiplier q: Double) -> Matrix {
    let bm = Matrix.multiply(bread, meat)
    var v = Matrix.multiply(bm, bread)
    // Exact symmetry (the two triangles can differ in the last bit).
    for j in 0..<v.columns { for i in 0..<j { let a = 0.5 * (v[i, j] + v[j, i]); v[i, j] = a; v[j, i] = a } }
    return q * v
}
