/// One aggregated parameter: its estimate, its influence function as coefficients over the
/// ``InfluenceBasis`` (cells, then group indicators), and the persons it rests on.
struct AggregatedParameter: Sendable {
    var att: Double
    var coefficients: [Double]
    var persons: Int
    /// `event`, `group` or `time` value of the row (nil for the overall).
    var key: Int?
    /// Every cell behind it is a universal-base reference (the event time `-1 - K`): 0 by construction.
    var isReference = false
}

/// The aggregations of `did::aggte` (Callaway & Sant'Anna 2021, section 3), with the influence
/// function of every aggregate *including the estimation of its weights* (R did's `wif`).
///
/// Notation: cells `k` with `att_k` and influence function `psi_k`; `pg_k` the share of all `n`
/// units in cell k's group; for a set of cells `K` with weights `w_k = pg_k / sum_K pg`,
/// `theta = sum_K w_k att_k` and
/// `psi_theta = sum_K w_k psi_k + sum_K wif_k att_k`, where (R did's `wif`)
/// `wif_ik = (1{G_i = g_k} - pg_k) / sum_K pg - [sum_K' (1{G_i = g_k'} - pg_k')] pg_k / (sum_K pg)^2`.
///
/// - simple: post-treatment cells (`g <= t <= g + max_e`), weights by group size.
/// - dynamic: per event time `e` (in time units) the cells with `t - g = e`, weights by group size
///   (with `wif`); `balance_e` keeps only groups observed at least `balance_e` periods after treatment
///   and `e` in `[balance_e - (T_last - T_first), balance_e]`; `min_e <= e <= max_e`. Overall: the
///   plain mean over `e >= 0` (its IF the mean of the per-`e` IFs, no further `wif`).
/// - group: per group the plain mean of its post cells (`t <= g + max_e`); overall: weighted by
///   group size over groups, with `wif`.
/// - calendar: per period `t >= min g` the post cells at `t`, weights by group size (with `wif`);
///   overall: the plain mean over periods.
///
/// Complexity: `O(K w)` per aggregate (`w` basis columns); no `n`-vector is formed.
struct Aggregator {
    let estimates: GroupTimeATT
    let basis: InfluenceBasis
    /// `pg` per group value: share of the sample's units in the group.
    let share: [Int: Double]
    let groupSize: [Int: Int]

    init(_ estimates: GroupTimeATT) {
        self.estimates = estimates
        self.basis = estimates.basis
        groupSize = estimates.groupSizes
        let n = Double(estimates.units)
        share = groupSize.mapValues { Double($0) / n }
    }

    /// Weighted combination with the weight-estimation term: cells `keep`.
    func combine(_ keep: [Int], key: Int?) -> AggregatedParameter? {
        if keep.isEmpty { return nil }
        let cells = estimates.cells
        let pg = keep.map { share[cells[$0].group] ?? 0 }
        let total = pg.reduce(0, +)
        var att = 0.0
        var psi = [Double](repeating: 0, count: basis.width)
        for (a, c) in keep.enumerated() {
            let w = pg[a] / total
            att += w * cells[c].att
            psi[c] += w
        }
        addWeightInfluence(&psi, groups: keep.map { cells[$0].group }, pg: pg, atts: keep.map { cells[$0].att })
        let persons = Set(keep.map { cells[$0].group }).reduce(0) { $0 + (groupSize[$1] ?? 0) }
        return AggregatedParameter(att: att, coefficients: psi, persons: persons, key: key,
                                   isReference: keep.allSatisfy { cells[$0].isReference })
    }

    /// Adds `sum_k wif_ik att_k` (R did's `wif` times the estimates) to basis coefficients: a function
    /// of unit i's group only, so a coefficient on each group's indicator column:
    /// `h(g) = (sum_{k: g_k = g} att_k - sum_k pg_k att_k) / total - (#{k: g_k = g} - total) sum_k pg_k att_k / total^2`
    /// (0 for a group without kept cells).
    func addWeightInfluence(_ psi: inout [Double], groups: [Int], pg: [Double], atts: [Double]) {
        let total = pg.reduce(0, +)
        var attOfGroup: [Int: Double] = [:]
        var countOfGroup: [Int: Double] = [:]
        for (a, g) in groups.enumerated() { attOfGroup[g, default: 0] += atts[a]; countOfGroup[g, default: 0] += 1 }
        let pgDotAtt = zip(pg, atts).reduce(0) { $0 + $1.0 * $1.1 }
        for g in basis.groups {
            guard let j = basis.indicatorColumn(g) else { continue }
            let ind = countOfGroup[g] ?? 0           // number of kept cells of group g
            let indAtt = attOfGroup[g] ?? 0          // sum of their att
            let if1 = (indAtt - pgDotAtt) / total
            let if2 = (ind - total) * pgDotAtt / (total * total)
            psi[j] += if1 - if2
        }
    }

