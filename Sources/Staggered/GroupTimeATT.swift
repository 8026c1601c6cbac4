import _DiDKitParallel
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
/// Complexity: `O(S n1 k^2)` time for the `S` comparison sets' models and `O(C n1 k)` for the `C`
/// cells (all cells of a set share its passes, ``ComparisonSet``); `O(C n)` memory for the influence
/// functions (one `n`-column per cell: 8 bytes x 1M units x 50 cells = 400 MB).
public struct GroupTimeATT: Sendable {
    public let options: StaggeredOptions
    public let cells: [GroupTimeCell]
    /// `influence[i, c]`: unit `i`'s influence-function value for cell `c`, scaled by `n / n1` (zero
    /// outside the cell; `units x cells`, column-major, so each cell's `psi` is one contiguous column).
    public let influence: Matrix
    /// Units in the estimation sample (after balancing and removing groups without a pre-period).
    public let units: Int
    /// Unit-periods used: `units x periods`.
    public let observations: Int
    /// Per unit of the estimation sample: group (time value, 0 = never treated).
    public let unitGroups: [Int]
    /// Units per group of the estimation sample (0 = never treated), counted once here for the cells, the
    /// aggregations and the disclosure gate.
    public let groupSizes: [Int: Int]
    /// Cluster codes per unit of the sample (nil = units).
    public let clusters: [Int]?
    public let clusterCount: Int
    /// The cluster column's name (``StaggeredData/clusterName``; nil: clustered by unit, or ids given as arrays).
    public let clusterName: String?
    /// Periods of the estimation sample (time values).
    public let periods: [Int]
    public let isBinaryOutcome: Bool
    public let notes: [String]
    /// The cells' influence functions and group indicators with their covariance and bootstrap draws.
    let basis: InfluenceBasis

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
        let unitGroups = sample.unitGroups
        let x = sample.covariates
        let y = sample.outcome
        let tfac = options.basePeriod == .varying ? 1 : 0
        // The plan: every cell in R did's order, with the comparison set it uses.
        var plan: [PlannedCell] = []
        for g in sample.estimableGroups {
            guard let gp = position[g] else { continue }
            let universalBase = gp - k - 1
            for tt in 0..<(periods.count - tfac) {
                let current = tt + tfac
                var base = universalBase
                if options.basePeriod == .varying && current < gp - k { base = tt }
                let reference = options.basePeriod == .universal && base == current
                // The comparison groups (0 = never treated): with notyet also those with G > max(t, base) + K, G != g.
                let limit = Swift.max(current, base) + k
                let comparison = sample.groupsPresent.filter { h in
                    h == 0 || (options.control == .notyet && h != g && (position[h] ?? Int.max) > limit)
                }
                plan.append(PlannedCell(group: g, current: current, base: base, reference: reference, comparison: comparison))
            }
        }
        // One ComparisonSet per (group, comparison groups); its cells run in parallel.
        var results = [TwoPeriodDiD.Estimate?](repeating: nil, count: plan.count)
        var counts = [(treated: Int, comparison: Int)](repeating: (0, 0), count: plan.count)
        let order = Self.comparisonSets(plan)
        useSingleThreadedBLAS()
        // The sets run in parallel (each also runs its cells in parallel); their outcomes are taken in
        // order below, so the first error is the one a serial loop would meet first.
        let groupOfUnit = unitGroups
        let groupsPresent = sample.groupsPresent
        let groupIndex = unitGroups.map { g -> Int in
            var lo = 0, hi = groupsPresent.count
            while lo < hi { let mid = (lo + hi) / 2; if groupsPresent[mid] < g { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        let sets = order.map { members in members.map { plan[$0] } }
        // The design's distinct rows, when few (0/1 covariates): the sets' propensity logits are fitted on them.
        let patterns = options.method == .reg ? nil : CovariatePatterns(x, limit: n / Self.compressionRatio)
        let sharedOutcomes = Self.sharedOutcomeModels(sets: sets, method: options.method, groupIndex: groupIndex,
                                                      groupsPresent: groupsPresent, x: x, y: y, names: data.covariateNames)
        // The influence functions, one column per cell (zero outside the cell's units; reference cells
        // stay zero), each set writing its own columns at its own units' rows.
        var elements: [Double] = parallelSegments(segments: plan.count, length: n) { _, column in
            for i in column.indices { column[i] = 0 }
        }
        let outcomes: [Result<[SetCell], any Error>] = elements.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return [] }  // no cell: no set either
            let columns = InfluenceColumns(base: base, rows: n)
            return parallelMap(count: sets.count) { e in
                Result {
                    try Self.runSet(plan: sets[e], columns: order[e], method: options.method, unitGroups: groupOfUnit,
                                    groupIndex: groupIndex, groupsPresent: groupsPresent, x: x, y: y,
                                    names: data.covariateNames, periods: periods,
                                    sharedOutcome: sharedOutcomes[sets[e][0].comparison], patterns: patterns, into: columns)
                }
            }
        }
        let influence = Matrix(rows: n, columns: plan.count, columnMajor: elements)
        for (e, members) in order.enumerated() {
            let setCells = try outcomes[e].get()
            for (a, c) in members.enumerated() {
                results[c] = setCells[a].estimate
                counts[c] = setCells[a].counts
            }
        }
        var cells: [GroupTimeCell] = []
        var trimmedTotal = 0
        var modelNotes: [String: [String]] = [:]  // note -> cells
        var noteOrder: [String] = []
        var groupSize: [Int: Int] = [:]
        for g in unitGroups { groupSize[g, default: 0] += 1 }
        for (c, p) in plan.enumerated() {
            let treatedUnits = groupSize[p.group] ?? 0
            guard let est = results[c] else {
                cells.append(GroupTimeCell(group: p.group, time: periods[p.current], base: periods[p.base], event: periods[p.current] - p.group,
                                           isPostTreatment: false, isReference: true, att: 0, treatedUnits: treatedUnits, comparisonUnits: 0))
                continue
            }
            trimmedTotal += est.trimmed
            for note in est.notes {
                if modelNotes[note] == nil { noteOrder.append(note) }
                modelNotes[note, default: []].append("(\(p.group),\(periods[p.current]))")
            }
            let gp = position[p.group] ?? 0
            cells.append(GroupTimeCell(group: p.group, time: periods[p.current], base: periods[p.base], event: periods[p.current] - p.group,
                                       isPostTreatment: p.current >= gp, isReference: false, att: est.att,
                                       treatedUnits: counts[c].treated, comparisonUnits: counts[c].comparison))
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
        self.groupSizes = groupSize
        self.clusters = sample.clusters
        self.clusterCount = sample.clusterCount
        self.clusterName = sample.clusters == nil ? nil : data.clusterName
        self.periods = periods
        self.isBinaryOutcome = data.isBinaryOutcome
        self.notes = notes
        basis = InfluenceBasis(cells: influence, unitGroups: unitGroups,
                               variance: InfluenceVariance(units: n, clusters: sample.clusters, clusterCount: sample.clusterCount),
                               bootstrap: options.bootstrap > 0
                                   ? MultiplierBootstrap(replications: options.bootstrap, seed: options.seed, weights: options.weights) : nil)
    }

    /// The propensity logits are fitted on the design's distinct rows when there are at most `n / 8` of them
    /// (``CovariatePatterns``): below that the pass that finds them costs more than it saves.
    static let compressionRatio = 8

    /// The plan's non-reference cells grouped by comparison set (group and comparison groups), sets in the
    /// order of their first cell, cells in plan order.
    static func comparisonSets(_ plan: [PlannedCell]) -> [[Int]] {
        var order: [[Int]] = []
        var keyIndex: [[Int]: Int] = [:]
        for (c, p) in plan.enumerated() where !p.reference {
            let key = [p.group] + p.comparison
            if let e = keyIndex[key] { order[e].append(c) } else { keyIndex[key] = order.count; order.append([c]) }
        }
        return order
    }

    /// The sample positions (ascending) of the units whose group is in `groups`, by each unit's position among
    /// the groups present (no hashing per unit).
    static func units(inGroups groups: [Int], groupIndex: [Int], groupsPresent: [Int]) -> [Int] {
        let member = groupsPresent.map { groups.contains($0) }
        return groupIndex.indices.filter { member[groupIndex[$0]] }
    }

    /// One cell of the plan: group, period and base positions, and the comparison groups (0 = never treated).
    struct PlannedCell: Sendable { var group: Int; var current: Int; var base: Int; var reference: Bool; var comparison: [Int] }

    /// One estimated cell of a comparison set (its influence function written into the estimation's
    /// column) and the treated and comparison counts.
    struct SetCell: Sendable {
        var estimate: TwoPeriodDiD.Estimate
        var counts: (treated: Int, comparison: Int)
    }

    /// The cells of one comparison set (the cells sharing a group and comparison groups): the set's
    /// nuisance models once, then all its cells in shared passes, `psi` (scaled by `n / n1`) written into
    /// `columns` at the plan positions `cellColumns`. Errors are located at the set's first cell.
    static func runSet(plan planned: [PlannedCell], columns cellColumns: [Int], method: ATTMethod, unitGroups: [Int],
                       groupIndex: [Int], groupsPresent: [Int], x: Matrix, y: [[Double]],
                       names: [String], periods: [Int], sharedOutcome: Result<OutcomeModel, any Error>?,
                       patterns: CovariatePatterns?, into columns: InfluenceColumns) throws -> [SetCell] {
        let first = planned[0]
        let cellUnits = units(inGroups: [first.group] + first.comparison, groupIndex: groupIndex, groupsPresent: groupsPresent)
        let treatedCount = cellUnits.reduce(0) { $0 + (unitGroups[$1] == first.group ? 1 : 0) }
        if cellUnits.count == treatedCount {
            throw StaggeredError.noComparisonUnits(group: first.group, time: periods[first.current])
        }
        let d = cellUnits.map { unitGroups[$0] == first.group ? 1.0 : 0.0 }
        let firstChange = {
            y[first.current].withUnsafeBufferPointer { a in y[first.base].withUnsafeBufferPointer { b in cellUnits.map { a[$0] - b[$0] } } }
        }
        let set: ComparisonSet
        do {
            set = try ComparisonSet(method: method, units: cellUnits, treated: d,
                                    x: x.selecting(rows: cellUnits, columns: Array(0..<x.columns)),
                                    names: names, firstChange: firstChange, sharedOutcome: sharedOutcome,
                                    patterns: patterns?.subset(cellUnits))
        } catch {
            throw located(error, group: first.group, time: periods[first.current])
        }
        let scale = Double(columns.rows) / Double(cellUnits.count)
        let att = set.estimate(cells: planned.map { CellPeriods(now: y[$0.current], base: y[$0.base]) },
                               scale: scale, into: columns, at: cellColumns)
        return att.map { value in
            SetCell(estimate: TwoPeriodDiD.Estimate(att: value, trimmed: set.trimmed, notes: set.notes),
                    counts: (treatedCount, cellUnits.count - treatedCount))
        }
    }

    /// reg and dr: the outcome model fitted once per list of comparison groups that two or more sets share
    /// (with never-treated comparisons, one fit instead of one per group). Its kept columns, bread and notes
    /// depend only on the comparison units' design rows, so every set gets what its own fit would give; the
    /// fit uses the first such set's first change, as that set's own fit did. Lists used by one set are left
    /// to the set (fitted there, in parallel with the other sets).
    static func sharedOutcomeModels(sets: [[PlannedCell]], method: ATTMethod, groupIndex: [Int], groupsPresent: [Int],
                                    x: Matrix, y: [[Double]], names: [String]) -> [[Int]: Result<OutcomeModel, any Error>] {
        guard method == .reg || method == .dr else { return [:] }
        var users: [[Int]: Int] = [:]
        for set in sets { users[set[0].comparison, default: 0] += 1 }
        var shared: [[Int]: Result<OutcomeModel, any Error>] = [:]
        for set in sets {
            let first = set[0]
            guard (users[first.comparison] ?? 0) > 1, shared[first.comparison] == nil else { continue }
            let controls = units(inGroups: first.comparison, groupIndex: groupIndex, groupsPresent: groupsPresent)
            // The change over all sample units, read at the controls (the model copies their rows of `x` once).
            let change = zip(y[first.current], y[first.base]).map { $0 - $1 }
            shared[first.comparison] = Result { try OutcomeModel(dY: change, controls: controls, x: x, names: names) }
        }
        return shared
    }

    /// A nuisance-model error, located at the cell (or the first cell of the comparison set) it came from.
    static func located(_ error: any Error, group g: Int, time t: Int) -> any Error {
        switch error {
        case StaggeredError.iptNotConverged: return StaggeredError.iptNotConverged(group: g, time: t)
        case StaggeredError.comparisonsTrimmed: return StaggeredError.comparisonsTrimmed(group: g, time: t)
        case let e as StaggeredError: return e
        case let e as RegressionError: return StaggeredError.model(group: g, time: t, e)
        default: return error
        }
    }
}
