import Foundation
import ETWFE
import Regression

/// The JSON result of `didkit etwfe` (shared/cli-contract.md, section `didkit etwfe`): the keys of
/// `attgt` (``ATTGTDocument``) with `"estimator": "etwfe"` and `"family"`; for the logit every
/// `attgt` cell also carries `"oddsRatio"`, `"oddsRatioCILower"`, `"oddsRatioCIUpper"` (exp of the
/// cell's treatment coefficient and of its Wald interval). `method` is the regression behind the
/// estimates (`ols` or `logit`); `preTest` is the Wald test that every pre-treatment cell's
/// coefficient is 0 (control `never` only, else null). A non-finite number is `null`; a cell or
/// effect resting on fewer than `disclosure.minimumCellSize` treated persons has every number `null`
/// and `"suppressed": true` (the contract's disclosure rule).
///
/// Numbers are on the effect tables' scale: outcome units, or percentage points for a 0/1 outcome.
public struct ETWFEDocument: Encodable, Sendable {
    public typealias Cell = ATTGTDocument.Cell

    public var estimator = "etwfe"
    public var family: String
    public var method: String
    public var control: String
    public var units: Int
    public var observations: Int
    public var attgt: [Cell]
    public var preTest: ATTGTDocument.PreTest?
    public var aggregates: [ATTGTDocument.Aggregate]
    /// As ``ATTGTDocument/notes``: the ATT(g,t) table's notes, counts below the minimum cell size as `<K`.
    public var notes: [String]
    /// As ``ATTGTDocument/totalsSuppressed``.
    public var totalsSuppressed: Bool?
    /// The minimum cell size the document was gated at (`didkit table` refuses to show it under a larger one).
    public var minimumCellSize = 5

