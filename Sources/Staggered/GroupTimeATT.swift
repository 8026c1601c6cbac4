import Linalg
import Regression

/// One group-time cell: ATT(g,t) of the units first treated in `group`, at `time`, against `base`.
public struct GroupTimeCell: Sendable, Equatable {
    /// First treated period (time value).
    public let group: Int
    /// The period of the cell (time value).
    public let time: Int
    /// The base period the change is measured from (time value).
    public let base: Int
    /// `time - group` in time units (R did's event time).
    public let event: Int
    /// Whether `time >= group` (R did's `post.treat`; the pre-test uses the other cells).
    public let isPostTreatment: Bool
    /// The universal base period's own cell: ATT 0 by construction, no SE.
    public let isReference: Bool
    public let att: Double
    /// Units of group g (the persons the estimate rests on).
    public let treatedUnits: Int
    public let comparisonUnits: Int
}

/// Callaway & Sant'Anna (2021) group-time average treatment effects on a balanced panel.
///
/// For every treated group g with a pre-treatment period and every period t (R did's loop in
/// `compute.att_gt`: with a varying base, periods 2..T; with a universal base, all periods),
/// the 2x2 DiD of ``TwoPeriodDiD`` is run on the units of g and the comparison units:
/// - base period (positions, `K` = anticipation): `g - K - 1`; with a varying base and
///   `t < g - K`, the previous period `t - 1` (R did's default);
/// - comparison units: never treated (group 0), or with `notyet` also the units with
///   `G > max(t, base) + K` and `G != g` (R did's `.C` indicator);
/// - influence function: the cell's `psi` scaled by `n / n1` and zero outside the cell, where `n` is
///   the number of units and `n1` those of the cell (R did: `inffunc[disidx, counter] <- (n/n1) * att.inf.func`).
///
/// Analytic variances follow R did's `att_gt`, not DRDID's: `V = Psi'Psi / n` and
/// `SE = sqrt(diag(V) / n) = sqrt(mean(psi^2) / n)` (mean of squares, not `sd(psi)/sqrt(n)` as
/// DRDID's own `se`; the two differ by the mean of `psi`, which is 0 for these estimators up to
/// rounding, and by the factor `sqrt((n-1)/n)`). With clusters, `psi` is summed within each cluster
/// first: `V = sum_c S_c S_c' / n^2` per parameter (no small-sample factor; R did clusters only
/// through its bootstrap, which averages within clusters).
///
/// The units and periods are chosen by ``EstimationSample`` (R did's `pre_process_did` rules).
///
/// Complexity: `O(C n1 k^2)` time for `C` cells; `O(C n)` memory for the influence functions
/// (one `n`-vector per cell: 8 bytes x 1M units x 50 cells = 400 MB).
public struct GroupTimeATT: Sendable {
    public let options: StaggeredOptions
    public let cells: [GroupTimeCell]
    /// `influence[c][i]`: unit `i`'s influence-function value for cell `c` (zero outside the cell).
    public let influence: [[Double]]
    /// Units in the estimation sample (after balancing and removing groups without a pre-period).
    public let units: Int
    /// Unit-periods used: `units x periods`.
    public let observations: Int
    /// Per unit of the estimation sample: group (time value, 0 = never treated).
    public let unitGroups: [Int]
    /// Cluster codes per unit of the sample (nil = units).
    public let clusters: [Int]?
    public let clusterCount: Int
    /// Periods of the estimation sample (time values).
    public let periods: [Int]
    public let isBinaryOutcome: Bool
    public let notes: [String]

