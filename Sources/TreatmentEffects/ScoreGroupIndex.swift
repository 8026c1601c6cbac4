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

/// ``Moments`` accumulated in place, group by group, with no allocation per merge (the `z` buffers are reused):
/// the same arithmetic as ``Moments/merge(_:)`` in the same order, so the same numbers. With `withZ` false only
/// the `y` part is kept (it never depends on `z`).
struct MomentsAccumulator {
    var n = 0.0
    var meanY = 0.0
    var m2Y = 0.0
    var meanZ: [Double]
    var cZY: [Double]
    let withZ: Bool

    init(columns q: Int, withZ: Bool) {
        self.withZ = withZ
        meanZ = [Double](repeating: 0, count: withZ ? q : 0)
        cZY = meanZ
    }

    /// Back to the empty set.
    mutating func reset() {
        n = 0; meanY = 0; m2Y = 0
        for k in meanZ.indices { meanZ[k] = 0; cZY[k] = 0 }
    }

    /// Merges group `g` of `index` (``Moments/merge(_:)``).
    mutating func add(group g: Int, of index: ScoreGroupIndex) {
        let bn = index.count[g], bmean = index.meanY[g], bm2 = index.m2Y[g]
        guard bn > 0 else { return }
        let q = index.columns, base = g * q
        guard n > 0 else {
            n = bn; meanY = bmean; m2Y = bm2
            if withZ { for k in 0..<q { meanZ[k] = index.meanZ[base + k]; cZY[k] = index.cZY[base + k] } }
            return
        }
        let total = n + bn
        let dy = bmean - meanY
        let f = n * bn / total
        m2Y += bm2 + dy * dy * f
        if withZ {
            for k in 0..<q {
                let dz = index.meanZ[base + k] - meanZ[k]
                cZY[k] += index.cZY[base + k] + dz * dy * f
                meanZ[k] += dz * bn / total
            }
        }
        meanY += dy * bn / total
        n = total
    }

    /// Merges one person with outcome `y` (and `z = 0`, as the estimator's own-person merge; `y` part only).
    mutating func addPerson(y: Double) {
        guard n > 0 else { n = 1; meanY = y; m2Y = 0; for k in meanZ.indices { meanZ[k] = 0; cZY[k] = 0 }; return }
        let total = n + 1
        let dy = y - meanY
        let f = n * 1 / total
        m2Y += 0 + dy * dy * f
        if withZ {
            for k in meanZ.indices {
                let dz = 0 - meanZ[k]
                cZY[k] += 0 + dz * dy * f
                meanZ[k] += dz * 1 / total
            }
        }
        meanY += dy * 1 / total
        n = total
    }

    var varianceY: Double { n > 1 ? m2Y / (n - 1) : 0 }
    /// `cov(z_k, y)` (divisor `n - 1`; 0 for fewer than 2 persons) into `out[offset + k]`.
    func writeCovarianceZY(into out: inout [Double], at offset: Int) {
        for k in cZY.indices { out[offset + k] = n > 1 ? cZY[k] / (n - 1) : 0 }
    }
}

/// One arm's persons grouped by identical score (propensity score), the groups sorted by score, with each group's
/// ``Moments`` (stored by field: counts, means and comoments in flat arrays). Nearest-neighbour sets with ties are
/// unions of whole groups, so every quantity the matching estimator needs (a match's mean outcome, a same-arm
/// conditional variance, a local covariance, how often a person is used) is computed per group: the cost of a
/// lookup does not grow with the size of the tie groups, and a score with few distinct values (only discrete
/// covariates) on a large register stays `O(n log n)`.
///
/// - Complexity: `O(n log n + n q)` to build; `O(log G + groups visited)` per lookup.
struct ScoreGroupIndex {
    /// Distinct scores, ascending.
    let scores: [Double]
    /// The group of each person of the arm (by person index; -1 for persons of the other arm).
    let groupOf: [Int]
    /// Columns of `z`.
    let columns: Int
    /// Per group: persons, mean and centred sum of squares of `y`.
    let count: [Double]
    let meanY: [Double]
    let m2Y: [Double]
    /// Per group `g`, column `k` at `g * columns + k`: mean of `z_k`, `sum (z_k - mean)(y - mean)`.
    let meanZ: [Double]
    let cZY: [Double]

    /// Persons in the arm.
    var personCount: Int { Int(count.reduce(0, +)) }

    /// - Parameters: persons of the arm; `scores`, `y`, and `z(i)` (the person's covariate row) for every person.
    init(persons: [Int], scores p: [Double], y: [Double], z: (Int) -> [Double], totalPersons: Int) {
        let q = persons.first.map { z($0).count } ?? 0
        self.init(persons: persons, scores: p, y: y, columns: q, totalPersons: totalPersons) { i, row in
            let v = z(i)
            for k in 0..<q { row[k] = v[k] }
        }
    }

