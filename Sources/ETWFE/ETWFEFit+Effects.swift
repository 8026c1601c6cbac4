import RealModule
import Estimation
import Linalg

/// The effects of an ETWFE fit under one inference: the cell ATTs, for the logit
/// the cells' odds ratios, and the four aggregations, as ``EffectTable``s.
public struct ETWFEEffects: Sendable {
    /// ATT(g,t) on the outcome's scale: percentage points for a 0/1 outcome, else outcome units.
    public let attgt: EffectTable
    /// Logit only: `exp(delta_gt)` per cell with `exp` of its Wald interval (the effect at the
    /// cohort's mean covariates on the odds scale; not an average of anything, see Docs/NonlinearDiD.md).
    public let oddsRatios: EffectTable?
    /// The aggregations (emfx's `simple`, `group`, `calendar`, `event`): `simple` has one row (`name: "ATT"`).
    public var aggregates: [ETWFEAggregation: EffectTable]
    /// Cells with no estimate (their indicator was dropped), as (g, t).
    public let unestimableCells: [ETWFECell]

    public func aggregate(_ type: ETWFEAggregation) -> EffectTable {
        aggregates[type] ?? EffectTable(title: type.rawValue, scale: attgt.scale, level: attgt.level, vce: attgt.vce, rows: [])
    }
    /// The simple (overall) ATT.
    public var overall: Effect? { aggregates[.simple]?.rows.first }
}

extension ETWFEFit {
    /// The cells' ATTs and their gradients (with respect to the fit's coefficients), on the probability/outcome scale.
    ///
    /// `ATT_gt = (1/n_gt) sum_{i in (g,t)} [F(eta_i) - F(eta_i - tau_i)]`,
    /// gradient `(1/n_gt) sum [f(eta_i) x_i - f(eta_i - tau_i) x_i^0]` with `x_i^0` the row
    /// without the cell's treatment columns (`F` identity for OLS, where this is `delta_gt`
    /// plus `gamma_gt'` times the cell's mean centred covariates, 0 in a balanced panel).
    ///
    /// On the design's cell structure (``ETWFEDesign/cellLoadings``: row `x_i = A_gt z_i`,
    /// `z_i = (1, x_i)`): `eta_i = (A_gt' b) z_i`, `tau_i = (A_gt^D' b) z_i` (`A^D` the treatment
    /// columns' entries), and the gradient is `A^D (sum f(eta) z) + A^other (sum [f(eta) - f(eta - tau)] z)`,
    /// so each treated observation costs `O(q)`: `O(N_treated q + M e)` in all, `O(M p)` memory.
    func cellEstimates() -> (cells: [ETWFECell], att: [Double], gradient: [[Double]], unestimable: [ETWFECell]) {
        let fitNames = names
        var index: [String: Int] = [:]
        for (k, n) in fitNames.enumerated() { index[n] = k }
        let fitIndex = design.names.map { index[$0] ?? -1 }
        let b = fitIndex.map { $0 >= 0 ? coefficients[$0] : 0 }  // per design column, 0 if omitted
        let logit = family == .logit
        let loadings = design.cellLoadings
        let q = loadings.factorCount, k = q - 1, nT = panel.periodCount
        var cells: [ETWFECell] = [], att: [Double] = [], grads: [[Double]] = [], bad: [ETWFECell] = []
        var unitsOfCohort = [[Int]](repeating: [], count: panel.treatedCohorts.count)
        for i in 0..<panel.unitCount where panel.cohortIndex[i] >= 0 { unitsOfCohort[panel.cohortIndex[i]].append(i) }
        var z = [Double](repeating: 1, count: q)
        for (m, cell) in panel.cells.enumerated() {
            let col = design.treatmentColumn(cell: m)
            guard fitIndex[col] >= 0 else { bad.append(cell); continue }
            let cellColumns = col...(col + k)
            let entries = loadings.cells[(cell.cohortIndex + 1) * nT + cell.periodIndex]
            var full = [Double](repeating: 0, count: q), treatment = full
            for e in entries {
                full[e.factor] += e.coefficient * b[e.column]
                if cellColumns.contains(e.column) { treatment[e.factor] += e.coefficient * b[e.column] }
            }
            var sum = 0.0, count = 0
            var treated = [Double](repeating: 0, count: q), difference = treated  // sum f1 z, sum (f1 - f0) z
            for i in unitsOfCohort[cell.cohortIndex] {
                for j in 0..<k { z[1 + j] = panel.covariates[i, j] }
                var eta = 0.0, tau = 0.0
                for l in 0..<q { eta += full[l] * z[l]; tau += treatment[l] * z[l] }
                let (f1, f0): (Double, Double)
                if logit {
                    let p1 = 1 / (1 + Double.exp(-eta)), p0 = 1 / (1 + Double.exp(-(eta - tau)))
                    sum += p1 - p0
                    f1 = p1 * (1 - p1); f0 = p0 * (1 - p0)
                } else {
                    sum += tau
                    f1 = 1; f0 = 1
                }
                count += 1
                for l in 0..<q { treated[l] += f1 * z[l]; difference[l] += (f1 - f0) * z[l] }
            }
            guard count > 0 else { bad.append(cell); continue }
            var g = [Double](repeating: 0, count: fitNames.count)
            for e in entries where fitIndex[e.column] >= 0 {
                g[fitIndex[e.column]] += e.coefficient * (cellColumns.contains(e.column) ? treated[e.factor] : difference[e.factor])
            }
            let w = 1 / Double(count)
            cells.append(cell)
            att.append(sum * w)
            grads.append(g.map { $0 * w })
        }
        return (cells, att, grads, bad)
    }

