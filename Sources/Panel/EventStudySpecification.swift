import Estimation

/// The model of an event study.
public enum EventStudyModel: String, StrictOption {
    /// Logit: interactions reported as odds ratios.
    case logit
    /// Linear probability model (OLS): interactions in outcome units.
    case ols

    public static let optionName = "model"
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
        // A factor is expanded wherever it is listed and never also entered as a number
        // (`--controls age,muni --factors muni` means muni as level dummies only).
        self.controls = controls.filter { !factorControls.contains($0) }
        self.factorControls = factorControls
        self.baselineControls = baselineControls
        self.baseline = baseline
        self.baseLevels = baseLevels
        self.model = model
        self.requireReferenceObservation = requireReferenceObservation
    }

    /// The longest window (periods) an event study takes: event times are stored in one byte per person-year.
    public static let maximumWindowLength = 100
    /// The largest event time, before or after the start, a window may reach.
    public static let maximumEventTime = 1_000

    /// Pre-period event times other than the reference (tested jointly for pre-trends).
    public var preEventTimes: [Int] { window.filter { $0 < 0 && $0 != reference } }
}
