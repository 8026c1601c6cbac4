import Foundation
import Staggered

/// The JSON result of `didkit attgt` (shared/cli-contract.md, section `didkit attgt`): the keys are the
/// contract's, every one always present; a non-finite or suppressed number is `null` (a suppressed
/// object also carries `"suppressed": true`, the disclosure rule of the contract).
///
/// Numbers are on the tables' scale: the outcome's units, or percentage points for a 0/1 outcome
/// (the notes of the text output say which).
public struct ATTGTDocument: Encodable, Sendable, Equatable {
    /// One ATT(g,t) cell of `attgt` and `etwfe` (the contract's keys). The odds-ratio keys are
    /// ETWFE's logit only: absent when the outer optional is nil, `null` when withheld.
    public struct Cell: Encodable, Sendable, Equatable {
        public var group: Int
        public var time: Int
        public var att: Double?
        public var standardError: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var units: Int?
        public var oddsRatio: Double?? = nil
        public var oddsRatioCILower: Double?? = nil
        public var oddsRatioCIUpper: Double?? = nil
        public var suppressed: Bool

        public init(group: Int, time: Int, att: Double?, standardError: Double?, ciLower: Double?, ciUpper: Double?, units: Int?,
                    suppressed: Bool) {
            self.group = group
            self.time = time
            self.att = att
            self.standardError = standardError
            self.ciLower = ciLower
            self.ciUpper = ciUpper
            self.units = units
            self.suppressed = suppressed
        }

        enum CodingKeys: String, CodingKey {
            case group, time, att, standardError, ciLower, ciUpper, units, oddsRatio, oddsRatioCILower, oddsRatioCIUpper, suppressed
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(group, forKey: .group)
            try c.encode(time, forKey: .time)
            try c.encode(att, forKey: .att)
            try c.encode(standardError, forKey: .standardError)
            try c.encode(ciLower, forKey: .ciLower)
            try c.encode(ciUpper, forKey: .ciUpper)
            try c.encode(units, forKey: .units)
            if let o = oddsRatio { try c.encode(o, forKey: .oddsRatio) }
            if let o = oddsRatioCILower { try c.encode(o, forKey: .oddsRatioCILower) }
            if let o = oddsRatioCIUpper { try c.encode(o, forKey: .oddsRatioCIUpper) }
            if suppressed { try c.encode(true, forKey: .suppressed) }
        }
    }

