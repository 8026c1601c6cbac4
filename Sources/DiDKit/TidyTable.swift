import Foundation
import Estimation
import Tabular

/// One row of the tidy, machine-readable output (`--format csv`, the report's `tables/*.csv`):
/// one estimate of one term (or cell, event time, arm, statistic) on one scale, as R's
/// `broom::tidy` gives it. Built from the ``EffectTable`` vocabulary (the label's structured
/// parts), never by parsing a name.
///
/// A value the disclosure gate withholds is nil (an empty CSV field) and ``suppression`` says
/// why; the value itself never appears.
public struct TidyRow: Sendable, Equatable {
    /// The model or column the row belongs to (`logit`, a study's model name, an input file's column name).
    public var model: String
    /// The part of the result: `coefficients`, `event-study`, `predicted`, `marginal-effects`,
    /// `pre-trend`, `attgt`, `simple`, `dynamic`, `group`, `calendar`, `event`, `effect`,
    /// `potential-outcome-means`, `ratios`, `treatment-model`, `balance-before`, `balance-after`,
    /// `counts`, `exclusions`.
    public var component: String
    public var label: EffectLabel
    /// An ``EffectScale`` raw value, or for balance and count rows the measure (`treated-mean`,
    /// `control-mean`, `smd`, `variance-ratio`, `count`, `chi2`).
    public var scale: String
    public var estimate: Double?
    public var standardError: Double?
    /// The Wald statistic of "no effect" (z, or t for OLS; chi2 for a joint test).
    public var statistic: Double?
    /// Degrees of freedom of a joint test.
    public var df: Int?
    public var pValue: Double?
    public var confLow: Double?
    public var confHigh: Double?
    /// Confidence level in percent (when the row has an interval).
    public var confLevel: Double?
    /// True when the interval is a simultaneous (uniform) band.
    public var uniformBand: Bool?
    public var reference: Bool
    /// The persons the estimate rests on, when known and publishable.
    public var persons: Int?
    /// Why the gate withheld the row's values (nil: nothing withheld).
    public var suppression: String?

    public init(model: String, component: String, label: EffectLabel, scale: String, estimate: Double? = nil,
                standardError: Double? = nil, statistic: Double? = nil, df: Int? = nil, pValue: Double? = nil,
                confLow: Double? = nil, confHigh: Double? = nil, confLevel: Double? = nil, uniformBand: Bool? = nil,
                reference: Bool = false, persons: Int? = nil, suppression: String? = nil) {
        self.model = model
        self.component = component
        self.label = label
        self.scale = scale
        self.estimate = estimate
        self.standardError = standardError
        self.statistic = statistic
        self.df = df
        self.pValue = pValue
        self.confLow = confLow
        self.confHigh = confHigh
        self.confLevel = confLevel
        self.uniformBand = uniformBand
        self.reference = reference
        self.persons = persons
        self.suppression = suppression
    }

    /// The row with every number removed and the reason given (the disclosure gate's output).
    public func withheld(_ reason: String) -> TidyRow {
        TidyRow(model: model, component: component, label: label, scale: scale, confLevel: confLevel, uniformBand: uniformBand,
                reference: reference, suppression: reason)
    }
}

/// Tidy rows and their CSV: the fixed columns of ``columns`` (Docs/CommandLine.md, "Tidy CSV"),
/// numbers in Swift's shortest round-trip representation (`"\(x)"`), empty for missing or
/// withheld, no thousands separators, no title or comment lines.
public struct TidyTable: Sendable, Equatable {
    public var rows: [TidyRow]

    public init(_ rows: [TidyRow] = []) { self.rows = rows }

    /// The header, in order. The same for every command, so outputs stack (`rbind`, `pd.concat`).
    public static let columns = ["model", "component", "term", "group", "time", "event", "arm", "scale", "estimate", "std_error",
                                 "statistic", "df", "p_value", "conf_low", "conf_high", "conf_level", "uniform_band", "reference",
                                 "persons", "suppressed"]

    /// Rows from an effect table: one per effect, on the table's scale. `statistic` is the Wald
    /// statistic of the scale's null value: `(b - 0) / SE` on additive scales, `ln(OR) / (SE(OR) / OR)`
    /// (= the coefficient's `b / SE(b)`) for odds ratios; none for a probability level.
    /// - Parameter suppressed: the gate's reason for withholding a row, or nil.
    public init(_ table: EffectTable, model: String, component: String, suppressed: (Int, Effect) -> String? = { _, _ in nil }) {
        rows = table.rows.enumerated().map { k, e in
            let row = TidyRow(model: model, component: component, label: e.label, scale: table.scale.rawValue,
                              estimate: e.estimate.isFinite ? e.estimate : nil, standardError: e.standardError.flatMap(finite),
                              statistic: e.isReference ? nil : Self.waldStatistic(e, scale: table.scale),
                              pValue: e.pValue.flatMap(finite), confLow: e.ciLower.flatMap(finite), confHigh: e.ciUpper.flatMap(finite),
                              confLevel: table.level, uniformBand: table.uniformBand, reference: e.isReference, persons: e.persons)
            return suppressed(k, e).map(row.withheld) ?? row
        }
    }

    /// `(b - null) / SE` on the scale's linear form; nil without a positive SE or a null value.
    static func waldStatistic(_ e: Effect, scale: EffectScale) -> Double? {
        guard let se = e.standardError, se > 0, se.isFinite, e.estimate.isFinite else { return nil }
        switch scale {
        case .oddsRatio:
            guard e.estimate > 0 else { return nil }
            return finite(Foundation.log(e.estimate) / (se / e.estimate))
        case .probability: return nil
        default: return finite(e.estimate / se)
        }
    }

    /// A number as the CSV writes it: a whole number below 2^53 as an integer (`289`), any other
    /// in Swift's shortest representation that reads back to the same double (`0.6350000000000001`, `1e-05`).
    public static func number(_ x: Double) -> String {
        if x == x.rounded(), Swift.abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        return "\(x)"
    }

    public static func + (a: TidyTable, b: TidyTable) -> TidyTable { TidyTable(a.rows + b.rows) }

    /// RFC 4180 CSV with the header of ``columns``.
    public var csv: String {
        let q = CSVWriter.field
        func n(_ x: Double?) -> String { x.flatMap(finite).map(Self.number) ?? "" }
        func i(_ x: Int?) -> String { x.map(String.init) ?? "" }
        func b(_ x: Bool?) -> String { x.map { $0 ? "true" : "false" } ?? "" }
        var out = [Self.columns.joined(separator: ",")]
        for r in rows {
            let term = r.label.term ?? r.label.name ?? ""
            let cells = [q(r.model), q(r.component), q(term), i(r.label.group), i(r.label.time), i(r.label.event),
                         r.label.arm?.rawValue ?? "", q(r.scale), n(r.estimate), n(r.standardError), n(r.statistic), i(r.df),
                         n(r.pValue), n(r.confLow), n(r.confHigh), n(r.confLevel), b(r.uniformBand), b(r.reference), i(r.persons),
                         q(r.suppression ?? "")]
            out.append(cells.joined(separator: ","))
        }
        return out.joined(separator: "\n") + "\n"
    }
}


