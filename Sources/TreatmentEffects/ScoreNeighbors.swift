/// Nearest neighbours on a scalar score (the propensity score) with replacement and ties, as
/// Stata's `teffects psmatch`: a person's matches are the `m` closest persons of the other (or the
/// same) arm, plus every further person at exactly the `m`-th distance.
///
/// The arm's persons are sorted by score once; each query is a binary search and a walk outwards.
/// - Complexity: `O(n log n)` to build, `O(log n + m + ties)` per query.
struct ScoreNeighbors {
    /// Person indices of one arm, sorted by score.
    let sorted: [Int]
    let sortedScores: [Double]

    init(persons: [Int], scores: [Double]) {
        sorted = persons.sorted { (scores[$0], $0) < (scores[$1], $1) }
        sortedScores = sorted.map { scores[$0] }
    }

    /// The `m` nearest persons to `score` (ties at the `m`-th distance included), excluding `exclude`.
    /// Returns the persons and the `m`-th distance; empty if the arm has fewer than `m` other persons.
    func nearest(to score: Double, m: Int, excluding exclude: Int? = nil) -> (persons: [Int], distance: Double) {
        let n = sorted.count
        // First position with sortedScores >= score.
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if sortedScores[mid] < score { lo = mid + 1 } else { hi = mid }
        }
        var left = lo - 1, right = lo
        var chosen: [Int] = []
        var last = 0.0
        func skip() {
            while left >= 0 && sorted[left] == exclude { left -= 1 }
            while right < n && sorted[right] == exclude { right += 1 }
        }
        skip()
        while chosen.count < m && (left >= 0 || right < n) {
            let dl = left >= 0 ? score - sortedScores[left] : .infinity
            let dr = right < n ? sortedScores[right] - score : .infinity
            if dl <= dr { chosen.append(sorted[left]); last = dl; left -= 1 } else { chosen.append(sorted[right]); last = dr; right += 1 }
            skip()
        }
        if chosen.count < m { return ([], .infinity) }
        // Ties at the m-th distance.
        while left >= 0 && score - sortedScores[left] == last { chosen.append(sorted[left]); left -= 1; skip() }
        while right < n && sortedScores[right] - score == last { chosen.append(sorted[right]); right += 1; skip() }
        return (chosen, last)
    }
}
