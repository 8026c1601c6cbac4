import Linalg

/// Count, means and centred (co)moments of `y` and of `z`'s columns over a set of persons, combinable without
/// revisiting the persons (Chan, Golub and LeVeque's pairwise update; stable, unlike raw sums of squares).
struct Moments {
    var n = 0.0
    var meanY = 0.0
    /// `sum (y - meanY)^2`.
    var m2Y = 0.0
    var meanZ: [Double]
    /// `sum (z_k - meanZ_k)(y - meanY)` per column.
    var cZY: [Double]

    init(columns q: Int) {
        meanZ = [Double](repeating: 0, count: q)
        cZY = meanZ
    }

    /// One person.
    init(y: Double, z: [Double]) {
        n = 1
        meanY = y
        meanZ = z
        cZY = [Double](repeating: 0, count: z.count)
    }

    /// The moments of the union of two disjoint sets.
    mutating func merge(_ b: Moments) {
        guard b.n > 0 else { return }
        guard n > 0 else { self = b; return }
        let total = n + b.n
        let dy = b.meanY - meanY
        let f = n * b.n / total
        m2Y += b.m2Y + dy * dy * f
        for k in meanZ.indices {
            let dz = b.meanZ[k] - meanZ[k]
            cZY[k] += b.cZY[k] + dz * dy * f
            meanZ[k] += dz * b.n / total
        }
        meanY += dy * b.n / total
        n = total
    }

    /// The sample variance of `y` (divisor `n - 1`); 0 for fewer than 2 persons.
    var varianceY: Double { n > 1 ? m2Y / (n - 1) : 0 }
    /// The sample covariances of `z`'s columns with `y` (divisor `n - 1`); zeros for fewer than 2 persons.
    var covarianceZY: [Double] { n > 1 ? cZY.map { $0 / (n - 1) } : [Double](repeating: 0, count: cZY.count) }
}

/// One arm's persons grouped by identical score (propensity score), the groups sorted by score, with each group's
/// ``Moments``. Nearest-neighbour sets with ties are unions of whole groups, so every quantity the matching
/// estimator needs (a match's mean outcome, a same-arm conditional variance, a local covariance, how often a
/// person is used) is computed per group: the cost of a lookup does not grow with the size of the tie groups, and
/// a score with few distinct values (only discrete covariates) on a large register stays `O(n log n)`.
///
/// - Complexity: `O(n log n + n q)` to build; `O(log G + groups visited)` per lookup.
struct ScoreGroupIndex {
    /// Distinct scores, ascending.
    let scores: [Double]
    let moments: [Moments]
    /// The group of each person of the arm (by person index; -1 for persons of the other arm).
    let groupOf: [Int]

    /// - Parameters: persons of the arm; `scores`, `y`, and `z(i)` (the person's covariate row) for every person.
    init(persons: [Int], scores p: [Double], y: [Double], z: (Int) -> [Double], totalPersons: Int) {
        let sorted = persons.sorted { (p[$0], $0) < (p[$1], $1) }
        var s: [Double] = [], m: [Moments] = []
        var of = [Int](repeating: -1, count: totalPersons)
        for i in sorted {
            if s.last != p[i] {
                s.append(p[i])
                m.append(Moments(y: y[i], z: z(i)))
            } else {
                m[m.count - 1].merge(Moments(y: y[i], z: z(i)))
            }
            of[i] = s.count - 1
        }
        scores = s
        moments = m
        groupOf = of
    }

    /// The groups of the `m` persons nearest to `score`, ties at the `m`-th distance included: whole groups taken
    /// by distance until they hold at least `m` persons, plus every further group at the last distance.
    /// `excluding`: that group counts one person fewer (the person itself); a group left empty is skipped.
    /// Returns the groups, the persons they hold (less the excluded one) and the `m`-th distance; no groups and
    /// `infinity` when the arm has fewer than `m` such persons.
    func nearest(to score: Double, m: Int, excluding: Int? = nil) -> (groups: [Int], persons: Int, distance: Double) {
        let g = scores.count
        var lo = 0, hi = g
        while lo < hi {
            let mid = (lo + hi) / 2
            if scores[mid] < score { lo = mid + 1 } else { hi = mid }
        }
        var left = lo - 1, right = lo
        var chosen: [Int] = []
        var persons = 0
        var last = 0.0
        func size(_ k: Int) -> Int { Int(moments[k].n) - (k == excluding ? 1 : 0) }
        while left >= 0 || right < g {
            let dl = left >= 0 ? score - scores[left] : .infinity
            let dr = right < g ? scores[right] - score : .infinity
            let d = Swift.min(dl, dr)
            if persons >= m && d > last { break }
            let k = dl <= dr ? left : right
            if dl <= dr { left -= 1 } else { right += 1 }
            guard size(k) > 0 else { continue }
            chosen.append(k)
            persons += size(k)
            last = d
        }
        return persons >= m ? (chosen, persons, last) : ([], 0, .infinity)
    }

    /// The moments of the given groups together.
    func moments(of groups: [Int]) -> Moments {
        var out = Moments(columns: moments.first?.meanZ.count ?? 0)
        for k in groups { out.merge(moments[k]) }
        return out
    }
}
