/// Matching with replacement under two tie conventions: MatchIt's (`matchit` preset) and psmatch2's `ties` option.
extension NearestNeighborMatcher {
    /// MatchIt's nearest neighbours with replacement (``ReplacementTieBreak/matchit``).
    ///
    /// The treated unit takes its place among the controls sorted by (score, row). Walking out from it, alternately
    /// left (lower) and right (higher), starting left, up to `k` controls are collected on each side; a side stops
    /// early once `k` collected controls are strictly closer than its next one, or at the caliper. The `k` closest
    /// are kept, an equal distance going to the one collected first. For `k = 1` this is exactly MatchIt's
    /// `std::partial_sort` choice (a later candidate replaces the first only when strictly closer); for `k > 1` the
    /// chosen set is the same as libstdc++'s heap selection (which also replaces only on a strictly smaller distance),
    /// the order of a treated unit's pairs may differ.
    /// - Complexity: `O(log n + k)` per treated unit after the sort.
    func nearestWithReplacementMatchIt(scores: [Double], order: [Int], sortedControls: [Int], caliper: Double?)
        -> (pairs: [MatchedPair], unmatched: [(row: Int, reason: UnmatchedReason)]) {
        let k = specification.neighbors
        var pairs: [MatchedPair] = []
        var unmatched: [(row: Int, reason: UnmatchedReason)] = []
        for t in order {
            let s = scores[t]
            // First control position after the treated unit in (score, row) order.
            var lo = 0, hi = sortedControls.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let c = sortedControls[mid]
                if (scores[c], c) < (s, t) { lo = mid + 1 } else { hi = mid }
            }
            var l = lo - 1, r = lo
            var leftCount = 0, rightCount = 0
            var leftStop = false, rightStop = false, left = false
            var found: [(control: Int, distance: Double)] = []
            while !leftStop || !rightStop {
                left = leftStop ? false : (rightStop ? true : !left)
                let position = left ? l : r
                if left ? (position < 0 || leftCount == k) : (position >= sortedControls.count || rightCount == k) {
                    if left { leftStop = true } else { rightStop = true }
                    continue
                }
                if left { l -= 1 } else { r += 1 }
                let c = sortedControls[position]
                let d = Swift.abs(s - scores[c])
                if !accepts(d, caliper) || found.filter({ $0.distance < d }).count >= k {
                    if left { leftStop = true } else { rightStop = true }
                    continue
                }
                found.append((c, d))
                if left { leftCount += 1 } else { rightCount += 1 }
            }
            if found.isEmpty { unmatched.append((t, .noControlWithinCaliper)); continue }
            let kept = found.enumerated().sorted { ($0.element.distance, $0.offset) < ($1.element.distance, $1.offset) }.prefix(k)
            for f in kept { pairs.append(MatchedPair(treated: t, control: f.element.control, distance: f.element.distance)) }
        }
        return (pairs, unmatched)
    }

    /// psmatch2's `ties` (with replacement): each treated unit's `k` nearest controls plus every further control at
    /// the `k`-th distance, on either side; the weights then share the treated unit's weight equally among them
    /// (``MatchResult/init(pairs:treated:)``). Pairs of one treated unit come in (distance, score, row) order.
    /// - Complexity: `O(log n + k + ties)` per treated unit after the sort.
    func nearestWithTies(scores: [Double], order: [Int], sortedControls: [Int], caliper: Double?)
        -> (pairs: [MatchedPair], unmatched: [(row: Int, reason: UnmatchedReason)]) {
        let k = specification.neighbors
        let groups = ScoreGroups(sortedControls, scores: scores)
        var pairs: [MatchedPair] = []
        var unmatched: [(row: Int, reason: UnmatchedReason)] = []
        for t in order {
            let s = scores[t]
            let pos = lowerBound(groups.score, s)
            var l = pos - 1, r = pos
            var got = 0
            var last = -Double.infinity
            // Whole score groups are taken, nearest first, until k controls are in and the next group is farther.
            while l >= 0 || r < groups.count {
                let dl = l >= 0 ? s - groups.score[l] : .infinity
                let dr = r < groups.count ? groups.score[r] - s : .infinity
                let d = Swift.min(dl, dr)
                if got >= k && d > last { break }
                if !accepts(d, caliper) { break }
                let g = dl <= dr ? l : r
                for j in groups.start[g]..<groups.start[g + 1] {
                    pairs.append(MatchedPair(treated: t, control: sortedControls[j], distance: d))
                }
                got += groups.start[g + 1] - groups.start[g]
                last = d
                if dl <= dr { l -= 1 } else { r += 1 }
            }
            if got == 0 { unmatched.append((t, .noControlWithinCaliper)) }
        }
        return (pairs, unmatched)
    }
}