    /// The estimator's form: `z` is `design`'s `columns` (no array per person).
    init(persons: [Int], scores p: [Double], y: [Double], design: Matrix, columns cols: [Int], totalPersons: Int) {
        let n = design.rows
        let storage = design.storage
        self.init(persons: persons, scores: p, y: y, columns: cols.count, totalPersons: totalPersons) { i, row in
            for (k, j) in cols.enumerated() { row[k] = storage[j * n + i] }
        }
    }

    /// Sorts the persons by (score, index) and folds each into its group as ``Moments/merge(_:)`` of one person.
    private init(persons: [Int], scores p: [Double], y: [Double], columns q: Int, totalPersons: Int,
                 row: (Int, inout [Double]) -> Void) {
        let sorted = persons.sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var s: [Double] = [], cnt: [Double] = [], my: [Double] = [], m2: [Double] = [], mz: [Double] = [], cz: [Double] = []
        s.reserveCapacity(persons.count); cnt.reserveCapacity(persons.count); my.reserveCapacity(persons.count)
        m2.reserveCapacity(persons.count); mz.reserveCapacity(persons.count * q); cz.reserveCapacity(persons.count * q)
        var of = [Int](repeating: -1, count: totalPersons)
        var zi = [Double](repeating: 0, count: q)
        for i in sorted {
            row(i, &zi)
            if s.last != p[i] {
                s.append(p[i]); cnt.append(1); my.append(y[i]); m2.append(0)
                mz.append(contentsOf: zi); cz.append(contentsOf: repeatElement(0, count: q))
            } else {
                // Moments.merge with b = the person (n 1, mean y, no spread).
                let g = s.count - 1, base = g * q
                let total = cnt[g] + 1
                let dy = y[i] - my[g]
                let f = cnt[g] * 1 / total
                m2[g] += 0 + dy * dy * f
                for k in 0..<q {
                    let dz = zi[k] - mz[base + k]
                    cz[base + k] += 0 + dz * dy * f
                    mz[base + k] += dz * 1 / total
                }
                my[g] += dy * 1 / total
                cnt[g] = total
            }
            of[i] = s.count - 1
        }
        scores = s
        groupOf = of
        columns = q
        count = cnt
        meanY = my
        m2Y = m2
        meanZ = mz
        cZY = cz
    }

    /// The moments of group `g`.
    func moments(ofGroup g: Int) -> Moments {
        var m = Moments(columns: columns)
        m.n = count[g]
        m.meanY = meanY[g]
        m.m2Y = m2Y[g]
        m.meanZ = Array(meanZ[(g * columns)..<((g + 1) * columns)])
        m.cZY = Array(cZY[(g * columns)..<((g + 1) * columns)])
        return m
    }

    /// The result of a walk: the groups visited are `lo..<hi` (all chosen but an emptied `excluding` group), holding
    /// `persons` persons (less the excluded one), the last one at `distance`; `persons == 0` when the arm has fewer
    /// than `m` such persons.
    struct Walk {
        var lo: Int, hi: Int, persons: Int, distance: Double
    }

    /// Walks outwards from `score` over whole groups by distance until they hold at least `m` persons, plus every
    /// further group at the last distance, calling `visit` on each chosen group in the order taken.
    /// `excluding`: that group counts one person fewer (the person itself); a group left empty is skipped.
    func walk(to score: Double, m: Int, excluding: Int = -1, _ visit: (Int) -> Void) -> Walk {
        let g = scores.count
        var lo = 0, hi = g
        while lo < hi {
            let mid = (lo + hi) / 2
            if scores[mid] < score { lo = mid + 1 } else { hi = mid }
        }
        var left = lo - 1, right = lo
        var persons = 0
        var last = 0.0
        while left >= 0 || right < g {
            let dl = left >= 0 ? score - scores[left] : .infinity
            let dr = right < g ? scores[right] - score : .infinity
            let d = Swift.min(dl, dr)
            if persons >= m && d > last { break }
            let k = dl <= dr ? left : right
            if dl <= dr { left -= 1 } else { right += 1 }
            let size = Int(count[k]) - (k == excluding ? 1 : 0)
            guard size > 0 else { continue }
            visit(k)
            persons += size
            last = d
        }
        return persons >= m ? Walk(lo: left + 1, hi: right, persons: persons, distance: last) : Walk(lo: 0, hi: 0, persons: 0, distance: .infinity)
    }

    /// The groups of the `m` persons nearest to `score`, ties at the `m`-th distance included (see ``walk(to:m:excluding:_:)``).
    /// Returns the groups, the persons they hold (less the excluded one) and the `m`-th distance; no groups and
    /// `infinity` when the arm has fewer than `m` such persons.
    func nearest(to score: Double, m: Int, excluding: Int? = nil) -> (groups: [Int], persons: Int, distance: Double) {
        var chosen: [Int] = []
        let w = walk(to: score, m: m, excluding: excluding ?? -1) { chosen.append($0) }
        return w.persons > 0 ? (chosen, w.persons, w.distance) : ([], 0, .infinity)
    }

    /// The moments of the given groups together.
    func moments(of groups: [Int]) -> Moments {
        var out = Moments(columns: columns)
        for k in groups { out.merge(moments(ofGroup: k)) }
        return out
    }
}