    /// Plain mean of parameters (no weight estimation).
    func mean(_ parts: [AggregatedParameter], persons: Int) -> AggregatedParameter? {
        if parts.isEmpty { return nil }
        let m = Double(parts.count)
        var psi = [Double](repeating: 0, count: basis.width)
        for p in parts { for j in psi.indices { psi[j] += p.coefficients[j] / m } }
        return AggregatedParameter(att: parts.reduce(0) { $0 + $1.att } / m, coefficients: psi, persons: persons, key: nil)
    }

    func aggregate(_ type: AggregationType) -> (effects: [AggregatedParameter], overall: AggregatedParameter?) {
        let cells = estimates.cells
        let o = estimates.options
        let maxE = o.maxEvent ?? Int.max
        let minE = o.minEvent ?? Int.min
        let allPersons = groupSize.filter { $0.key != 0 }.reduce(0) { $0 + $1.value }
        func inWindow(_ c: GroupTimeCell) -> Bool { maxE == Int.max || c.time - c.group <= maxE }
        switch type {
        case .simple:
            let keep = cells.indices.filter { cells[$0].group <= cells[$0].time && inWindow(cells[$0]) }
            let overall = combine(keep, key: nil)
            return (overall.map { [$0] } ?? [], overall)
        case .group:
            let groups = Array(Set(cells.map(\.group))).sorted()
            var parts: [AggregatedParameter] = []
            for g in groups {
                let which = cells.indices.filter { cells[$0].group == g && g <= cells[$0].time && inWindow(cells[$0]) }
                if let p = combine(which, key: g).map({ p -> AggregatedParameter in
                    // Within a group every cell has the same pg: the plain mean, and the wif term is 0.
                    var q = p
                    q.key = g
                    return q
                }) { parts.append(p) }
            }
            guard !parts.isEmpty else { return ([], nil) }
            // Overall: weighted by group shares, with wif over groups.
            let pg = parts.map { share[$0.key ?? 0] ?? 0 }
            let total = pg.reduce(0, +)
            var psi = [Double](repeating: 0, count: basis.width)
            var att = 0.0
            for (a, p) in parts.enumerated() {
                let w = pg[a] / total
                att += w * p.att
                for j in psi.indices { psi[j] += w * p.coefficients[j] }
            }
            addWeightInfluence(&psi, groups: parts.map { $0.key ?? 0 }, pg: pg, atts: parts.map(\.att))
            return (parts, AggregatedParameter(att: att, coefficients: psi, persons: allPersons, key: nil))
        case .dynamic:
            var include = [Bool](repeating: true, count: cells.count)
            var events = Array(Set(cells.map(\.event))).sorted()
            if let be = o.balanceEvent, let first = estimates.periods.first, let last = estimates.periods.last {
                include = cells.map { last - $0.group >= be }
                events = Array(Set(cells.indices.filter { include[$0] }.map { cells[$0].event })).sorted()
                events = events.filter { $0 <= be && $0 >= be - last + first }
            }
            events = events.filter { $0 >= minE && $0 <= maxE }
            var parts: [AggregatedParameter] = []
            for e in events {
                let which = cells.indices.filter { cells[$0].event == e && include[$0] }
                if let p = combine(which, key: e) { parts.append(p) }
            }
            let post = parts.filter { ($0.key ?? -1) >= 0 }
            let persons = Set(cells.indices.filter { include[$0] && cells[$0].event >= 0 && events.contains(cells[$0].event) }
                .map { cells[$0].group }).reduce(0) { $0 + (groupSize[$1] ?? 0) }
            return (parts, mean(post, persons: persons))
        case .calendar:
            guard let minG = cells.map(\.group).min() else { return ([], nil) }
            var parts: [AggregatedParameter] = []
            for t in estimates.periods where t >= minG {
                let which = cells.indices.filter { cells[$0].time == t && cells[$0].group <= t }
                if let p = combine(which, key: t) { parts.append(p) }
            }
            return (parts, mean(parts, persons: allPersons))
        }
    }
}