    enum CodingKeys: String, CodingKey {
        case estimator, family, method, control, units, observations, attgt, preTest, aggregates, notes, totalsSuppressed, minimumCellSize
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimator, forKey: .estimator)
        try c.encode(family, forKey: .family)
        try c.encode(method, forKey: .method)
        try c.encode(control, forKey: .control)
        try c.encode(units, forKey: .units)
        try c.encode(observations, forKey: .observations)
        try c.encode(attgt, forKey: .attgt)
        try c.encode(preTest, forKey: .preTest)
        try c.encode(aggregates, forKey: .aggregates)
        try c.encode(notes, forKey: .notes)
        try c.encodeIfPresent(totalsSuppressed, forKey: .totalsSuppressed)
        try c.encode(minimumCellSize, forKey: .minimumCellSize)
    }

    /// The tables behind the document (for the text, Markdown, CSV and LaTeX renderings).
    public let effects: ETWFEEffects
    public let aggregations: [ETWFEAggregation]
    public let disclosure: DisclosureControl

    /// Builds the document from a fit under one inference.
    /// - Throws: ``ETWFEError`` (clusters, no estimable cell).
    public init(_ fit: ETWFEFit, vce: VCEKind = .cluster, level: Double = 95,
                aggregations: [ETWFEAggregation] = ETWFEAggregation.allCases, disclosure: DisclosureControl = DisclosureControl()) throws {
        var e = try fit.effects(vce: vce, level: level)
        // Secondary suppression of the aggregates (GroupTimeDisclosure): the simple ATT is the group
        // aggregation's overall, so it goes with the other averages across groups.
        if e.attgt.rows.contains(where: { !$0.isReference && ($0.persons ?? 0) < disclosure.minimumCellSize }) {
            for (type, table) in e.aggregates { e.aggregates[type] = GroupTimeDisclosure.gate(table, combinesGroups: type != .group) }
        }
        effects = e
        self.aggregations = aggregations
        self.disclosure = disclosure
        family = fit.family.rawValue
        method = fit.family == .logit ? "logit" : "ols"
        control = fit.control.rawValue
        units = fit.panel.unitCount
        observations = fit.observations
        let k = disclosure.minimumCellSize
        minimumCellSize = k
        notes = GroupTimeDisclosure.gatedNotes(e.attgt.notes, disclosure: disclosure)
        attgt = e.attgt.rows.map { r in
            var cell = Cell(r, minimumCellSize: k)
            let s = cell.suppressed
            if let ors = e.oddsRatios {
                let o = ors.row(group: r.label.group, time: r.label.time)
                cell.oddsRatio = .some(s ? nil : o.flatMap { finite($0.estimate) })
                cell.oddsRatioCILower = .some(s ? nil : o?.ciLower.flatMap(finite))
                cell.oddsRatioCIUpper = .some(s ? nil : o?.ciUpper.flatMap(finite))
            }
            return cell
        }
        // Pre-test (never controls): every pre-treatment cell's treatment coefficient is 0.
        preTest = nil
        if fit.control == .never {
            let pre = fit.panel.cells.filter { !$0.isPostTreatment }.map(ETWFEDesign.treatmentName).filter(fit.names.contains)
            if !pre.isEmpty, let v = try? fit.covariance(vce),
               let w = try? CoefficientTable(names: fit.names, coefficients: fit.coefficients, covariance: v, vce: vce.rawValue,
                                             clusters: nil, level: level, distribution: .normal, reportsOddsRatios: false).waldTest(pre) {
                preTest = ATTGTDocument.PreTest(statistic: finite(w.chi2), df: w.df, pValue: finite(w.pValue))
            }
        }
        // As ATTGTDocument: the totals when a cohort (the never treated included) is small, the pre-test when a cell is.
        var sizes: [Int: Int] = [:]
        for g in fit.panel.groups { sizes[g, default: 0] += 1 }
        if GroupTimeDisclosure.hasSmallGroup(sizes.values, minimumCellSize: k) {
            units = 0; observations = 0; totalsSuppressed = true
            notes.append(GroupTimeDisclosure.totalsNote)
        }
        if preTest != nil && e.attgt.rows.contains(where: { !$0.isReference && ($0.persons ?? 0) < k }) {
            preTest = nil
            notes.append(GroupTimeDisclosure.preTestNote)
        }
        let overallEffect = e.overall
        aggregates = aggregations.map { type in
            let table = e.aggregate(type)
            let keyName: String
            switch type {
            case .event: keyName = "event"
            case .group: keyName = "group"
            case .calendar, .simple: keyName = "time"
            }
            let rows = type == .simple ? [] : table.rows.map { ATTGTDocument.AggregateEffect($0, keyName: keyName, minimumCellSize: k) }
            return ATTGTDocument.Aggregate(type: type.rawValue, overall: ATTGTDocument.Overall(overallEffect, minimumCellSize: k),
                                           effects: rows, uniformBand: false)
        }
    }

    public func json() throws -> String { try encodeJSON(self) }

    /// The report tables: ATT(g,t) (with odds ratios for the logit), then each aggregation with the
    /// overall (simple) ATT last. Notes pass the disclosure gate's count filter.
    public func reportTables() -> [ReportTable] {
        let f = GroupTimeRowFormat(disclosure: disclosure)
        let t = effects.attgt
        var columns = f.columns("Group, time", t)
        if effects.oddsRatios != nil { columns += ["Odds ratio", "[\(GroupTimeRowFormat.levelText(t.level))% conf. interval]"] }
        var suppressedAny = false
        let cellRows: [[String]] = t.rows.map { e in
            var r = f.row("g=\(e.label.group ?? 0) t=\(e.label.time ?? 0)", e)
            let hidden = f.hidden(e)
            if hidden { suppressedAny = true }
            if let ors = effects.oddsRatios {
                let o = ors.row(group: e.label.group, time: e.label.time)
                r += [f.number(o?.estimate, hidden: hidden), f.interval(o?.ciLower, o?.ciUpper, hidden: hidden)]
            }
            return r
        }
        let totals = GroupTimeDisclosure.totalsText(units: units, observations: observations, suppressed: totalsSuppressed)
        var first = ReportTable(title: t.title + "    " + totals, columns: columns, rows: cellRows, notes: notes)
        if let p = preTest {
            first.notes.append("Pre-test (Wald, every pre-treatment cell's coefficient = 0): chi2(\(p.df)) = \(Format.fixed(p.statistic ?? .nan, 3)), p = \(Format.pValue(p.pValue ?? .nan))")
        }
        var tables = [first]
        for type in aggregations {
            let a = effects.aggregate(type)
            var rows: [[String]] = type == .simple ? [] : a.rows.map { e in
                if f.hidden(e) { suppressedAny = true }
                switch type {
                case .event: return f.row(EffectLabel.eventText(e.label.event ?? 0), e)
                case .group: return f.row("group \(e.label.group ?? 0)", e)
                default: return f.row("time \(e.label.time ?? 0)", e)
                }
            }
            var rules: Set<Int> = []
            if let o = effects.overall {
                if !rows.isEmpty { rules.insert(rows.count - 1) }
                if f.hidden(o) { suppressedAny = true }
                rows.append(f.row("overall", o))
            }
            tables.append(ReportTable(title: a.title, columns: f.columns(type == .simple ? "" : type.rawValue, t),
                                      rows: rows, notes: a.notes, rulesAfter: rules))
        }
        if suppressedAny { tables[tables.count - 1].notes.append(disclosure.note) }
        return tables
    }
}
