import Distributions
import Linalg

/// The influence functions that every reported estimate is a linear combination of, with their
/// covariance and (optionally) their multiplier-bootstrap draws, computed once per estimation.
///
/// Basis columns: the `C` cells' `psi` (``GroupTimeATT/influence``), then one indicator
/// `1{G_i = g}` per group present (never treated included). Every aggregate of ``Aggregator`` is
/// `sum_k w_k psi_k + sum_g h_g 1{G_i = g}`: R did's weight-estimation term `wif` depends on the unit
/// only through its group. So an estimate is a coefficient vector `c` over the basis, its analytic
/// variance is `c' V c` and its bootstrap draws are `T c`, and no aggregate's `n`-vector is formed.
///
/// - `V = S'S / n^2`, `S` the cluster sums of the basis (units by default): R did's analytic
///   convention (``InfluenceVariance``).
/// - `T` (`B x width`): `T_bj = sqrt(n) (1/n) sum_c v_bc S_cj` (R did's `mboot`), with `v_bc` the
///   `c`-th draw of replication `b`'s ``SplitMix64`` stream (its seed the `b`-th output of a SplitMix64
///   seeded with the options' seed), so every table of one estimation uses the same draws (common
///   random numbers, as separate runs with one seed would) and the result does not depend on the
///   number of cores. The sums are tabulated per 8 clusters (``MultiplierBootstrap/draws(blocks:block:width:units:)``),
///   blocks of clusters in a fixed partition combined in order.
///
/// Complexity: `O(G w^2)` for `V` and `O(B G w / 8 + 32 G w)` additions for `T` (`G` clusters,
/// `w = C + groups` columns, `B` replications) plus `B G` SplitMix64 draws: at 6M units and 999
/// replications, 6e9 draws, the bound of the whole-country bootstrap. Memory `O(w^2 + B w)` plus one block.
struct InfluenceBasis: Sendable {
    let cellCount: Int
    /// The groups of the indicator columns (ascending; 0 = never treated).
    let groups: [Int]
    let covariance: Matrix
    let draws: Matrix?

    var width: Int { cellCount + groups.count }

    init(cells psi: Matrix, unitGroups: [Int], variance: InfluenceVariance, bootstrap: MultiplierBootstrap?) {
        cellCount = psi.columns
        groups = Set(unitGroups).sorted()
        let width = psi.columns + groups.count
        var column: [Int: Int] = [:]
        for (a, g) in groups.enumerated() { column[g] = psi.columns + a }
        let indicator = unitGroups.map { column[$0] ?? 0 }
        // Cluster sums: gathered block by block for unit clusters, else summed once.
        let clusterRows = variance.clusters == nil ? variance.units : variance.clusterCount
        let summed: [Double]? = variance.clusters.map { c in
            var s = [Double](repeating: 0, count: clusterRows * width)
            psi.storage.withUnsafeBufferPointer { p in
                for j in 0..<psi.columns { for i in 0..<psi.rows { s[c[i] + j * clusterRows] += p[i + j * psi.rows] } }
            }
            for i in indicator.indices { s[c[i] + indicator[i] * clusterRows] += 1 }
            return s
        }
        let block: @Sendable (Range<Int>) -> Matrix = { r in
            var m = [Double](repeating: 0, count: r.count * width)
            if let s = summed {
                for j in 0..<width { for (a, i) in r.enumerated() { m[a + j * r.count] = s[i + j * clusterRows] } }
            } else {
                psi.storage.withUnsafeBufferPointer { p in
                    for j in 0..<psi.columns { for (a, i) in r.enumerated() { m[a + j * r.count] = p[i + j * psi.rows] } }
                }
                for (a, i) in r.enumerated() { m[a + indicator[i] * r.count] = 1 }
            }
            return Matrix(rows: r.count, columns: width, columnMajor: m)
        }
        let blocks = RowBlocks(count: clusterRows, blockSize: 1024)
        let n = Double(variance.units)
        let grams = blocks.stripes { ranges -> Matrix in
            var g = Matrix(rows: width, columns: width)
            for r in ranges { g.addGram(of: block(r)) }
            return g
        }
        var v = Matrix(rows: width, columns: width)
        for g in grams { v = v + g }
        v.symmetrizeFromUpper()
        covariance = (1 / (n * n)) * v
        draws = bootstrap.map { $0.draws(blocks: blocks, block: block, width: width, units: variance.units) }
    }

    /// The analytic standard error of the estimate with basis coefficients `c` (nil when degenerate).
    func standardError(_ c: [Double]) -> Double? {
        InfluenceVariance.standardError(covariance.quadraticForm(c))
    }

    /// The basis coefficients of cell `k`.
    func cell(_ k: Int) -> [Double] {
        var c = [Double](repeating: 0, count: width)
        c[k] = 1
        return c
    }

    /// The coefficient of group `g`'s indicator column.
    func indicatorColumn(_ g: Int) -> Int? { groups.firstIndex(of: g).map { cellCount + $0 } }
}
