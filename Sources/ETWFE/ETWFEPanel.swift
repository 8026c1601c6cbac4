import Linalg
import Staggered

/// One treated cohort x period cell of the design (`g` its first treated
/// period, `t` a period; `t >= g` post-treatment, `t < g` a placebo cell of the
/// `never` design).
public struct ETWFECell: Sendable, Hashable {
    public let group: Int
    public let time: Int
    /// Position of the cohort in ``ETWFEPanel/treatedCohorts`` and of the period in ``ETWFEPanel/periods``.
    public let cohortIndex: Int
    public let periodIndex: Int
    /// Treated observations (= persons, the panel is balanced) in the cell.
    public let persons: Int
    public var event: Int { time - group }
    public var isPostTreatment: Bool { time >= group }
}

/// The balanced person-year panel as ETWFE uses it, built from
/// ``StaggeredData`` (which reads, balances and validates it: unbalanced units
/// are dropped with a reported count, groups must be constant within a unit).
///
/// On top of that, ETWFE's own sample rules (each reported in ``notes``):
/// - a cohort first treated in the first period has no pre-treatment period
///   (its cohort effect and its treatment effects cannot be told apart): its
///   units are dropped, as R did and fetwfe do (etwfe leaves the collinearity to fixest);
/// - with `notyet` controls and no never-treated units, the last cohort is the
///   reference cohort (Wooldridge 2021, sec. 6; jwdid does the same) and the
///   periods from its start on, which have no untreated observation left, are
///   dropped from the sample ("no not-yet-treated comparison");
/// - cells are indexed person-major: design row `i * T + p` is unit `i` in kept period `p`,
///   so each person's rows are contiguous (cluster scores in one pass).
///
/// Complexity: `O(n T + n k)` time and memory for `n` units, `T` periods, `k` covariates.
public struct ETWFEPanel: Sendable {
    /// Kept periods (time values), sorted.
    public let periods: [Int]
    /// `outcome[i * T + p]`: unit `i` in kept period `p`.
    public let outcome: [Double]
    /// Per unit: first treated period, 0 for never treated.
    public let groups: [Int]
    /// The treated cohorts with an indicator in the design, sorted (the reference cohort excluded).
    public let treatedCohorts: [Int]
    /// Per unit: index into ``treatedCohorts`` or -1 (never treated, or the reference cohort).
    public let cohortIndex: [Int]
    /// Baseline covariates per unit (`n x k`, no intercept).
    public let covariates: Matrix
    public let covariateNames: [String]
    /// Per treated cohort: the mean of each covariate over its units (the centring of the treatment interactions).
    public let cohortMeans: [[Double]]
    /// Cluster code per unit (`0..<clusterCount`).
    public let clusters: [Int32]
    public let clusterCount: Int
    public let isBinaryOutcome: Bool
    public let cells: [ETWFECell]
    public let notes: [String]

    public var unitCount: Int { groups.count }
    public var periodCount: Int { periods.count }
    public var observations: Int { outcome.count }

