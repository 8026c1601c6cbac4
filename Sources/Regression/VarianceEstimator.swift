import Linalg
import Design
import Estimation
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
    public var name: String { kind.rawValue }

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
        if let cells = design.cellStructure { return robustMeat(cells: cells) }
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
        if let cells = design.cellStructure { return clusterMeat(cells: cells, clusters: clusters, contiguous: contiguous) }
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
            let blocks = RowBlocks(count: n)
            for b in 0..<blocks.blockCount {
                let r = blocks.block(b)
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

/// A cluster meat over contiguous clusters, built from cluster sums in row
/// order: the first and the last cluster seen are held back (a stripe's first
/// cluster may have begun in the previous stripe, its last may go on in the
/// next); the complete ones in between are `dsyrk`ed in batches.
struct ClusterMeatPartial: Sendable {
    var first: (code: Int32, sum: [Double])?
    var last: (code: Int32, sum: [Double])?
    var meat: Matrix
    var batch: RowBlock
    var scale: [Double]
    var sums: RowBlock

    /// - Parameter scratchRows: rows of the block-scaling scratch (a row block's size for the dense
    ///   pass; 1 when the caller builds the cluster sums itself).
    init(columns p: Int, scratchRows: Int = RowBlocks.defaultBlockSize) {
        meat = Matrix(rows: p, columns: p)
        batch = RowBlock(capacity: 1024, columns: p)
        scale = [Double](repeating: 0, count: scratchRows)
        sums = RowBlock(capacity: scratchRows, columns: p)
    }

    /// Adds the sum of the next rows in order, all of cluster `code`.
    mutating func add(code: Int32, sum: [Double]) {
        if var l = last, l.code == code {
            for j in sum.indices { l.sum[j] += sum[j] }
            last = l
            return
        }
        if let l = last {
            if first == nil { first = l } else { emit(l.sum) }
        }
        last = (code, sum)
    }

    private mutating func emit(_ u: [Double]) {
        if batch.rows == batch.capacity {
            batch.accumulateGram(into: &meat)
            batch.reset(rows: 0, zeroed: false)
        }
        batch.appendRow(u)
    }

    /// Folds in the next stripe's partial (stripes in row order): its first
    /// cluster, the complete ones in its meat, its last cluster.
    mutating func absorb(_ next: ClusterMeatPartial) {
        if let f = next.first { add(code: f.code, sum: f.sum) }
        meat = meat + next.meat
        next.batch.accumulateGram(into: &meat)
        if let l = next.last { add(code: l.code, sum: l.sum) }
    }

    /// The meat once every stripe is absorbed (full symmetric matrix).
    func finished() -> Matrix {
        var total = self
        for c in [first, last] { if let c { total.emit(c.sum) } }
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
