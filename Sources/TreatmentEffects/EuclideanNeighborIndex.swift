/// One arm's persons grouped by identical covariate rows, in a k-d tree, for the Euclidean nearest-neighbour
/// lookups of the ATET's derivative term in ``PropensityScoreMatchingEstimator`` (Stata's `teffects psmatch`
/// estimates `mu_1(x) - mu_0(x)` there by matching on the covariates themselves, in the Euclidean metric of their
/// own units).
///
/// A lookup returns the mean outcome of the `m` persons nearest to a point, every person at exactly the `m`-th
/// distance included (distances compared exactly, as Stata's propensity-score ties; persons with identical rows
/// are one point of the tree, so their ties cost nothing).
/// - Complexity: `O(n k log n)` to build (`n` persons, `k` covariates); a lookup visits `O(log G)` nodes for `G`
///   distinct rows in few dimensions (a k-d tree degrades towards `O(G)` as `k` grows).
struct EuclideanNeighborIndex {
    /// Distinct rows, row-major `G x k`, in the tree's order.
    private let points: [Double]
    /// Persons and the sum of their outcomes per distinct row.
    private let count: [Double]
    private let sumY: [Double]
    private let k: Int
    private let nodes: [Node]
    static let leafSize = 8

    private struct Node {
        /// The points `lo..<hi`; a leaf when `left < 0`.
        var lo: Int, hi: Int
        var dim: Int, split: Double
        var left: Int, right: Int
    }

    /// Number of distinct rows.
    var distinctRows: Int { count.count }

    /// - Parameters: `row(i, &buffer)` writes person `i`'s `k` covariates; `persons` are the arm's persons; `y` every
    ///   person's outcome.
    init(persons: [Int], k: Int, y: [Double], row: (Int, inout [Double]) -> Void) {
        self.k = k
        // Rows of the arm, then grouped: sorted lexicographically, identical rows merged.
        var raw = [Double](repeating: 0, count: persons.count * k)
        var buffer = [Double](repeating: 0, count: k)
        for (r, i) in persons.enumerated() {
            row(i, &buffer)
            for a in 0..<k { raw[r * k + a] = buffer[a] }
        }
        let order = (0..<persons.count).sorted { a, b in
            for d in 0..<k where raw[a * k + d] != raw[b * k + d] { return raw[a * k + d] < raw[b * k + d] }
            return false
        }
        var pts: [Double] = [], cnt: [Double] = [], sy: [Double] = []
        pts.reserveCapacity(persons.count * k)
        for r in order {
            let g = cnt.count
            let same = g > 0 && (0..<k).allSatisfy { raw[r * k + $0] == pts[(g - 1) * k + $0] }
            if same {
                cnt[g - 1] += 1
                sy[g - 1] += y[persons[r]]
            } else {
                pts.append(contentsOf: raw[(r * k)..<((r + 1) * k)])
                cnt.append(1)
                sy.append(y[persons[r]])
            }
        }
        var perm = Array(0..<cnt.count)
        var nodes: [Node] = []
        Self.build(points: pts, k: k, perm: &perm, lo: 0, hi: perm.count, nodes: &nodes)
        // Store the points in tree order.
        var p2 = [Double](repeating: 0, count: pts.count), c2 = cnt, s2 = sy
        for (pos, g) in perm.enumerated() {
            for a in 0..<k { p2[pos * k + a] = pts[g * k + a] }
            c2[pos] = cnt[g]
            s2[pos] = sy[g]
        }
        points = p2
        count = c2
        sumY = s2
        self.nodes = nodes
    }

    /// Splits `perm[lo..<hi]` at the median of its widest coordinate; returns the node's index.
    @discardableResult
    private static func build(points: [Double], k: Int, perm: inout [Int], lo: Int, hi: Int, nodes: inout [Node]) -> Int {
        let index = nodes.count
        nodes.append(Node(lo: lo, hi: hi, dim: 0, split: 0, left: -1, right: -1))
        guard hi - lo > leafSize, k > 0 else { return index }
        var dim = 0, widest = -1.0
        for d in 0..<k {
            var mn = Double.infinity, mx = -Double.infinity
            for r in lo..<hi { let v = points[perm[r] * k + d]; mn = Swift.min(mn, v); mx = Swift.max(mx, v) }
            if mx - mn > widest { widest = mx - mn; dim = d }
        }
        guard widest > 0 else { return index }
        perm[lo..<hi].sort { points[$0 * k + dim] < points[$1 * k + dim] }
        let mid = (lo + hi) / 2
        let split = points[perm[mid] * k + dim]
        let left = build(points: points, k: k, perm: &perm, lo: lo, hi: mid, nodes: &nodes)
        let right = build(points: points, k: k, perm: &perm, lo: mid, hi: hi, nodes: &nodes)
        nodes[index].dim = dim
        nodes[index].split = split
        nodes[index].left = left
        nodes[index].right = right
        return index
    }

    @inline(__always)
    private func distance(_ x: [Double], _ g: Int) -> Double {
        var s = 0.0
        for a in 0..<k { let d = x[a] - points[g * k + a]; s += d * d }
        return s
    }

    /// The mean outcome and the number of the `m` persons nearest to `x` (squared Euclidean distance), every person
    /// at exactly the `m`-th distance included; `(nan, 0)` when the arm has fewer than `m` persons.
    func nearestMean(to x: [Double], m: Int) -> (meanY: Double, persons: Double) {
        guard !nodes.isEmpty else { return (.nan, 0) }
        // Pass 1: the m-th smallest distance, persons counted with their multiplicity.
        var best: [(d: Double, n: Double)] = []
        var bound = Double.infinity
        func consider(_ d: Double, _ n: Double) {
            guard d <= bound else { return }
            var pos = best.count
            while pos > 0 && best[pos - 1].d > d { pos -= 1 }
            best.insert((d, n), at: pos)
            var total = 0.0
            for (j, e) in best.enumerated() {
                total += e.n
                if total >= Double(m) { bound = e.d; best.removeSubrange((j + 1)...); break }
            }
        }
        search(x, node: 0) { lo, hi in for g in lo..<hi { consider(distance(x, g), count[g]) } } prune: { bound }
        guard bound.isFinite else { return (.nan, 0) }
        // Pass 2: every person within that distance.
        var n = 0.0, s = 0.0
        let cut = bound
        search(x, node: 0) { lo, hi in
            for g in lo..<hi where distance(x, g) <= cut { n += count[g]; s += sumY[g] }
        } prune: { cut }
        return (s / n, n)
    }

    /// Depth-first over the tree, the side of `x` first; a far side is skipped when its plane lies beyond `prune()`
    /// (a squared distance), which is safe for ties: a point beyond the plane is at least that far.
    private func search(_ x: [Double], node: Int, leaf: (Int, Int) -> Void, prune: () -> Double) {
        let nd = nodes[node]
        if nd.left < 0 { leaf(nd.lo, nd.hi); return }
        let diff = x[nd.dim] - nd.split
        let (near, far) = diff < 0 ? (nd.left, nd.right) : (nd.right, nd.left)
        search(x, node: near, leaf: leaf, prune: prune)
        if diff * diff <= prune() { search(x, node: far, leaf: leaf, prune: prune) }
    }
}