    /// The effects under `vce` (default: clustered by person, or by the named cluster column)
    /// at `level` percent, with normal (z) intervals as `marginaleffects`/`emfx`.
    ///
    /// Delta method: `Var(ATT) = g' V g` with `g` the gradient above and `V` the coefficient
    /// covariance; an aggregate `sum_c w_c ATT_c` (`w_c = n_c / sum n`, the cell sizes, weights
    /// taken as fixed as emfx does) has gradient `sum_c w_c g_c`.
    /// Complexity: the cells' pass plus `O(A p^2)` for `A` reported effects.
    /// - Throws: ``ETWFEError`` (clusters, or no estimable cell).
    public func effects(vce: VCEKind = .cluster, level: Double = 95) throws -> ETWFEEffects {
        let v = try covariance(vce)
        let est = cellEstimates()
        if est.cells.isEmpty { throw ETWFEError.noEstimableCells }
        let binary = panel.isBinaryOutcome
        let scale: EffectScale = binary ? .percentagePoints : .outcomeUnits
        let k = binary ? 100.0 : 1.0
        var notes = notes
        if binary { notes.append("effects in percentage points (100 x difference of probabilities)") }
        for c in est.unestimable {
            notes.append("cell group \(c.group), time \(c.time): no estimate (its treatment indicator was dropped; see the notes above)")
        }
        notes.append("\(family == .logit ? "logit" : "linear") ETWFE, \(control == .notyet ? "not-yet-treated" : "never-treated") controls; delta-method SEs (\(vce.rawValue)); z intervals")
        func effect(_ label: EffectLabel, _ att: Double, _ g: [Double], persons: Int) -> Effect {
            Effect.wald(label, estimate: att, variance: v.quadraticForm(g), distribution: .normal, level: level, persons: persons)
                .scaled(by: k)
        }
        let rows = est.cells.indices.map { m in
            effect(EffectLabel(group: est.cells[m].group, time: est.cells[m].time, event: est.cells[m].event), est.att[m], est.gradient[m],
                   persons: est.cells[m].persons)
        }
        let attgt = EffectTable(title: "ETWFE ATT(g,t)", scale: scale, level: level, vce: vce.rawValue, rows: rows, notes: notes)

        var oddsRatios: EffectTable?
        if family == .logit {
            var index: [String: Int] = [:]
            for (j, n) in names.enumerated() { index[n] = j }
            let b = coefficients
            let orRows: [Effect] = est.cells.compactMap { c in
                guard let j = index[ETWFEDesign.treatmentName(c)] else { return nil }
                return Effect.wald(EffectLabel(group: c.group, time: c.time, event: c.event), estimate: b[j], variance: v[j, j],
                                   distribution: .normal, level: level, persons: c.persons).exponentiated
            }
            oddsRatios = EffectTable(title: "ETWFE odds ratios exp(delta_gt)", scale: .oddsRatio, level: level, vce: vce.rawValue,
                                     rows: orRows, notes: ["odds ratio of the cell's treatment indicator at the cohort's mean covariates"])
        }

        // Aggregations: cell-size weights over the chosen cells.
        func combine(_ chosen: [Int], _ label: EffectLabel) -> Effect? {
            if chosen.isEmpty { return nil }
            let total = chosen.reduce(0.0) { $0 + Double(est.cells[$1].persons) }
            guard total > 0 else { return nil }
            var att = 0.0
            var g = [Double](repeating: 0, count: names.count)
            var cohorts = Set<Int>()
            for m in chosen {
                let w = Double(est.cells[m].persons) / total
                att += w * est.att[m]
                for j in g.indices { g[j] += w * est.gradient[m][j] }
                cohorts.insert(est.cells[m].cohortIndex)
            }
            let persons = cohorts.reduce(0) { acc, c in acc + (est.cells.first { $0.cohortIndex == c }?.persons ?? 0) }
            return effect(label, att, g, persons: persons)
        }
        let post = est.cells.indices.filter { est.cells[$0].isPostTreatment }
        var aggregates: [ETWFEAggregation: EffectTable] = [:]
        let aggNotes = ["aggregation weights: cell sizes (treated observations), as etwfe::emfx"]
        aggregates[.simple] = EffectTable(title: "ETWFE simple ATT", scale: scale, level: level, vce: vce.rawValue,
                                          rows: [combine(post, EffectLabel(name: "ATT"))].compactMap { $0 }, notes: aggNotes)
        let groups = Array(Set(post.map { est.cells[$0].group })).sorted()
        aggregates[.group] = EffectTable(title: "ETWFE ATT by group", scale: scale, level: level, vce: vce.rawValue,
                                         rows: groups.compactMap { g in combine(post.filter { est.cells[$0].group == g }, EffectLabel(group: g)) },
                                         notes: aggNotes)
        let times = Array(Set(post.map { est.cells[$0].time })).sorted()
        aggregates[.calendar] = EffectTable(title: "ETWFE ATT by calendar time", scale: scale, level: level, vce: vce.rawValue,
                                            rows: times.compactMap { t in combine(post.filter { est.cells[$0].time == t }, EffectLabel(time: t)) },
                                            notes: aggNotes)
        let all = Array(est.cells.indices)
        let events = Array(Set(all.map { est.cells[$0].event })).sorted()
        aggregates[.event] = EffectTable(title: "ETWFE ATT by event time", scale: scale, level: level, vce: vce.rawValue,
                                         rows: events.compactMap { e in combine(all.filter { est.cells[$0].event == e }, EffectLabel(event: e)) },
                                         notes: aggNotes)
        return ETWFEEffects(attgt: attgt, oddsRatios: oddsRatios, aggregates: aggregates, unestimableCells: est.unestimable)
    }
}