    /// Estimates every ATT(g,t).
    /// - Throws: ``StaggeredError`` (no never-treated units with `never`, no estimable group, models that cannot be fitted).
    public init(_ data: StaggeredData, options: StaggeredOptions = StaggeredOptions()) throws {
        try options.validate()
        let k = options.anticipation
        let sample = try EstimationSample(data, options: options)
        var notes = sample.notes
        let periods = sample.periods
        let position = sample.position
        let n = sample.unitGroups.count
        let nn = Double(n)
        let unitGroups = sample.unitGroups
        let gpos = sample.groupPositions
        let x = sample.covariates
        let y = sample.outcome
        let tfac = options.basePeriod == .varying ? 1 : 0
        var cells: [GroupTimeCell] = []
        var influence: [[Double]] = []
        var trimmedTotal = 0
        var modelNotes: [String: [String]] = [:]  // note -> cells
        var noteOrder: [String] = []
        for g in sample.estimableGroups {
            guard let gp = position[g] else { continue }
            let universalBase = gp - k - 1
            let treatedIdx = (0..<n).filter { unitGroups[$0] == g }
            for tt in 0..<(periods.count - tfac) {
                let current = tt + tfac
                var base = universalBase
                if options.basePeriod == .varying && current < gp - k { base = tt }
                if options.basePeriod == .universal && base == current {
                    cells.append(GroupTimeCell(group: g, time: periods[current], base: periods[base], event: periods[current] - g,
                                               isPostTreatment: false, isReference: true, att: 0,
                                               treatedUnits: treatedIdx.count, comparisonUnits: 0))
                    influence.append([Double](repeating: 0, count: n))
                    continue
                }
                let limit = Swift.max(current, base) + k
                let comparison = (0..<n).filter { i in
                    unitGroups[i] == 0 || (options.control == .notyet && gpos[i] > limit && unitGroups[i] != g)
                }
                if comparison.isEmpty { throw StaggeredError.noComparisonUnits(group: g, time: periods[current]) }
                let cellUnits = (treatedIdx + comparison).sorted()
                let dY = cellUnits.map { y[current][$0] - y[base][$0] }
                let d = cellUnits.map { unitGroups[$0] == g ? 1.0 : 0.0 }
                let xc = x.selecting(rows: cellUnits, columns: Array(0..<x.columns))
                let est: TwoPeriodDiD.Estimate
                do {
                    est = try TwoPeriodDiD.estimate(options.method, dY: dY, treated: d, x: xc, names: data.covariateNames)
                } catch StaggeredError.iptNotConverged {
                    throw StaggeredError.iptNotConverged(group: g, time: periods[current])
                } catch StaggeredError.comparisonsTrimmed {
                    throw StaggeredError.comparisonsTrimmed(group: g, time: periods[current])
                } catch let e as StaggeredError {
                    throw e
                } catch let e as RegressionError {
                    throw StaggeredError.model(group: g, time: periods[current], e)
                }
                trimmedTotal += est.trimmed
                for note in est.notes {
                    if modelNotes[note] == nil { noteOrder.append(note) }
                    modelNotes[note, default: []].append("(\(g),\(periods[current]))")
                }
                var psi = [Double](repeating: 0, count: n)
                let scale = nn / Double(cellUnits.count)
                for (a, i) in cellUnits.enumerated() { psi[i] = scale * est.influence[a] }
                cells.append(GroupTimeCell(group: g, time: periods[current], base: periods[base], event: periods[current] - g,
                                           isPostTreatment: current >= gp, isReference: false, att: est.att,
                                           treatedUnits: treatedIdx.count, comparisonUnits: comparison.count))
                influence.append(psi)
            }
        }
        for note in noteOrder {
            let where_ = modelNotes[note] ?? []
            let shown = where_.prefix(3).joined(separator: ", ") + (where_.count > 3 ? " and \(where_.count - 3) more" : "")
            notes.append("\(note) in cell\(where_.count == 1 ? "" : "s") \(shown)")
        }
        if trimmedTotal > 0 {
            notes.append("\(trimmedTotal) comparison unit-cells with a propensity score of 0.995 or more given weight 0 (DRDID's trimming)")
        }
        self.options = options
        self.cells = cells
        self.influence = influence
        self.units = n
        self.observations = n * periods.count
        self.unitGroups = unitGroups
        self.clusters = sample.clusters
        self.clusterCount = sample.clusterCount
        self.periods = periods
        self.isBinaryOutcome = data.isBinaryOutcome
        self.notes = notes
    }
}
