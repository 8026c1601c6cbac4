import Linalg

/// The units and periods the group-time estimation runs on, chosen as R did's `pre_process_did` does.
///
/// - Units of groups without a pre-treatment period (`g <= first period + K`) leave the sample
///   (note with the count): they are neither treated cells nor comparisons.
/// - `control = never` needs never-treated units (else ``StaggeredError/noNeverTreated``).
/// - `control = notyet` without never-treated units: the last group serves only as comparison and
///   the periods from its `g - K` on are dropped (R did's rule).
/// - A group with fewer than 2 units is not estimated (note) but stays as a not-yet-treated comparison.
///
/// Complexity: `O(n T + n k)` to copy the outcomes and the baseline design of the sample.
struct EstimationSample {
    /// Sorted periods used (time values) and each period's position.
    let periods: [Int]
    let position: [Int: Int]
    /// Per sample unit: group (time value, 0 = never) and the group's period position (`Int.max` for never).
    let unitGroups: [Int]
    let groupPositions: [Int]
    /// The distinct groups of the sample units (0 = never treated), ascending.
    let groupsPresent: [Int]
    /// `outcome[p][i]` and the baseline design of the sample units.
    let outcome: [[Double]]
    let covariates: Matrix
    /// Groups with an ATT(g,t) to estimate, ascending.
    let estimableGroups: [Int]
    /// Per sample unit cluster codes `0..<clusterCount` (nil: units).
    let clusters: [Int]?
    let clusterCount: Int
    let notes: [String]

    init(_ data: StaggeredData, options: StaggeredOptions) throws {
        let k = options.anticipation
        var notes = data.notes
        var position: [Int: Int] = [:]
        for (p, v) in data.periods.enumerated() { position[v] = p }

        var groupUnits: [Int: Int] = [:]
        for g in data.groups where g != 0 { groupUnits[g, default: 0] += 1 }
        var active = [Int]()
        var removedGroups = Set<Int>()
        for i in 0..<data.unitCount {
            let g = data.groups[i]
            if g != 0, let gp = position[g], gp - k < 1 {
                removedGroups.insert(g)
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
        var lastPosition = data.periods.count - 1
        switch options.control {
        case .never:
            if !hasNever { throw StaggeredError.noNeverTreated }
        case .notyet:
            if !hasNever, let last = treatedGroups.last, let lp = position[last] {
                lastPosition = lp - k - 1
                treatedGroups.removeLast()
                notes.append("no never-treated units: group \(last) serves only as comparison and periods from \(data.periods[Swift.max(0, lp - k)]) on are dropped, as R did does")
            }
        }
        if lastPosition < 1 { throw StaggeredError.tooFewPeriods(lastPosition + 1) }
        var estimable: [Int] = []
        for g in treatedGroups {
            let u = groupUnits[g] ?? 0
            if u < 2 {
                notes.append("group \(g) has \(u) unit (fewer than 2) and is not estimated; it remains a possible not-yet-treated comparison")
            } else if let gp = position[g], gp - k - 1 <= lastPosition {
                estimable.append(g)
            }
        }
        if estimable.isEmpty { throw StaggeredError.noTreatedGroups(anticipation: k) }

        periods = Array(data.periods[0...lastPosition])
        self.position = position
        unitGroups = active.map { data.groups[$0] }
        groupsPresent = Set(unitGroups).sorted()
        groupPositions = unitGroups.map { $0 == 0 ? Int.max : (position[$0] ?? Int.max) }
        // Every unit active (no group dropped): the panel's arrays as they are (no copy).
        let everyUnit = active.count == data.unitCount
        outcome = everyUnit ? Array(data.outcome[0...lastPosition]) : data.outcome[0...lastPosition].map { col in active.map { col[$0] } }
        covariates = everyUnit ? data.covariates : data.covariates.selecting(rows: active, columns: Array(0..<data.covariates.columns))
        estimableGroups = estimable
        if let c = data.clusters {
            // Recoded to 0..<G over the sample (removed groups may empty some clusters).
            var code: [Int: Int] = [:]
            var codes = [Int](repeating: 0, count: active.count)
            for (a, i) in active.enumerated() {
                if let e = code[c[i]] { codes[a] = e } else { code[c[i]] = code.count; codes[a] = code.count - 1 }
            }
            if code.count < 2 {
                throw StaggeredError.invalidOption("clustered standard errors need at least 2 clusters, the sample has \(code.count)")
            }
            clusters = codes
            clusterCount = code.count
        } else {
            clusters = nil
            clusterCount = active.count
        }
        self.notes = notes
    }
}
