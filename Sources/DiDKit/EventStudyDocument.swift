import Estimation
import Design
import Foundation
import Panel
import Regression

/// The JSON result of `didkit did` (and of each model in `run`/`demo`): the
/// model keys of the CLI contract plus `persons`, `eventStudy`, `preTrend`,
/// `predicted`, and DiDKit's additions `pooled`, `marginalEffects`,
/// `referencePerson`, `preTrendRejected`.
public struct EventStudyDocument: Codable, Sendable, Equatable {
    public struct Persons: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var treated: Int?
        public var control: Int?
        public var suppressed: Bool?
    }
    public struct Point: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var eventTime: Int
        public var estimate: Double?
        public var standardError: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var pValue: Double?
        public var reference: Bool
        public var suppressed: Bool?
    }
    public struct PreTrend: Codable, Sendable, Equatable {
        public var statistic: Double
        public var df: Int
        public var pValue: Double
        public var terms: [String]
    }
    public struct Predicted: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var eventTime: Int
        public var treated: Double?
        public var control: Double?
        public var treatedCILower: Double?
        public var treatedCIUpper: Double?
        public var controlCILower: Double?
        public var controlCIUpper: Double?
        public var suppressed: Bool?
    }
    public struct Effect: Codable, Sendable, Equatable, EncodesNulls {
        public func encode(to encoder: any Encoder) throws { try encodeWithNulls(to: encoder) }

        public var eventTime: Int
        public var percentagePoints: Double?
        public var standardError: Double?
        public var ciLower: Double?
        public var ciUpper: Double?
        public var pValue: Double?
        public var suppressed: Bool?
    }
    public struct Reference: Codable, Sendable, Equatable { public var name: String; public var value: Double }

    public var result: ModelResultDocument
    public var window: [Int]
    public var referencePeriod: Int
    public var persons: Persons
    public var eventStudy: [Point]
    public var preTrend: PreTrend?
    public var preTrendRejected: Bool
    public var predicted: [Predicted]
    public var marginalEffects: [Effect]
    public var referencePerson: [Reference]
    public var pooled: ModelResultDocument.TermDocument?
    /// The disclosure gate's minimum cell size.
    public var minimumCellSize: Int = 5

    /// The gated document of an event study (the only way to make one, so every output of an
    /// event study passes the disclosure gate; see ``gate(_:disclosure:suppressedCounts:personKeys:)``).
    /// - Parameters:
    ///   - suppressedCounts: count cells suppressed by a wider set of relations (a study's
    ///     exclusion flow), with `personKeys` naming this model's treated and control person
    ///     cells; nil: primary suppression of this document's own counts.
    public init(_ r: EventStudyResult, disclosure: DisclosureControl, suppressedCounts: Set<String>? = nil,
                personKeys: (treated: String, control: String)? = nil) {
        self.init(ungated: r)
        gate(r, disclosure: disclosure, suppressedCounts: suppressedCounts, personKeys: personKeys)
    }

    private init(ungated r: EventStudyResult) {
        let sampleNotes = r.fit.sample.notes.count
        result = ModelResultDocument(table: r.table, model: r.model.rawValue, observations: r.observations, converged: r.converged,
                                     iterations: r.iterations, logLikelihood: r.logLikelihood, omitted: r.omitted,
                                     droppedRows: r.fit.sample.droppedRows.reduce(0) { $0 + $1.count },
                                     notes: Array(r.notes.dropFirst(sampleNotes)))
        window = Array(r.specification.window)
        referencePeriod = r.specification.reference
        persons = Persons(treated: r.treatedPersons, control: r.controlPersons)
        eventStudy = r.eventStudy.map {
            Point(eventTime: $0.eventTime, estimate: finite($0.estimate), standardError: $0.standardError.flatMap(finite),
                  ciLower: $0.ciLower.flatMap(finite), ciUpper: $0.ciUpper.flatMap(finite), pValue: $0.pValue.flatMap(finite),
                  reference: $0.isReference)
        }
        let preTerms = r.specification.preEventTimes.map(TermName.treatedEvent)
        preTrend = r.preTrend.map { PreTrend(statistic: $0.chi2, df: $0.df, pValue: $0.pValue, terms: preTerms) }
        preTrendRejected = r.preTrendRejected
        predicted = r.predicted.map {
            Predicted(eventTime: $0.eventTime, treated: finite($0.treated.probability), control: finite($0.control.probability),
                      treatedCILower: finite($0.treated.ciLower), treatedCIUpper: finite($0.treated.ciUpper),
                      controlCILower: finite($0.control.ciLower), controlCIUpper: finite($0.control.ciUpper))
        }
        marginalEffects = r.marginalEffects.map {
            Effect(eventTime: $0.eventTime, percentagePoints: finite($0.percentagePoints), standardError: finite($0.standardError),
                   ciLower: finite($0.ciLower), ciUpper: finite($0.ciUpper), pValue: finite($0.pValue))
        }
        referencePerson = r.referencePerson.map { Reference(name: $0.name, value: $0.value) }
        pooled = r.pooled.map(ModelResultDocument.TermDocument.init)
    }

    // The model keys sit at the top level, as the contract has them.
    enum ExtraKeys: String, CodingKey {
        case window, referencePeriod, persons, eventStudy, preTrend, preTrendRejected, predicted, marginalEffects, referencePerson, pooled
        case minimumCellSize
    }

    public func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var c = encoder.container(keyedBy: ExtraKeys.self)
        try c.encode(window, forKey: .window)
        try c.encode(referencePeriod, forKey: .referencePeriod)
        try c.encode(persons, forKey: .persons)
        try c.encode(eventStudy, forKey: .eventStudy)
        try c.encodeIfPresent(preTrend, forKey: .preTrend)
        try c.encode(preTrendRejected, forKey: .preTrendRejected)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(marginalEffects, forKey: .marginalEffects)
        try c.encode(referencePerson, forKey: .referencePerson)
        try c.encodeIfPresent(pooled, forKey: .pooled)
        try c.encode(minimumCellSize, forKey: .minimumCellSize)
    }

    public init(from decoder: any Decoder) throws {
        result = try ModelResultDocument(from: decoder)
        let c = try decoder.container(keyedBy: ExtraKeys.self)
        window = try c.decode([Int].self, forKey: .window)
        referencePeriod = try c.decode(Int.self, forKey: .referencePeriod)
        persons = try c.decode(Persons.self, forKey: .persons)
        eventStudy = try c.decode([Point].self, forKey: .eventStudy)
        preTrend = try c.decodeIfPresent(PreTrend.self, forKey: .preTrend)
        preTrendRejected = try c.decode(Bool.self, forKey: .preTrendRejected)
        predicted = try c.decode([Predicted].self, forKey: .predicted)
        marginalEffects = try c.decode([Effect].self, forKey: .marginalEffects)
        referencePerson = try c.decode([Reference].self, forKey: .referencePerson)
        pooled = try c.decodeIfPresent(ModelResultDocument.TermDocument.self, forKey: .pooled)
        minimumCellSize = try c.decodeIfPresent(Int.self, forKey: .minimumCellSize) ?? 5
    }

    public func json() throws -> String { try encodeJSON(self) }

    var isLogit: Bool { result.model == "logit" }

    /// The person-years, nil when a group's persons are suppressed (the gate then withholds them too: they sum
    /// both groups).
    public var publishedObservations: Int? { result.observationsSuppressed == true ? nil : result.observations }

    /// The event study as an effect table: odds ratios (logit) or coefficients by event time,
    /// the reference period a reference row, and the pooled treated x post effect last when fitted.
    public var effects: EffectTable {
        let scale: EffectScale = isLogit ? .oddsRatio : .outcomeUnits
        var rows = eventStudy.map { p -> Estimation.Effect in
            let label = EffectLabel(event: p.eventTime)
            if p.reference { return Estimation.Effect.reference(label, scale: scale) }
            return Estimation.Effect(label: label, estimate: p.estimate ?? .nan, standardError: p.standardError, ciLower: p.ciLower,
                          ciUpper: p.ciUpper, pValue: p.pValue)
        }
        if let pooled {
            rows.append(Estimation.Effect(label: EffectLabel(term: TermName.treatedPost, name: "pooled"),
                               estimate: (isLogit ? pooled.oddsRatio : pooled.coefficient) ?? .nan,
                               standardError: isLogit ? pooled.oddsRatioStandardError : pooled.standardError,
                               ciLower: isLogit ? pooled.oddsRatioCILower : pooled.ciLower,
                               ciUpper: isLogit ? pooled.oddsRatioCIUpper : pooled.ciUpper, pValue: pooled.pValue))
        }
        return EffectTable(title: "Event study: \(scale.header.lowercased())s of treated x event time", scale: scale, level: result.level,
                           vce: result.vce, rows: rows)
    }

    /// The event study: OR (or coefficient) with CI and p by event time, the reference marked.
    public func eventStudyTable(stars: StarConvention = .regression) -> ReportTable {
        var notes = ["Treated x event-time interactions\(isLogit ? " as odds ratios (SE by the delta method)" : ""); reference period start\(referencePeriod). \(result.vce == "cluster" ? "SEs clustered by person." : "SEs: \(result.vce).") Stars: \(stars.legend)."]
        if let t = preTrend {
            notes.append("Pre-trend test (joint Wald, \(t.terms.joined(separator: ", ")) = 0): chi2(\(t.df)) = \(Format.fixed(t.statistic, 2)), p = \(Format.fixed(t.pValue, 4))"
                         + (preTrendRejected ? ". REJECTED at 5%: parallel pre-trends fail." : "; parallel pre-trends not rejected."))
        }
        let k = minimumCellSize
        let c = { (n: Int?) in n.map(Format.count) ?? "<\(k)" }
        let personYears = persons.suppressed == true ? "person-years withheld" : "\(Format.count(result.observations)) person-years"
        notes.append("Persons: \(c(persons.treated)) treated, \(c(persons.control)) controls; \(personYears).")
        if persons.suppressed == true || eventStudy.contains(where: { $0.suppressed == true }) {
            notes.append(DisclosureControl(minimumCellSize: k).note)
        }
        if !result.converged { notes.append("NOT CONVERGED: do not use these estimates.") }
        var table = effects.reportTable(labelHeader: "Event time", label: { label in
            label.term == TermName.treatedPost ? "pooled: treated x post" : label.event.map(EffectLabel.eventText) ?? label.text
        }, stars: stars, notes: notes)
        if pooled != nil { table.rulesAfter = [table.rows.count - 2] }
        return table
    }

    /// Predicted probabilities for the reference person and the average marginal effects.
    public func predictedTable() -> ReportTable {
        let interval = "[\(Format.fixed(result.level, result.level == result.level.rounded() ? 0 : 1))% CI]"
        let ame = Dictionary(uniqueKeysWithValues: marginalEffects.map { ($0.eventTime, $0) })
        let rows = predicted.map { p -> [String] in
            let e = ame[p.eventTime]
            return [EffectLabel.eventText(p.eventTime), Format.fixed(100 * (p.treated ?? .nan), 1), ci100(p.treatedCILower, p.treatedCIUpper),
                    Format.fixed(100 * (p.control ?? .nan), 1), ci100(p.controlCILower, p.controlCIUpper),
                    e.map { Format.fixed($0.percentagePoints ?? .nan, 1) } ?? "reference",
                    e.map { ci($0.ciLower, $0.ciUpper, 1) } ?? ""]
        }
        let who = referencePerson.map { "\($0.name) = \(Format.fixed($0.value, 2))" }.joined(separator: ", ")
        return ReportTable(title: "Predicted \(isLogit ? "probability" : "outcome") (%) by event time for a reference person",
                           columns: ["Event time", "Treated", interval, "Control", interval, "AME (pp)", interval], rows: rows,
                           notes: ["Reference person: \(who.isEmpty ? "no controls" : who)\(referencePerson.isEmpty ? "" : " (sample means)"); factor controls at their base levels. CIs by the delta method (Stata margins).",
                                   "AME: average marginal effect of the treated x event-time interaction on the treated, in percentage points."])
    }

    func ci100(_ lo: Double?, _ hi: Double?) -> String { ci(lo.map { 100 * $0 }, hi.map { 100 * $0 }, 1) }
    func ci(_ lo: Double?, _ hi: Double?, _ d: Int) -> String { "[" + Format.fixed(lo ?? .nan, d) + ", " + Format.fixed(hi ?? .nan, d) + "]" }
}


extension ModelResultDocument {
    /// A model document from a coefficient table and summary facts (used by the event study).
    init(table: CoefficientTable, model: String, observations: Int, converged: Bool, iterations: Int,
                logLikelihood: Double?, omitted: [String], droppedRows: Int, notes: [String]) {
        self.model = model
        self.observations = observations
        self.converged = converged
        self.iterations = iterations
        self.logLikelihood = logLikelihood.flatMap(finite)
        self.vce = table.vce
        self.clusters = table.clusters
        self.level = table.level
        self.omitted = omitted
        self.droppedRows = droppedRows
        self.notes = notes
        self.terms = table.rows.map(TermDocument.init)
    }
}
