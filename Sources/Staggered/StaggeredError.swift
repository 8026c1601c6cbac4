import Regression
import Tabular

/// What can stop a group-time estimation: each case prints as one sentence
/// naming the column, group, count or option involved (the CLI shows it and exits 1).
public enum StaggeredError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A column is missing, of the wrong type, or has a bad value.
    case data(DataError)
    /// The propensity or outcome model of one cell could not be fitted.
    case model(group: Int, time: Int, RegressionError)
    /// The arrays given to ``StaggeredData`` differ in length.
    case lengthMismatch(expected: Int, found: Int, what: String)
    /// A value that must be a whole number (id, period, group) is not (`column`: the data column's name
    /// when the panel is read from a table, else the role, `time` or `group`).
    case notWholeNumber(column: String, value: Double)
    /// A group (first treated period) below 0 (`column` as for ``notWholeNumber(column:value:)``).
    case negativeGroup(column: String, value: Int)
    /// The same unit appears more than once in a period.
    /// (`firstRow`: the first repeating row, 1-based: the data file's row number, the header being row 1,
    /// when the panel is read from a table; else the position in the row arrays.)
    case duplicateRows(count: Int, firstRow: Int, period: Int)
    /// The cluster differs between periods of the same unit (`column` as for ``notWholeNumber(column:value:)``;
    /// `firstRow`: the first row whose cluster differs from its unit's earlier rows, numbered as in ``duplicateRows(count:firstRow:period:)``).
    case clusterVaries(column: String, units: Int, firstRow: Int)
    /// The group (first treated period) differs between periods of the same unit (`column` as for
    /// ``notWholeNumber(column:value:)``; `firstRow` as in ``clusterVaries(column:units:firstRow:)``, holding `found`
    /// where the unit's earlier rows hold `earlier`).
    case groupVaries(column: String, units: Int, firstRow: Int, earlier: Int, found: Int)
    /// A treated group value that is not one of the observed periods.
    case groupNotAPeriod(group: Int)
    /// Control `never` with no never-treated unit.
    case noNeverTreated
    /// No treated group is left to estimate (`anticipation`: the periods of anticipation asked for, named in the
    /// message when above 0 since they move every group's last pre-treatment period back).
    case noTreatedGroups(anticipation: Int)
    /// A cell without comparison units.
    case noComparisonUnits(group: Int, time: Int)
    /// A treated group with fewer than 2 units.
    case groupTooSmall(group: Int, units: Int)
    /// Fewer than two periods after balancing.
    case tooFewPeriods(Int)
    /// Nothing left after balancing the panel.
    case noBalancedUnits(dropped: Int)
    /// A bad option value (negative anticipation, level outside (0, 100), ...).
    case invalidOption(String)
    /// The requested method is not implemented.
    case notSupported(String)
    /// Every comparison unit of a cell has a propensity score of 0.995 or more (all trimmed, as DRDID).
    case comparisonsTrimmed(group: Int, time: Int)
    /// The IPT propensity score did not converge.
    case iptNotConverged(group: Int, time: Int)
    /// More rows than the panel's 32-bit row numbers address (2,147,483,647).
    case tooManyRows(Int)
    /// The outcome takes one value in every row of the balanced panel (every effect would be an exact 0
    /// with a zero standard error; `column` as for ``notWholeNumber(column:value:)``, the role `outcome`
    /// for a panel made from arrays).
    case outcomeConstant(column: String, value: Double)

    public var description: String {
        switch self {
        case .data(let e): return e.description
        case .model(let g, let t, let e): return "the models of group \(g) at time \(t) could not be fitted: \(e.description)"
        case .lengthMismatch(let expected, let found, let what):
            return "\(what) has \(found) values but the panel has \(expected) rows"
        case .notWholeNumber(let c, let v): return "column '\(c)' must hold whole numbers below 10^15, found \(formatLevel(v))"
        case .negativeGroup(let c, let v):
            return "column '\(c)' holds the group \(v): a group is the first treated period, 0 or empty for never treated"
        case .duplicateRows(let c, let row, let period):
            return "\(c) row\(c == 1 ? " repeats" : "s repeat") a unit and period already seen (the first: row \(row), period \(period)); the panel must have one row per unit and period"
        case .clusterVaries(let c, let u, let row):
            return "the cluster '\(c)' varies over time within \(u) unit\(u == 1 ? "" : "s") (the first: row \(row) differs from its unit's earlier rows); clusters must contain whole units"
        case .groupVaries(let c, let units, let row, let earlier, let found):
            return "the group '\(c)' (first treated period) varies over time within \(units) unit\(units == 1 ? "" : "s") (the first: row \(row) holds \(found) where the unit's earlier rows hold \(earlier)); it must be constant per unit"
        case .groupNotAPeriod(let g): return "group \(g) is not one of the observed periods (the group column holds the first treated period, 0 for never treated)"
        case .noNeverTreated:
            return "there are no never-treated units (group 0) to compare with; use the not-yet-treated units as comparison group (control notyet, --control notyet)"
        case .noTreatedGroups(let k) where k > 0:
            return "no treated group with a pre-treatment period is left to estimate with \(k) period\(k == 1 ? "" : "s") of anticipation (anticipation, --anticipation): use fewer"
        case .noTreatedGroups: return "no treated group with a pre-treatment period is left to estimate"
        case .noComparisonUnits(let g, let t): return "group \(g) at time \(t) has no comparison units"
        case .groupTooSmall(let g, let n):
            return "group \(g) has \(n) unit\(n == 1 ? "" : "s"); a group needs at least 2 units for an ATT(g,t) with a standard error"
        case .tooFewPeriods(let n): return "the balanced panel has \(n) period\(n == 1 ? "" : "s"); at least 2 are needed"
        case .noBalancedUnits(let d): return "no unit is observed in every period (\(d) units dropped while balancing the panel)"
        case .invalidOption(let s): return s
        case .notSupported(let s): return "\(s) is not yet supported"
        case .comparisonsTrimmed(let g, let t):
            return "every comparison unit of group \(g) at time \(t) has a propensity score of 0.995 or more and is trimmed (no overlap)"
        case .iptNotConverged(let g, let t):
            return "the inverse-probability-tilting propensity score of group \(g) at time \(t) did not converge"
        case .tooManyRows(let n):
            return "the data have \(n) rows, more than the 2,147,483,647 a panel can hold; estimate on a subset of the years or units"
        case .outcomeConstant(let c, let v):
            return "the outcome '\(c)' is \(formatLevel(v)) in every row of the balanced panel: an effect on an outcome that never varies cannot be estimated; check the outcome column"
        }
    }
}
