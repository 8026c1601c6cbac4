import _DiDKitParallel
import Design
import Estimation
import Tabular

/// A condition on a column at years relative to a person's (pseudo) start
/// year, applied to treated and controls alike, e.g. "in school in start-1,
/// start and start+1" (`inschool` in [1, 1] at -1, 0, 1) or "aged 14-19 in
/// the start year" (`age` in [14, 19] at 0).
///
/// A person satisfies it when, for every relative year, they have a row in
/// that calendar year with a non-missing value within `[minimum, maximum]`.
public struct WindowCondition: Sendable, Equatable, Codable {
    /// A label for exclusion counts (defaults to a description).
    public var label: String
    public var column: String
    public var relativeYears: [Int]
    public var minimum: Double?
    public var maximum: Double?

    public init(column: String, relativeYears: [Int], minimum: Double? = nil, maximum: Double? = nil, label: String? = nil) {
        self.column = column
        self.relativeYears = relativeYears
        self.minimum = minimum
        self.maximum = maximum
        let range = minimum == maximum && minimum != nil ? "= \(minimum!)" : "in [\(minimum.map { "\($0)" } ?? "-inf"), \(maximum.map { "\($0)" } ?? "inf")]"
        self.label = label ?? "\(column) \(range) at start\(relativeYears.map { $0 == 0 ? "" : ($0 > 0 ? "+\($0)" : "\($0)") }.joined(separator: ","))"
    }

    func accepts(_ v: Double) -> Bool {
        guard !v.isNaN else { return false }
        if let lo = minimum, v < lo { return false }
        if let hi = maximum, v > hi { return false }
        return true
    }
}

extension WindowCondition {
    /// Whether person `p` of `panel`, starting in `start`, satisfies the condition.
    public func holds(panel: PersonYearPanel, person p: Int, start: Int, values: NumericColumn) -> Bool {
        for ry in relativeYears {
            guard let r = panel.row(person: p, year: start + ry), accepts(values[r]) else { return false }
        }
        return true
    }
}

extension WindowCondition {
    /// For each person `p` with a start year (`starts[p]`; nil: not in the analysis, coded -1), the index of
    /// the first of `conditions` that does not hold (``holds(panel:person:start:values:)``, condition `k`
    /// reading `values[k]`), or -1 when all hold. Persons in equal stripes on all cores (a serial loop with a
    /// dictionary lookup of each condition's column per person took a second of a whole-country study).
    /// - Complexity: `O(persons x conditions x relative years x log(years per person))`.
    public static func firstFailing(_ conditions: [WindowCondition], values: [NumericColumn], panel: PersonYearPanel,
                                    starts: [Int?]) -> [Int32] {
        precondition(values.count == conditions.count, "WindowCondition.firstFailing: one column per condition")
        let stripes = partStarts(count: starts.count, minimumPart: 65_536)
        return parallelParts(starts: stripes) { k, out in
            let first = stripes[k]
            for i in 0..<out.count {
                let p = first + i
                guard let s = starts[p] else { out[i] = -1; continue }
                let failing = conditions.indices.first { !conditions[$0].holds(panel: panel, person: p, start: s, values: values[$0]) }
                out[i] = failing.map { Int32(truncatingIfNeeded: $0) } ?? -1
            }
        }
    }
}
