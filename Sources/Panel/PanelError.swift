
import Regression
import Design
import Estimation
import Tabular

/// Problems building a panel or an event study; each says what to do.
public enum PanelError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicatePersonYears(count: Int, examples: [String])
    case nonIntegerYear(column: String, row: Int, value: Double)
    case invalidWindow(lower: Int, upper: Int)
    case referenceOutsideWindow(reference: Int, lower: Int, upper: Int)
    case windowNotCovered(eventTimes: [Int], exclusions: String)
    case noTreated(reason: String)
    case noControls(reason: String)
    case emptyEventCell(eventTime: Int, group: String)
    case missingStartYear(count: Int)
    case treatmentNotBinary(column: String, value: Double, count: Int)
    /// A per-person column (treatment, start year, weight, cluster) that varies within persons: how many, and the
    /// first such person's id with its first two values.
    case variesWithinPerson(column: String, persons: Int, firstPerson: String, values: [Double])
    case invalidStartYear(column: String, value: Double, count: Int)
    case windowTooWide(lower: Int, upper: Int)
    case invalidWeight(value: Double)
    case missingCluster(column: String, persons: Int)
    case regression(RegressionError)
    case data(DataError)

    public var description: String {
        switch self {
        case .duplicatePersonYears(let n, let ex):
            return "\(n) person-years occur more than once (for example \(ex.joined(separator: "; "))): a register panel needs one row per person and year; aggregate or remove the duplicates"
        case .nonIntegerYear(let c, let row, let v):
            // The check also refuses whole numbers beyond +-1,000,000 (a date or an id in the year column).
            if v == v.rounded() {
                return "column '\(c)', row \(row): year \(formatLevel(v)) is out of range (beyond +-1,000,000): give calendar years, not dates or ids"
            }
            return "column '\(c)', row \(row): year \(v) is not a whole number"
        case .invalidWindow(let lo, let hi):
            return "the event window \(lo):\(hi) is empty: give it as LOW:HIGH with LOW <= HIGH, e.g. -3:1"
        case .referenceOutsideWindow(let r, let lo, let hi):
            return "the reference period \(r) lies outside the window \(lo):\(hi): choose a reference inside it (usually -1)"
        case .windowNotCovered(let e, let ex):
            return "the data have no person-years at event time(s) \(e.map(String.init).joined(separator: ", "))\(ex.isEmpty ? "" : " after exclusions (\(ex))"): narrow the window to what the registers cover, or check the exclusions"
        case .noTreated(let why):
            return "no treated persons are left (\(why)): check the start years, the window conditions and the data's years"
        case .noControls(let why):
            return "no control persons are left (\(why)): check the control pool and the window conditions"
        case .emptyEventCell(let e, let g):
            return "there are no \(g) observations at event time \(e), so treated x event=\(e) cannot be estimated: narrow the window or check the data"
        case .missingStartYear(let n):
            return "\(n) treated persons have no start year: every treated person needs one"
        case .treatmentNotBinary(let c, let v, let k):
            return "the treatment '\(c)' must be 0 or 1, but \(k) persons hold other values (for example \(v)): recode it to 0/1"
        case .variesWithinPerson(let c, let n, let person, let values):
            let shown = values.map(formatLevel).joined(separator: " and ")
            return "column '\(c)' varies within \(n) person\(n == 1 ? "" : "s") (the first: '\(person)' has \(shown)), but it must be constant within a person: fix the register or derive a per-person column"
        case .invalidStartYear(let c, let v, let k):
            return "column '\(c)' holds \(k) start years that are not whole years (for example \(v)): give the calendar year of the start"
        case .windowTooWide(let lo, let hi):
            return "the event window \(lo):\(hi) is wider than \(EventStudySpecification.maximumWindowLength) periods or reaches beyond +-\(EventStudySpecification.maximumEventTime): narrow it to the years the registers cover"
        case .missingCluster(let c, let n):
            return "the cluster column '\(c)' is missing for \(n) persons: give every person a cluster (e.g. the matched pair), or cluster by person"
        case .invalidWeight(let v):
            return "a person weight is \(v): weights must be finite and 0 or more (matching weights: 1 for matched treated, the number of uses for controls)"
        case .regression(let e): return e.description
        case .data(let e): return e.description
        }
    }
}