    /// - Throws: ``ETWFEError/noNeverTreated``, ``ETWFEError/noTreatedCohorts``.
    public init(_ data: StaggeredData, control: ETWFEControl) throws {
        var notes = data.notes
        guard let first = data.periods.first else { throw ETWFEError.noTreatedCohorts }
        // Units of a cohort treated in the first period go.
        var keep: [Int] = []
        var firstPeriodTreated = 0
        for i in 0..<data.unitCount {
            let g = data.groups[i]
            if g != 0 && g <= first { firstPeriodTreated += 1 } else { keep.append(i) }
        }
        if firstPeriodTreated > 0 {
            notes.append("\(firstPeriodTreated) units of a cohort treated in the first period (\(first)) dropped: they have no pre-treatment period")
        }
        let groups = keep.map { data.groups[$0] }
        let hasNever = groups.contains(0)
        if control == .never && !hasNever { throw ETWFEError.noNeverTreated }
        var cohorts = Array(Set(groups.filter { $0 != 0 })).sorted()
        if cohorts.isEmpty { throw ETWFEError.noTreatedCohorts }
        // Periods with an untreated observation (needed for a comparison in every kept period).
        var keptPeriodPositions = Array(data.periods.indices)
        if !hasNever, let last = cohorts.last {
            cohorts.removeLast()
            let before = keptPeriodPositions.count
            keptPeriodPositions.removeAll { data.periods[$0] >= last }
            notes.append("no never-treated units: cohort \(last) is the reference cohort and the \(before - keptPeriodPositions.count) periods from \(last) on are dropped (no not-yet-treated comparison left)")
            if cohorts.isEmpty || keptPeriodPositions.count < 2 { throw ETWFEError.noTreatedCohorts }
        }
        let periods = keptPeriodPositions.map { data.periods[$0] }
        let nT = periods.count
        let n = keep.count
        var outcome = [Double](repeating: 0, count: n * nT)
        outcome.withUnsafeMutableBufferPointer { out in
            for (p, pp) in keptPeriodPositions.enumerated() {
                data.outcome[pp].withUnsafeBufferPointer { y in for (k, i) in keep.enumerated() { out[k * nT + p] = y[i] } }
            }
        }
        // Cohorts are few: a binary search of the sorted list (no hashing per unit).
        let cohortIndex = groups.map { g -> Int in
            var lo = 0, hi = cohorts.count
            while lo < hi { let mid = (lo + hi) / 2; if cohorts[mid] < g { lo = mid + 1 } else { hi = mid } }
            return lo < cohorts.count && cohorts[lo] == g ? lo : -1
        }
        // Covariates without the intercept (StaggeredData puts `_cons` last).
        let kAll = data.covariateNames.count
        let covariateColumns = (0..<kAll).filter { data.covariateNames[$0] != "_cons" }
        let names = covariateColumns.map { data.covariateNames[$0] }
        let x = Matrix(columns: covariateColumns.map { j in keep.map { data.covariates[$0, j] } })
        var means = [[Double]](repeating: [Double](repeating: 0, count: names.count), count: cohorts.count)
        var counts = [Int](repeating: 0, count: cohorts.count)
        for k in 0..<n where cohortIndex[k] >= 0 {
            counts[cohortIndex[k]] += 1
            for j in 0..<names.count { means[cohortIndex[k]][j] += x[k, j] }
        }
        for c in cohorts.indices where counts[c] > 0 { means[c] = means[c].map { $0 / Double(counts[c]) } }
        // Cells.
        var cells: [ETWFECell] = []
        for (c, g) in cohorts.enumerated() {
            for (p, t) in periods.enumerated() {
                switch control {
                case .notyet: if t < g { continue }
                case .never: if p == 0 { continue }
                }
                cells.append(ETWFECell(group: g, time: t, cohortIndex: c, periodIndex: p, persons: counts[c]))
            }
        }
        if !cells.contains(where: \.isPostTreatment) { throw ETWFEError.noTreatedCohorts }
        // Clusters recoded over the kept units, in order of first appearance.
        let (clusters, clusterCount) = Self.recodeClusters(data.clusters, count: data.clusterCount, keep: keep)
        self.periods = periods
        self.outcome = outcome
        self.groups = groups
        self.treatedCohorts = cohorts
        self.cohortIndex = cohortIndex
        self.covariates = x
        self.covariateNames = names
        self.cohortMeans = means
        self.clusters = clusters
        self.clusterCount = clusterCount
        self.isBinaryOutcome = outcome.allSatisfy { $0 == 0 || $0 == 1 }
        self.cells = cells
        self.notes = notes
    }

    /// Cluster codes of the kept units renumbered `0..<G` in order of first appearance. Without a cluster
    /// column each unit is its own cluster (codes `0..<n`). ``StaggeredData`` codes clusters `0..<count`,
    /// so the renumbering is an array lookup. `O(n + count)`.
    /// The codes fit in 32 bits: ``StaggeredData`` refuses panels of more than 2^31 - 1 rows, so there are fewer units.
    static func recodeClusters(_ codes: [Int]?, count: Int, keep: [Int]) -> (codes: [Int32], count: Int) {
        guard let codes else { return (keep.indices.map { Int32(truncatingIfNeeded: $0) }, keep.count) }
        var renumbered = [Int32](repeating: -1, count: Swift.max(count, (codes.max() ?? -1) + 1))
        var next: Int32 = 0
        var out = [Int32](repeating: 0, count: keep.count)
        for (k, i) in keep.enumerated() {
            let c = codes[i]
            if renumbered[c] < 0 { renumbered[c] = next; next += 1 }
            out[k] = renumbered[c]
        }
        return (out, Int(next))
    }
}
