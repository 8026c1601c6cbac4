import Linalg

/// One cluster's score in cell space, `v_g = sum_{r in g} s_r (e_{c(r)} kron z_r)` (`W = C q` values,
/// dense), with the cells it touches.
struct CellClusterScore: Sendable {
    var code: Int32
    var v: [Double]
    var touched: [Int]
}

/// The cluster meat of a cell-structured design in cell space: `M = sum_g v_g v_g'` (`W x W`), so that
/// the meat is `A M A'` with `A = [A_1 ... A_C]` (``CellLoadings/gram(crossMoments:)``). A cluster
/// touching `t` cells adds `(t q)^2 / 2` products instead of the `p^2 / 2` of its dense score: for a
/// person in a panel, `t` is the number of periods (ETWFE: 9 x 4 factors against ~100 columns).
///
/// Clusters must be contiguous in row order. A stripe holds back its first cluster (it may have begun
/// in the previous stripe) and its open last one; the stripes are folded in order, joining a cluster cut
/// by a stripe boundary before its outer product is taken (as ``ClusterMeatPartial`` does in column space).
struct CellClusterMeatPartial: Sendable {
    let q: Int
    let w: Int
    var moments: [Double]
    /// The stripe's first completed cluster, held back.
    var first: CellClusterScore?
    /// The open cluster: its code (-1: none), cell-space score and touched cells.
    var code: Int32 = -1
    var v: [Double]
    var touched: [Int] = []
    var isTouched: [Bool]
    var closedAny = false
    /// Scratch for ``addOuterProduct(_:_:)`` (`W` each), reused for every cluster.
    private var gatheredIndex: [Int]
    private var gatheredValue: [Double]

    init(cells: Int, factors q: Int) {
        self.q = q
        w = cells * q
        moments = [Double](repeating: 0, count: w * w)
        v = [Double](repeating: 0, count: w)
        isTouched = [Bool](repeating: false, count: cells)
        gatheredIndex = [Int](repeating: 0, count: w)
        gatheredValue = [Double](repeating: 0, count: w)
    }

    /// Adds row score `s z` (cell `c`) to cluster `code`, closing the open cluster if `code` is new.
    @inline(__always)
    mutating func add(code: Int32, cell c: Int, z: UnsafePointer<Double>, score s: Double) {
        if code != self.code { closeOpen(); self.code = code }
        if s == 0 { return }
        if !isTouched[c] { isTouched[c] = true; touched.append(c) }
        for l in 0..<q { v[c * q + l] += s * z[l] }
    }

    /// Ends the open cluster: held back if it is the stripe's first, else its outer product is added.
    mutating func closeOpen() {
        guard code >= 0 else { return }
        if !closedAny {
            first = CellClusterScore(code: code, v: v, touched: touched)
            closedAny = true
        } else {
            addOuterProduct(v, touched)
        }
        for c in touched {
            isTouched[c] = false
            for l in 0..<q { v[c * q + l] = 0 }
        }
        touched.removeAll(keepingCapacity: true)
        code = -1
    }

    /// `M += x x'` over the touched cells' entries (upper triangle of the flattened index): the
    /// touched entries are gathered in ascending flattened order, then one triangular double loop.
    mutating func addOuterProduct(_ x: [Double], _ cells: [Int]) {
        let q = self.q, w = self.w
        let sorted = cells.count < 2 || zip(cells, cells.dropFirst()).allSatisfy { $0 < $1 } ? cells : cells.sorted()
        let t = sorted.count * q
        for (a, c) in sorted.enumerated() {
            for l in 0..<q { gatheredIndex[a * q + l] = c * q + l; gatheredValue[a * q + l] = x[c * q + l] }
        }
        gatheredIndex.withUnsafeBufferPointer { index in
            gatheredValue.withUnsafeBufferPointer { value in
                moments.withUnsafeMutableBufferPointer { m in
                    for i in 0..<t where value[i] != 0 {
                        let row = index[i] * w, xi = value[i]
                        for j in i..<t { m[row + index[j]] += xi * value[j] }
                    }
                }
            }
        }
    }

    /// Folds in the next stripe (stripes in row order): its held-back first cluster and its open
    /// one join this partial's open cluster when they have its code; its completed clusters' moments add.
    mutating func absorb(_ next: CellClusterMeatPartial) {
        if let f = next.first { join(f) }
        if next.code >= 0 { join(CellClusterScore(code: next.code, v: next.v, touched: next.touched)) }
        for i in moments.indices { moments[i] += next.moments[i] }
    }

    private mutating func join(_ piece: CellClusterScore) {
        if piece.code != code {
            closeOpen()
            code = piece.code
        }
        for c in piece.touched {
            if !isTouched[c] { isTouched[c] = true; touched.append(c) }
            for l in 0..<q { v[c * q + l] += piece.v[c * q + l] }
        }
    }

    /// `M` once every stripe is absorbed.
    func finished() -> [Double] {
        var total = self
        total.closeOpen()
        if let f = total.first { total.addOuterProduct(f.v, f.touched) }
        return total.moments
    }
}
