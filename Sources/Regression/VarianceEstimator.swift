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
        let blocks = RowBlocks(count: design.rows)
        let design = self.design, residuals = self.residuals, weights = self.weights, kind = self.weightKind
        var meat = blocks.reduce(Matrix(rows: p, columns: p), partial: { ranges in
            var acc = Matrix(rows: p, columns: p)
            for r in ranges {
                var xb = design.rowBlock(r)
                let scale = r.map { i -> Double in
                    let f = weights?[i] ?? 1
                    return kind == .frequency ? f.squareRoot() * residuals[i] : f * residuals[i]
                }
                xb.scaleRows(by: scale)
                acc.addGram(of: xb)
            }
            return acc
        }, combine: { $0 = $0 + $1 })
        meat.symmetrizeFromUpper()
        return meat
    }

    /// The meat `sum_g u_g u_g'` with `u_g = sum_{i in g} f_i r_i x_i`.
    ///
    /// When each cluster's rows are contiguous (panels sorted by person), the
    /// cluster sums are streamed through a small buffer and `dsyrk`ed in
    /// batches: memory O(block). Otherwise the `G x p` matrix of sums is built.
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
        let blocks = RowBlocks(count: n)
        var meat = Matrix(rows: p, columns: p)
        if contiguous {
            let batch = 2048
            var buffer = Matrix(rows: batch, columns: p)
            var filled = 0
            var current = [Double](repeating: 0, count: p)
            var currentCode: Int32 = -1
            func flushCluster() {
                if currentCode < 0 { return }
                for j in 0..<p { buffer[filled, j] = current[j]; current[j] = 0 }
                filled += 1
                if filled == batch { meat.addGram(of: buffer); buffer = Matrix(rows: batch, columns: p); filled = 0 }
            }
            for b in 0..<blocks.blockCount {
                let r = blocks.block(b)
                let xb = design.rowBlock(r)
                for k in 0..<r.count {
                    let i = r.lowerBound + k
                    if codes[i] != currentCode { flushCluster(); currentCode = codes[i] }
                    let s = (weights?[i] ?? 1) * residuals[i]
                    if s != 0 { for j in 0..<p { current[j] += s * xb[k, j] } }
                }
            }
            flushCluster()
            if filled > 0 { meat.addGram(of: buffer.rowBlock(0..<filled)) }
        } else {
            var sums = Matrix(rows: clusters.count, columns: p)
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
        }
        meat.symmetrizeFromUpper()
        return meat
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
