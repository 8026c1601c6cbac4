import Distributions
import Estimation
import Linalg

/// One `aggte` aggregation as the shared result vocabulary: the per-event/group/period effects
/// (``EffectTable``, `uniformBand` when the intervals are simultaneous bootstrap bands) and the overall.
public struct StaggeredAggregate: Sendable, Equatable {
    public let type: AggregationType
    /// The overall estimate (pointwise interval); nil when nothing could be aggregated.
    public let overall: Effect?
    /// The effects (for `simple`, the one overall row).
    public let table: EffectTable

    public init(type: AggregationType, overall: Effect?, table: EffectTable) {
        self.type = type
        self.overall = overall
        self.table = table
    }
}

extension GroupTimeATT {
    /// The table's scale: percentage points (estimates x 100) for a 0/1 outcome, else the outcome's units.
    public var scale: EffectScale { isBinaryOutcome ? .percentagePoints : .outcomeUnits }

    var bootstrap: MultiplierBootstrap? {
        options.bootstrap > 0 ? MultiplierBootstrap(replications: options.bootstrap, seed: options.seed, weights: options.weights) : nil
    }

    var vceName: String {
        let unit = clusters == nil ? "cluster(unit)" : "cluster(\(clusterCount) clusters)"
        return options.bootstrap > 0 ? "bootstrap \(unit)" : unit
    }

    /// What the SEs are clustered by: "unit", "'county' (29 clusters)" or "the cluster ids (29 clusters)".
    var clusteredBy: String {
        guard clusters != nil else { return "unit" }
        return "\(clusterName.map { "'\($0)'" } ?? "the cluster ids") (\(clusterCount) clusters)"
    }

    var commonNotes: [String] {
        var n = ["Callaway & Sant'Anna (2021) ATT(g,t), method \(options.method.rawValue), comparison \(options.control == .never ? "never treated" : "not yet treated"), base period \(options.basePeriod.rawValue), anticipation \(options.anticipation)"]
        if options.bootstrap > 0 {
            n.append("SEs from a multiplier bootstrap (\(options.bootstrap) replications, \(options.weights.rawValue) weights, seed \(options.seed)), clustered by \(clusteredBy)")
        } else {
            n.append("analytic SEs from the influence functions, clustered by \(clusteredBy)")
        }
        if isBinaryOutcome { n.append("0/1 outcome: effects in percentage points (the ATT on the probability scale x 100)") }
        return n + notes
    }

    /// Builds effects from estimates, SEs and a critical value, on the table's scale.
    func effects(_ labels: [EffectLabel], _ atts: [Double], _ ses: [Double?], critical: Double, persons: [Int],
                 references: [Bool]? = nil) -> [Effect] {
        let k: Double = isBinaryOutcome ? 100 : 1
        return labels.indices.map { a in
            if references?[a] == true {
                var e = Effect.reference(labels[a], scale: scale)
                e.persons = persons[a]
                return e
            }
            let b = atts[a]
            guard let se = ses[a] else { return Effect(label: labels[a], estimate: b * k, persons: persons[a]) }
            let e = Effect(label: labels[a], estimate: b, standardError: se, ciLower: b - critical * se, ciUpper: b + critical * se,
                           pValue: ReferenceDistribution.normal.pValue(b / se), persons: persons[a])
            return e.scaled(by: k)
        }
    }

    /// SEs and the critical value for estimates with basis coefficients `coefs` (``InfluenceBasis``):
    /// analytic (normal, pointwise, as R did) or multiplier bootstrap (bootstrap SEs, simultaneous
    /// sup-t band when `band` and there is more than one).
    func inference(_ coefs: [[Double]], band: Bool) -> (ses: [Double?], critical: Double, uniform: Bool) {
        let pointwise = ReferenceDistribution.normal.critical(level: options.level)
        guard let boot = bootstrap, let t = basis.draws else {
            return (coefs.map { basis.standardError($0) }, pointwise, false)
        }
        let r = boot.summarize(t, coefs: coefs, units: units, level: options.level)
        if band, coefs.count > 1, let c = r.critical { return (r.standardErrors, c, true) }
        return (r.standardErrors, pointwise, false)
    }

