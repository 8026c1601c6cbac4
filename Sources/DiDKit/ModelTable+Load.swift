import Foundation
import Estimation

extension ModelTable {
    /// Columns from saved JSON results: `didkit logit/ols/probit/did/attgt/etwfe/effects --format json`
    /// (one column each) and a report's `results.json` (one column per model of the study).
    /// - Parameters:
    ///   - titles: column titles; default each file's name without `.json` (a study's models: their names).
    ///   - disclosure: the table's gate; a file that records a smaller minimum cell size is refused.
    /// - Throws: ``ModelTableError`` naming the file: unreadable, not JSON, not a DiDKit result, a
    ///   result that cannot be decoded, results of different kinds.
    public static func load(paths: [String], titles: [String] = [], disclosure: DisclosureControl = DisclosureControl()) throws -> ModelTable {
        var columns: [Column] = []
        for (k, path) in paths.enumerated() {
            let title = k < titles.count ? titles[k] : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            columns += try loadColumns(path: path, title: title, disclosure: disclosure)
        }
        return try ModelTable(columns: columns, disclosure: disclosure)
    }

    static func loadColumns(path: String, title: String, disclosure: DisclosureControl) throws -> [Column] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelTableError.unreadable(file: path, reason: whyUnreadable(path))
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw ModelTableError.notJSON(file: path, reason: "it does not parse as JSON")
        }
        guard let keys = (object as? [String: Any]).map({ Set($0.keys) }) else { throw ModelTableError.notAResult(file: path) }
        func decode<T: Decodable>(_ type: T.Type, _ kind: String) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: data) } catch {
                throw ModelTableError.malformed(file: path, kind: kind, reason: decodingReason(error))
            }
        }
        func checkGate(_ size: Int) throws {
            if size < disclosure.minimumCellSize { throw ModelTableError.gatedBelow(file: path, size: size, required: disclosure.minimumCellSize) }
        }
        // Every document that records its size (did, a report, and attgt/etwfe/effects from this version on).
        if let size = (object as? [String: Any])?["minimumCellSize"] as? Int { try checkGate(size) }
        if keys.contains("balance"), keys.contains("matchedTreated") { throw ModelTableError.notTabulated(file: path, kind: "match") }
        if keys.contains("models"), keys.contains("match") {
            struct Report: Decodable { var minimumCellSize: Int; var models: [String: EventStudyDocument] }
            let r = try decode(Report.self, "report (results.json)")
            try checkGate(r.minimumCellSize)
            return r.models.sorted { $0.key < $1.key }.map { name, doc in column(doc, title: name, source: path) }
        }
        if keys.contains("eventStudy") {
            let doc = try decode(EventStudyDocument.self, "did")
            try checkGate(doc.minimumCellSize)
            return [column(doc, title: title, source: path)]
        }
        if keys.contains("terms"), keys.contains("model") {
            return [column(try decode(ModelResultDocument.self, "logit/ols"), title: title, source: path)]
        }
        if keys.contains("attgt"), keys.contains("estimator") {
            return [try decode(GroupTimeFile.self, "attgt/etwfe").column(title: title, source: path)]
        }
        if keys.contains("effect"), keys.contains("estimand") {
            return [column(try decode(EffectsDocument.self, "effects"), title: title, source: path)]
        }
        throw ModelTableError.notAResult(file: path)
    }

    /// A regression column: the terms as coefficients (and odds ratios for logit).
    static func column(_ doc: ModelResultDocument, title: String, source: String?) -> Column {
        Column(title: title, source: source, kind: .regression, model: doc.model, effects: doc.coefficientEffects,
               oddsRatios: doc.oddsRatioEffects, withheld: Set(doc.terms.indices.filter { doc.terms[$0].suppressed == true }),
               counts: [.observations: doc.observationsSuppressed == true ? Int?.none : Int?.some(doc.observations)], notes: doc.notes)
    }

    /// An event study's column: its model's terms, persons by arm and the pre-trend test.
    static func column(_ doc: EventStudyDocument, title: String, source: String?) -> Column {
        var c = column(doc.result, title: title, source: source)
        c.counts[.treated] = .some(doc.persons.treated)
        c.counts[.control] = .some(doc.persons.control)
        c.preTrendP = doc.preTrend?.pValue
        return c
    }

    /// A treatment-effect column: the effect (row `ATE` or `ATET`), persons by arm.
    static func column(_ doc: EffectsDocument, title: String, source: String?) -> Column {
        let e = doc.effect
        let label = EffectLabel(name: doc.estimand.uppercased())
        let scale = EffectScale(rawValue: doc.scale) ?? .outcomeUnits
        let effect = Effect(label: label, estimate: e.estimate ?? .nan, standardError: e.standardError, ciLower: e.ciLower,
                            ciUpper: e.ciUpper, pValue: e.pValue)
        let table = EffectTable(title: "Treatment effect", scale: scale, level: doc.level, vce: doc.vce, rows: [effect])
        let counts: [Count: Int?] = [.observations: doc.observations, .treated: doc.treated, .control: doc.controls]
        return Column(title: title, source: source, kind: .treatmentEffect, model: doc.estimator, effects: table,
                      withheld: doc.suppressed == true ? [0] : [], counts: counts, notes: doc.notes)
    }
}

