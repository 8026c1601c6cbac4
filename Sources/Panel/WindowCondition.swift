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

/// The model of an event study.
public enum EventStudyModel: String, Sendable, Equatable, Codable {
    /// Logit: interactions reported as odds ratios.
    case logit
    /// Linear probability model (OLS): interactions in outcome units.
    case ols
}

/// Where time-invariant (baseline) controls are read.
public enum BaselineYear: Sendable, Equatable, Codable {
    /// A fixed calendar year (the reference study: 2010).
    case calendar(Int)
    /// A year relative to the person's (pseudo) start (e.g. -1).
    case relative(Int)
}

/// What the event study estimates.
public struct EventStudySpecification: Sendable, Equatable {
    /// The outcome column (0/1 for logit).
    public var outcome: String
    /// Event times `start + lower ... start + upper`.
    public var window: ClosedRange<Int>
    /// The omitted reference period (default -1).
    public var reference: Int
    /// Time-varying numeric controls, read from each person-year.
    public var controls: [String]
    /// Time-varying factor controls (expanded to level dummies).
    public var factorControls: [String]
    /// Time-invariant numeric controls, read once per person at `baseline`.
    public var baselineControls: [String]
    public var baseline: BaselineYear
    public var baseLevels: [String: String]
    public var model: EventStudyModel
    /// Exclude persons without an observation in the reference period (counted).
    public var requireReferenceObservation: Bool

    public init(outcome: String, window: ClosedRange<Int> = -3...1, reference: Int = -1, controls: [String] = [],
                factorControls: [String] = [], baselineControls: [String] = [], baseline: BaselineYear = .relative(-1),
                baseLevels: [String: String] = [:], model: EventStudyModel = .logit, requireReferenceObservation: Bool = true) {
        self.outcome = outcome
        self.window = window
        self.reference = reference
        self.controls = controls
        self.factorControls = factorControls
        self.baselineControls = baselineControls
        self.baseline = baseline
        self.baseLevels = baseLevels
        self.model = model
        self.requireReferenceObservation = requireReferenceObservation
    }

    /// Event times other than the reference, in order.
    public var estimatedEventTimes: [Int] { window.filter { $0 != reference } }
    /// Pre-period event times other than the reference (tested jointly for pre-trends).
    public var preEventTimes: [Int] { window.filter { $0 < 0 && $0 != reference } }
}

/// Who is treated and when everybody starts.
public struct Cohorts: Sendable, Equatable {
    /// Per person (panel code): treated or not.
    public var treated: [Bool]
    /// Per person: start year (pseudo start for controls); nil = not in the study.
    public var start: [Int?]

    public init(treated: [Bool], start: [Int?]) {
        precondition(treated.count == start.count, "Cohorts: length mismatch")
        self.treated = treated
        self.start = start
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