    /// ATT(g,t) for every cell: `EffectLabel(group:time:event:)`, `persons` = units of group g; with a bootstrap
    /// the intervals are a simultaneous band over all non-reference cells (R did's `cband = TRUE`).
    public func attgtTable() -> EffectTable {
        let live = cells.indices.filter { !cells[$0].isReference }
        let inf = inference(live.map { basis.cell($0) }, band: true)
        var ses = [Double?](repeating: nil, count: cells.count)
        for (a, c) in live.enumerated() { ses[c] = inf.ses[a] }
        let labels = cells.map { EffectLabel(group: $0.group, time: $0.time, event: $0.event) }
        let rows = effects(labels, cells.map(\.att), ses, critical: inf.critical, persons: cells.map(\.treatedUnits),
                           references: cells.map(\.isReference))
        var notes = commonNotes
        if options.basePeriod == .universal { notes.append("universal base period: the base period's own cell is the reference (0)") }
        if inf.uniform { notes.append("intervals are simultaneous (uniform) \(formatLevel(options.level))% bands over all ATT(g,t), sup-t critical value \(inf.critical)") }
        return EffectTable(title: "Group-time average treatment effects ATT(g,t)", scale: scale, level: options.level, vce: vceName,
                           rows: rows, uniformBand: inf.uniform, notes: notes)
    }

    /// The standard errors of the ATT(g,t) (nil for references and degenerate cells), on the estimates' own scale.
    public var standardErrors: [Double?] {
        cells.indices.map { cells[$0].isReference ? nil : basis.standardError(basis.cell($0)) }
    }

    /// One aggregation of `did::aggte`, see ``Aggregator``.
    public func aggregate(_ type: AggregationType) -> StaggeredAggregate {
        let (parts, overall) = Aggregator(self).aggregate(type)
        let labels: [EffectLabel] = parts.map { p in
            switch type {
            case .simple: return EffectLabel(name: "overall")
            case .dynamic: return EffectLabel(event: p.key)
            case .group: return EffectLabel(group: p.key)
            case .calendar: return EffectLabel(time: p.key)
            }
        }
        let inf = inference(parts.map(\.coefficients), band: type != .simple)
        let rows = effects(labels, parts.map(\.att), inf.ses, critical: inf.critical, persons: parts.map(\.persons),
                           references: parts.map(\.isReference))
        var overallEffect: Effect?
        if let o = overall {
            let oi = inference([o.coefficients], band: false)
            overallEffect = effects([EffectLabel(name: "overall")], [o.att], oi.ses, critical: oi.critical, persons: [o.persons]).first
        }
        var notes = commonNotes
        notes.append("aggregation \(type.rawValue) as did::aggte; SEs include the estimation of the weights (group shares)")
        if inf.uniform { notes.append("intervals are simultaneous (uniform) \(formatLevel(options.level))% bands, sup-t critical value \(inf.critical)") }
        let title: String
        switch type {
        case .simple: title = "Overall ATT (simple: post-treatment cells weighted by group size)"
        case .dynamic: title = "ATT by event time (dynamic)"
        case .group: title = "ATT by group"
        case .calendar: title = "ATT by calendar period"
        }
        let table = EffectTable(title: title, scale: scale, level: options.level, vce: vceName, rows: rows, uniformBand: inf.uniform, notes: notes)
        return StaggeredAggregate(type: type, overall: overallEffect, table: table)
    }

    /// The Wald pre-test that every pre-treatment ATT(g,t) (`t < g`, non-reference) is zero, from
    /// the influence-function covariance; nil when there is no pre-treatment cell or the covariance is singular.
    public func preTest() -> WaldPreTest? {
        let pre = cells.indices.filter { !cells[$0].isPostTreatment && !cells[$0].isReference }
        if pre.isEmpty { return nil }
        let v = basis.covariance.selecting(rows: pre, columns: pre)
        let a = pre.map { cells[$0].att }
        guard let chol = try? CholeskyFactor(v) else { return nil }
        // Reject a numerically singular V (R did: rcond <= eps).
        let d = v.diagonal
        guard let dmax = d.max(), dmax > 0, chol.upper.diagonal.allSatisfy({ $0 * $0 > 1e-12 * dmax }) else { return nil }
        let w = dot(a, chol.solve(a))
        let q = pre.count
        return WaldPreTest(statistic: w, degreesOfFreedom: q, pValue: ChiSquared(degreesOfFreedom: Double(q)).sf(w))
    }
}

func formatLevel(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
