import Regression
import Design
import Estimation
import Tabular

/// Matching that cannot be done on the data or options given.
public enum MatchingError: Error, Sendable, Equatable, CustomStringConvertible {
    case treatmentNotBinary(column: String, value: Double, count: Int)
    case noTreated(column: String)
    case noControls(column: String)
    case invalidCaliper(Double)
    case invalidNeighbors(Int)
    case notEnoughControls(needed: Int, available: Int, stratum: String?)
    case allTreatedUnmatched(treated: Int, reason: String)
    case noReplacementNeedsOneToOne
    case tiesNeedReplacement
    case scoreModel(RegressionError)
    case missingScores
    case nonFiniteScore(row: Int, value: Double)
    case unitCountMismatch(expected: Int, found: Int)
    case missingBalanceValues(rows: Int)
    case data(DataError)

    public var description: String {
        switch self {
        case .treatmentNotBinary(let c, let v, let k):
            return "the treatment '\(c)' must be 0 or 1, but \(k) rows hold other values (for example \(formatLevel(v))): recode it to 0/1"
        case .noTreated(let c):
            return "no treated units (\(c) = 1) in the data used: check the treatment column and the missing values of the covariates"
        case .noControls(let c):
            return "no control units (\(c) = 0) in the data used: matching needs a control pool"
        case .invalidCaliper(let c):
            return "the caliper must be positive, got \(c)"
        case .invalidNeighbors(let k):
            return "the number of neighbours must be at least 1, got \(k)"
        case .notEnoughControls(let needed, let available, let stratum):
            return "matching \(needed) controls without replacement needs that many controls, but only \(available) are available\(stratum.map { " in stratum \($0)" } ?? ""): use fewer neighbours, match with replacement, or widen the pool"
        case .allTreatedUnmatched(let n, let reason):
            return "none of the \(n) treated units found a match (\(reason)): widen the caliper or check the score model"
        case .noReplacementNeedsOneToOne:
            return "the psmatch2 preset allows matching without replacement only 1:1, as psmatch2 does: use --neighbors 1 or --replacement"
        case .tiesNeedReplacement:
            return "ties (every control at the nearest distance is matched) need matching with replacement, as psmatch2's ties option: add --replacement or drop --ties"
        case .missingScores:
            return "this matcher matches on a score: give one score per unit (MatchingUnits.scores)"
        case .nonFiniteScore(let row, let value):
            return "the score of the unit in row \(row + 1) is \(value): scores must be finite numbers; drop the unit or give it a finite score"
        case .unitCountMismatch(let e, let f):
            return "the match result covers \(e) units but the data have \(f) rows: compute balance on the rows that were matched, in the same order"
        case .missingBalanceValues(let n):
            return "\(n) rows have missing covariate values: balance needs every covariate at every unit of the match"
        case .scoreModel(let e):
            return "the propensity-score model cannot be estimated: \(e.description)"
        case .data(let e):
            return e.description
        }
    }
}