/// A readable reason from a decoding error: the key path and what is wrong.
func decodingReason(_ error: any Error) -> String {
    func path(_ c: DecodingError.Context) -> String {
        let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return p.isEmpty ? "" : " at \(p)"
    }
    switch error {
    case DecodingError.keyNotFound(let key, let c): return "the key '\(key.stringValue)' is missing\(path(c))"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.dataCorrupted(let c):
        return "\(c.debugDescription)\(path(c))"
    default: return String(describing: error)
    }
}

/// The JSON of `attgt` and `etwfe` (cli-contract.md), read back for a model table: the overall
/// (simple) ATT first, then the aggregations' effects (event, group, calendar), a suppressed one withheld.
struct GroupTimeFile: Decodable {
    struct Overall: Decodable { var att: Double?; var standardError: Double?; var suppressed: Bool? }
    struct AggregateEffect: Decodable {
        var label: EffectLabel
        var att: Double?
        var standardError: Double?
        var ciLower: Double?
        var ciUpper: Double?
        var suppressed: Bool?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            if let e = try c.decodeIfPresent(Int.self, forKey: Key("event")) { label = EffectLabel(event: e) }
            else if let g = try c.decodeIfPresent(Int.self, forKey: Key("group")) { label = EffectLabel(group: g) }
            else if let t = try c.decodeIfPresent(Int.self, forKey: Key("time")) { label = EffectLabel(time: t) }
            else { throw DecodingError.keyNotFound(Key("event"), .init(codingPath: c.codingPath, debugDescription: "an effect needs event, group or time")) }
            att = try c.decodeIfPresent(Double.self, forKey: Key("att"))
            standardError = try c.decodeIfPresent(Double.self, forKey: Key("standardError"))
            ciLower = try c.decodeIfPresent(Double.self, forKey: Key("ciLower"))
            ciUpper = try c.decodeIfPresent(Double.self, forKey: Key("ciUpper"))
            suppressed = try c.decodeIfPresent(Bool.self, forKey: Key("suppressed"))
        }
    }
    struct Aggregate: Decodable { var type: String; var overall: Overall; var effects: [AggregateEffect]; var uniformBand: Bool }
    struct PreTest: Decodable { var pValue: Double? }

    var estimator: String
    var observations: Int
    var units: Int
    var preTest: PreTest?
    var aggregates: [Aggregate]

    /// p-values from `att / SE` (normal), as the documents' own intervals are normal (or bands).
    func column(title: String, source: String) -> ModelTable.Column {
        var rows: [Effect] = []
        var withheld = Set<Int>()
        func add(_ label: EffectLabel, _ att: Double?, _ se: Double?, _ lo: Double?, _ hi: Double?, _ suppressed: Bool?) {
            if suppressed == true { withheld.insert(rows.count) }
            let p = se.flatMap { s in att.map { ReferenceDistribution.normal.pValue($0 / s) } }.flatMap { $0.isFinite ? $0 : nil }
            rows.append(Effect(label: label, estimate: att ?? .nan, standardError: se, ciLower: lo, ciUpper: hi, pValue: se.map { $0 > 0 } == true ? p : nil))
        }
        if let simple = aggregates.first(where: { $0.type == "simple" }) {
            add(EffectLabel(name: "ATT"), simple.overall.att, simple.overall.standardError, nil, nil, simple.overall.suppressed)
        }
        for a in aggregates where a.type != "simple" {
            for e in a.effects where !rows.contains(where: { $0.label == e.label }) {
                add(e.label, e.att, e.standardError, a.uniformBand ? nil : e.ciLower, a.uniformBand ? nil : e.ciUpper, e.suppressed)
            }
        }
        let table = EffectTable(title: "ATT", scale: .outcomeUnits, level: 95, vce: nil, rows: rows)
        return ModelTable.Column(title: title, source: source, kind: .groupTime, model: estimator, effects: table, withheld: withheld,
                                 counts: [.observations: observations, .persons: units], preTrendP: preTest?.pValue)
    }
}
