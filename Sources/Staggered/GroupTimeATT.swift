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
/// Units of groups without a pre-treatment period (`g <= first period + K`) are removed from the
/// sample with a note, as R did's `pre_process_did` does (they are neither treated cells nor
/// comparisons). A group with fewer than 2 units is not estimated (a note) but stays available as
/// a not-yet-treated comparison. With `notyet` and no never-treated unit, R did's rule applies:
/// periods from the last group's `g - K` on are dropped and the last group serves only as comparison.
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
        var notes = data.notes
        var periods = data.periods
        var position: [Int: Int] = [:]
        for (p, v) in periods.enumerated() { position[v] = p }

        // Groups without a pre-treatment period leave the sample (R did).
        var groupUnits: [Int: Int] = [:]
        for g in data.groups where g != 0 { groupUnits[g, default: 0] += 1 }
        var active = [Int]()
        var removedGroups: [Int] = []
        for i in 0..<data.unitCount {
            let g = data.groups[i]
            if g != 0, let gp = position[g], gp - k < 1 {
                if !removedGroups.contains(g) { removedGroups.append(g) }
                continue
            }
            active.append(i)
        }
        for g in removedGroups.sorted() {
            let u = groupUnits[g] ?? 0
            notes.append("group \(g) (\(u) units) has no pre-treatment period\(k > 0 ? " with anticipation \(k)" : "") and is dropped, as R did does")
        }
        var treatedGroups = Set(active.map { data.groups[$0] }.filter { $0 != 0 }).sorted()
        let hasNever = active.contains { data.groups[$0] == 0 }
        var lastPeriodPosition = periods.count - 1
        switch options.control {
        case .never:
            if !hasNever { throw StaggeredError.noNeverTreated }
        case .notyet:
            if !hasNever, let last = treatedGroups.last, let lp = position[last] {
                // R did: without never-treated units, the last group is the comparison for the earlier ones only.
                lastPeriodPosition = lp - k - 1
                treatedGroups.removeLast()
                notes.append("no never-treated units: group \(last) serves only as comparison and periods from \(periods[Swift.max(0, lp - k)]) on are dropped, as R did does")
            }
        }
        if lastPeriodPosition < 1 { throw StaggeredError.tooFewPeriods(lastPeriodPosition + 1) }
        periods = Array(periods[0...lastPeriodPosition])
        var estimable: [Int] = []
        for g in treatedGroups {
            let u = groupUnits[g] ?? 0
            if u < 2 {
                notes.append("group \(g) has \(u) unit (fewer than 2) and is not estimated; it remains a possible not-yet-treated comparison")
            } else if let gp = position[g], gp - k - 1 <= lastPeriodPosition {
                estimable.append(g)
            }
        }
        if estimable.isEmpty { throw StaggeredError.noTreatedGroups }

        let n = active.count
        let nn = Double(n)
        let unitGroups = active.map { data.groups[$0] }
        let gpos = unitGroups.map { $0 == 0 ? Int.max : (position[$0] ?? Int.max) }
        let x = data.covariates.selecting(rows: active, columns: Array(0..<data.covariates.columns))
        let y = data.outcome.map { col in active.map { col[$0] } }
        let tfac = options.basePeriod == .varying ? 1 : 0
        var cells: [GroupTimeCell] = []
        var influence: [[Double]] = []
        var trimmedTotal = 0
        for g in estimable {
            guard let gp = position[g] else { continue }
            let universalBase = gp - k - 1
            for tt in 0..<(periods.count - tfac) {
                let current = tt + tfac
                var base = universalBase
                if options.basePeriod == .varying && current < gp - k { base = tt }
                let treatedIdx = (0..<n).filter { unitGroups[$0] == g }
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
                } catch let e as StaggeredError {
                    throw e
                } catch let e as RegressionError {
                    throw StaggeredError.model(group: g, time: periods[current], e)
                }
                trimmedTotal += est.trimmed
                var psi = [Double](repeating: 0, count: n)
                let scale = nn / Double(cellUnits.count)
                for (a, i) in cellUnits.enumerated() { psi[i] = scale * est.influence[a] }
                cells.append(GroupTimeCell(group: g, time: periods[current], base: periods[base], event: periods[current] - g,
                                           isPostTreatment: current >= gp, isReference: false, att: est.att,
                                           treatedUnits: treatedIdx.count, comparisonUnits: comparison.count))
                influence.append(psi)
            }
        }
        if trimmedTotal > 0 {
            notes.append("\(trimmedTotal) comparison unit-cells with a propensity score of 0.995 or more given weight 0 (DRDID's trimming)")
        }
        self.options = options
        self.cells = cells
        self.influence = influence
        self.units = n
        self.observations = n * data.periodCount
        self.unitGroups = unitGroups
        if let c = data.clusters {
            // Recode to 0..<G over the sample (removed groups may empty some clusters).
            var code: [Int: Int] = [:]
            var codes = [Int](repeating: 0, count: n)
            for (a, i) in active.enumerated() {
                if let e = code[c[i]] { codes[a] = e } else { code[c[i]] = code.count; codes[a] = code.count - 1 }
            }
            self.clusters = codes
            self.clusterCount = code.count
        } else {
            self.clusters = nil
            self.clusterCount = n
        }
        self.periods = periods
        self.isBinaryOutcome = data.isBinaryOutcome
        self.notes = notes
    }
}