    public struct PreTest: Encodable, Sendable, Equatable {
        public var statistic: Double?
        public var df: Int
        public var pValue: Double?
        enum CodingKeys: String, CodingKey { case statistic, df, pValue }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(statistic, forKey: .statistic)
            try c.encode(df, forKey: .df)
            try c.encode(pValue, forKey: .pValue)
        }
    }

    public struct Overall: Encodable, Sendable, Equatable {
        public var att: Double?
        public var standardError: Double?
        public var suppressed: Bool
        enum CodingKeys: String, CodingKey { case att, standardError, suppressed }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(att, forKey: .att)
            try c.encode(standardError, forKey: .standardError)
            if suppressed { try c.encode(true, forKey: .suppressed) }
        }
    }

    public struct AggregateEffect: Encodable, Sendable, Equatable {
        /// `event`, `group` or `time`, by the aggregate's type.
        public var keyName: String
        public var key: Int
        public var att: Double?
        public var standardError: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var suppressed: Bool

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(key, forKey: Key(keyName))
            try c.encode(att, forKey: Key("att"))
            try c.encode(standardError, forKey: Key("standardError"))
            try c.encode(ciLower, forKey: Key("ciLower"))
            try c.encode(ciUpper, forKey: Key("ciUpper"))
            if suppressed { try c.encode(true, forKey: Key("suppressed")) }
        }
    }

    public struct Aggregate: Encodable, Sendable, Equatable {
        public var type: String
        public var overall: Overall
        public var effects: [AggregateEffect]
        public var uniformBand: Bool
    }

    public var estimator = "callaway-santanna"
    public var method: String
    public var control: String
    public var units: Int
    public var observations: Int
    public var attgt: [Cell]
    public var preTest: PreTest?
    public var aggregates: [Aggregate]
    /// What was done to the data and how the SEs were made (rows and units left out, clusters), as the text
    /// output's notes, counts below the minimum cell size shown as `<K` (``DisclosureControl/gatingCounts(in:)``).
    /// A key beyond the contract's (scripts that read only the contract's keys are unaffected).
    public var notes: [String]
    /// True when `units` and `observations` are withheld (then 0): some group, the never treated included, holds
    /// fewer than K units, and the totals beside the other groups' published counts would give it back. Absent
    /// otherwise.
    public var totalsSuppressed: Bool?
    /// The minimum cell size the document was gated at (`didkit table` refuses to show it under a larger one).
    public var minimumCellSize = 5

    enum CodingKeys: String, CodingKey {
        case estimator, method, control, units, observations, attgt, preTest, aggregates, notes, totalsSuppressed, minimumCellSize
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimator, forKey: .estimator)
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

    /// The tables behind the document (kept for the text, Markdown, CSV and LaTeX renderings).
    public let attgtTable: EffectTable
    public let aggregateResults: [StaggeredAggregate]
    public let disclosure: DisclosureControl

    /// Builds the document from an estimate: the ATT(g,t) table, the requested aggregations and the pre-test.
    /// Cells and effects resting on fewer than `disclosure.minimumCellSize` treated persons are suppressed.
    public init(_ est: GroupTimeATT, aggregations: [AggregationType] = AggregationType.allCases,
                disclosure: DisclosureControl = DisclosureControl()) {
        var table = est.attgtTable()
        // A cell rests on its comparison units too (the never treated, or the not yet treated of that cell): a cell
        // with fewer than K of them is withheld, and every average, a group's own included, would give it back.
        let k = disclosure.minimumCellSize
        let smallComparison = Set(est.cells.filter { !$0.isReference && $0.comparisonUnits > 0 && $0.comparisonUnits < k }
            .map { [$0.group, $0.time] })
        let comparisonSmall = !smallComparison.isEmpty
        table.rows = table.rows.map { r in
            guard !r.isReference, let g = r.label.group, let t = r.label.time, smallComparison.contains([g, t]) else { return r }
            return GroupTimeDisclosure.withheld(r)
        }
        let anyCellHidden = table.rows.contains { !$0.isReference && ($0.persons ?? 0) < disclosure.minimumCellSize }
        let aggs = aggregations.map { type -> StaggeredAggregate in
            let a = est.aggregate(type)
            guard anyCellHidden else { return a }
            return StaggeredAggregate(type: a.type, overall: a.overall.map(GroupTimeDisclosure.withheld),
                                      table: GroupTimeDisclosure.gate(a.table, combinesGroups: comparisonSmall || a.type != .group))
        }
        self.attgtTable = table
        self.aggregateResults = aggs
        self.disclosure = disclosure
        method = est.options.method.rawValue
        control = est.options.control.rawValue
        units = est.units
        observations = est.observations
        minimumCellSize = k
        notes = GroupTimeDisclosure.gatedNotes(table.notes, disclosure: disclosure)
        attgt = table.rows.map { Cell($0, minimumCellSize: k) }
        preTest = est.preTest().map { PreTest(statistic: finite($0.statistic), df: $0.degreesOfFreedom, pValue: finite($0.pValue)) }
        if comparisonSmall {
            notes.append("\(smallComparison.count) group-time cell\(smallComparison.count == 1 ? "" : "s") withheld by disclosure control: the comparison units hold fewer than \(k) units, on which the ATT(g,t) rests; the averages are withheld with them")
        }
        if GroupTimeDisclosure.hasSmallGroup(est.groupSizes.values, minimumCellSize: k) {
            units = 0; observations = 0; totalsSuppressed = true
            notes.append(GroupTimeDisclosure.totalsNote)
        }
        // The Wald pre-test sums every pre-treatment cell's z^2: with one cell withheld, the published others give
        // its |z| back.
        if anyCellHidden && preTest != nil {
            preTest = nil
            notes.append(GroupTimeDisclosure.preTestNote)
        }
        aggregates = aggs.map { a in
            let keyName: String
            switch a.type {
            case .dynamic: keyName = "event"
            case .group: keyName = "group"
            case .calendar, .simple: keyName = "time"
            }
            let effects = a.type == .simple ? [] : a.table.rows.map { AggregateEffect($0, keyName: keyName, minimumCellSize: k) }
            return Aggregate(type: a.type.rawValue, overall: Overall(a.overall, minimumCellSize: k), effects: effects,
                             uniformBand: a.table.uniformBand)
        }
    }

    public func json() throws -> String { try encodeJSON(self) }

    /// The report tables: ATT(g,t), then each aggregation (effects, then the overall under a rule), with the
    /// pre-test in the first table's notes.
    public func reportTables() -> [ReportTable] {
        let f = GroupTimeRowFormat(disclosure: disclosure)
        var suppressedAny = false
        func noteSuppression(_ rows: [Effect]) { if rows.contains(where: f.hidden) { suppressedAny = true } }
        let totals = GroupTimeDisclosure.totalsText(units: units, observations: observations, suppressed: totalsSuppressed)
        var first = ReportTable(title: attgtTable.title + "    " + totals,
                                columns: f.columns("Group, time", attgtTable),
                                rows: attgtTable.rows.map { f.row("g=\($0.label.group ?? 0) t=\($0.label.time ?? 0)", $0) },
                                notes: notes)
        noteSuppression(attgtTable.rows)
        if let p = preTest {
            first.notes.append("Pre-test of parallel trends (Wald, all pre-treatment ATT(g,t) = 0): chi2(\(p.df)) = \(Format.fixed(p.statistic ?? .nan, 3)), p = \(Format.pValue(p.pValue ?? .nan))")
        } else if !notes.contains(GroupTimeDisclosure.preTestNote) {
            first.notes.append("Pre-test of parallel trends: not available (no pre-treatment cell, or a singular covariance)")
        }
        var tables = [first]
        for a in aggregateResults {
            let label: (Effect) -> String = { e in
                switch a.type {
                case .simple: return "overall"
                case .dynamic: return EffectLabel.eventText(e.label.event ?? 0)
                case .group: return "group \(e.label.group ?? 0)"
                case .calendar: return "time \(e.label.time ?? 0)"
                }
            }
            var rows = a.type == .simple ? [] : a.table.rows.map { f.row(label($0), $0) }
            noteSuppression(a.table.rows)
            var rules: Set<Int> = []
            if let o = a.overall {
                if !rows.isEmpty { rules.insert(rows.count - 1) }
                rows.append(f.row("overall", o))
            }
            var notes = a.table.notes.filter { $0.hasPrefix("aggregation") || $0.hasPrefix("intervals") }
            if a.table.uniformBand { notes.append("The overall row's interval is pointwise.") }
            tables.append(ReportTable(title: a.table.title, columns: f.columns(a.type == .simple ? "" : a.type.rawValue, a.table),
                                      rows: rows, notes: notes, rulesAfter: rules))
        }
        if suppressedAny { tables[tables.count - 1].notes.append(disclosure.note) }
        return tables
    }
}
