/// A histogram series after disclosure control: small bins merged with their
/// neighbours before anything is suppressed, shares of the group's whole total.
public struct GatedHistogramSeries: Sendable, Equatable {
    /// Per bin: the share of the group's total (a merged group's share spread evenly over its
    /// bins, so areas stay true); nil only when the whole group has fewer than K persons.
    public var shares: [Double?]
    /// Per bin: the count when the bin stands alone (0 or at least K), nil when merged or suppressed.
    public var counts: [Int?]
    /// Per bin: whether it is part of a merged group.
    public var merged: [Bool]

    /// Merges runs of bins holding 1 to K-1 persons, left to right, until each group holds at
    /// least K (a short last group joins the one before it); empty bins and bins of K or more
    /// stand alone. A series of fewer than K persons in all is suppressed whole.
    /// Complexity: O(bins).
    public init(counts c: [Int], minimumCellSize k: Int) {
        let n = c.count, total = c.reduce(0, +)
        guard total > 0 else {
            shares = c.map { _ in 0 }; counts = c.map { $0 }; merged = c.map { _ in false }
            return
        }
        guard total >= k else {
            shares = c.map { _ in nil }; counts = c.map { _ in nil }; merged = c.map { _ in false }
            return
        }
        var groups: [(lo: Int, hi: Int, sum: Int)] = []
        var i = 0
        while i < n {
            if c[i] == 0 || c[i] >= k { groups.append((i, i + 1, c[i])); i += 1; continue }
            var j = i, s = 0
            while j < n && s < k { s += c[j]; j += 1 }
            groups.append((i, j, s))
            i = j
        }
        while let last = groups.last, last.sum > 0, last.sum < k, groups.count > 1 {
            groups.removeLast()
            let prev = groups.removeLast()
            groups.append((prev.lo, last.hi, prev.sum + last.sum))
        }
        var sh = [Double?](repeating: 0, count: n), ct = [Int?](repeating: nil, count: n), mg = [Bool](repeating: false, count: n)
        for g in groups {
            let width = g.hi - g.lo
            for b in g.lo..<g.hi {
                sh[b] = Double(g.sum) / Double(total) / Double(width)
                if width == 1 { ct[b] = g.sum } else { mg[b] = true }
            }
        }
        shares = sh; counts = ct; merged = mg
    }
}
