/// One estimated effect with its inference, on its table's ``EffectScale``.
public struct Effect: Sendable, Equatable {
    public var label: EffectLabel
    /// The estimate (for a reference row: the scale's null value).
    public var estimate: Double
    public var standardError: Double?
    /// The interval (pointwise, or simultaneous when the table says ``EffectTable/uniformBand``).
    public var ciLower: Double?
    public var ciUpper: Double?
    /// Two-sided p-value of "no effect".
    public var pValue: Double?
    /// A reference category or period (no estimate of its own).
    public var isReference: Bool
    /// The persons the estimate rests on (the treated persons of its cell), when known: what the
    /// disclosure gate checks.
    public var persons: Int?

    public init(label: EffectLabel, estimate: Double, standardError: Double? = nil, ciLower: Double? = nil, ciUpper: Double? = nil,
                pValue: Double? = nil, isReference: Bool = false, persons: Int? = nil) {
        self.label = label
        self.estimate = estimate
        self.standardError = standardError
        self.ciLower = ciLower
        self.ciUpper = ciUpper
        self.pValue = pValue
        self.isReference = isReference
        self.persons = persons
    }

    /// A reference row: the scale's null value and nothing else.
    public static func reference(_ label: EffectLabel, scale: EffectScale) -> Effect {
        Effect(label: label, estimate: scale.nullValue ?? .nan, isReference: true)
    }

    /// An estimate with a normal (or t) interval: `b +- crit SE`, p from `b / SE`.
    ///
    /// A missing, negative or non-finite variance gives no SE, interval or p-value (never SE 0
    /// with stars).
    public static func wald(_ label: EffectLabel, estimate b: Double, variance v: Double, distribution: ReferenceDistribution,
                            level: Double, persons: Int? = nil) -> Effect {
        guard v.isFinite, v >= 0, b.isFinite else { return Effect(label: label, estimate: b, persons: persons) }
        let se = v.squareRoot()
        let crit = distribution.critical(level: level)
        let p = se > 0 ? distribution.pValue(b / se) : nil
        return Effect(label: label, estimate: b, standardError: se, ciLower: b - crit * se, ciUpper: b + crit * se, pValue: p,
                      persons: persons)
    }

    /// The effect on a log scale exponentiated (`exp(b)`, SE `exp(b) SE(b)`, interval `exp` of the interval):
    /// a coefficient's odds ratio.
    public var exponentiated: Effect {
        if isReference { return Effect.reference(label, scale: .oddsRatio) }
        var e = self
        e.estimate = Double.exp(estimate)
        e.standardError = standardError.map { e.estimate * $0 }
        e.ciLower = ciLower.map { Double.exp($0) }
        e.ciUpper = ciUpper.map { Double.exp($0) }
        return e
    }

    /// The effect times `k` (probabilities to percentage points: `k = 100`).
    public func scaled(by k: Double) -> Effect {
        var e = self
        e.estimate *= k
        e.standardError = standardError.map { k * $0 }
        e.ciLower = ciLower.map { k * $0 }
        e.ciUpper = ciUpper.map { k * $0 }
        return e
    }
}

import RealModule
