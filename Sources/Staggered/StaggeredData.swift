import Design
import Foundation
import Linalg
import Tabular

/// A balanced unit-by-period panel for the group-time estimators: one outcome
/// per unit and period, the unit's group (first treated period, 0 = never
/// treated), its baseline covariates and its cluster.
///
/// ## Contract
/// - Periods are the distinct values of the time column, sorted. Internally
///   the estimators work with period *positions* (0, 1, ...), so `anticipation`
///   counts periods; on a panel of consecutive years (a register) positions and
///   years differ by a constant and nothing changes. Event times `t - g` are
///   reported in the time column's own units (as R did's `aggte`).
/// - Balancing (R did's `panel = TRUE` requires a balanced panel; its
///   `BMisc::makeBalancedPanel` drops incomplete units): a unit missing any
///   period, or with a missing outcome, id, time, group or covariate value in
///   any period, is dropped; the count is put in ``notes``, never silent.
/// - The group must be constant within a unit (else ``StaggeredError/groupVaries(units:)``);
///   a group after the last period is recoded to never treated (R did does the
///   same: such units are untreated throughout the sample), with a note; any
///   other group value that is not an observed period is an error.
/// - Covariates are taken at their baseline value: the unit's row in the first
///   period (the convention; R did's `panel2cs2` takes the earlier period
///   of each 2x2 cell, the same for time-invariant covariates such as mpdta's
///   `lpop`). A covariate constant across units is dropped with a note (it is
///   collinear with the intercept). The design carries the intercept `_cons` last.
/// - Complexity: `O(N log N)` for `N` rows (sorting ids), `O(n k)` memory for the
///   baseline design of `n` units and `k` columns, `O(n T)` for the outcomes.
public struct StaggeredData: Sendable {
    /// The sorted distinct periods (time values).
    public let periods: [Int]
    /// The unit ids, in the order of the arrays below (sorted; for a text id column built from a
    /// ``Table``, the codes of its dictionary encoding).
    public let unitIDs: [Double]
    /// `outcome[p][i]`: the outcome of unit `i` in period position `p`.
    public let outcome: [[Double]]
    /// Per unit: the first treated period (time value), 0 for never treated.
    public let groups: [Int]
    /// Baseline design `n x k`, columns ``covariateNames`` (`_cons` last).
    public let covariates: Matrix
    public let covariateNames: [String]
    /// Per-unit cluster codes `0..<clusterCount` (nil: each unit its own cluster).
    public let clusters: [Int]?
    public let clusterCount: Int
    /// Whether every outcome value is 0 or 1 (effects are then reported in percentage points).
    public let isBinaryOutcome: Bool
    /// Units dropped while balancing the panel.
    public let droppedUnits: Int
    /// What was done to the data (dropped units, recoded groups, dropped covariates).
    public let notes: [String]

    public var unitCount: Int { groups.count }
    public var periodCount: Int { periods.count }

    /// Builds the panel from row arrays (one row per unit and period).
    ///
    /// - Parameters:
    ///   - covariates: optional `N x k` matrix of covariates per row (without an intercept), named `covariateNames`;
    ///     each unit's first-period row is used.
    ///   - cluster: optional cluster code per row (constant within a unit).
    ///   - notes: notes from upstream (rows already left out for missing values), kept first.
    /// - Throws: ``StaggeredError``.
    public init(id: [Double], time: [Double], outcome: [Double], group: [Double], covariates: Matrix? = nil,
                covariateNames: [String] = [], cluster: [Int]? = nil, notes upstreamNotes: [String] = []) throws {
        let nRows = id.count
        for (a, what) in [(time, "time"), (outcome, "outcome"), (group, "group")] where a.count != nRows {
            throw StaggeredError.lengthMismatch(expected: nRows, found: a.count, what: "the \(what) array")
        }
        if let c = cluster, c.count != nRows { throw StaggeredError.lengthMismatch(expected: nRows, found: c.count, what: "the cluster array") }
        if let x = covariates {
            if x.rows != nRows { throw StaggeredError.lengthMismatch(expected: nRows, found: x.rows, what: "the covariate matrix") }
            if x.columns != covariateNames.count {
                throw StaggeredError.invalidOption("the covariate matrix has \(x.columns) columns but \(covariateNames.count) names")
            }
        }
        var notes = upstreamNotes
        // Rows with a missing (non-finite) value: their unit will be incomplete and dropped when balancing.
        var rowOK = [Bool](repeating: true, count: nRows)
        var missingRows = 0
        for r in 0..<nRows where !(id[r].isFinite && time[r].isFinite && outcome[r].isFinite && group[r].isFinite) {
            rowOK[r] = false
        }
        if let x = covariates {
            x.storage.withUnsafeBufferPointer { xs in
                for j in 0..<x.columns {
                    let base = j * nRows
                    for r in 0..<nRows where !xs[base + r].isFinite { rowOK[r] = false }
                }
            }
        }
        for r in 0..<nRows where !rowOK[r] { missingRows += 1 }
        if missingRows > 0 { notes.append("\(missingRows) rows with a missing value left out (their units are then incomplete)") }
        func whole(_ v: Double, _ column: String) throws -> Int {
            guard v == v.rounded(), Swift.abs(v) < 1e15 else { throw StaggeredError.notWholeNumber(column: column, value: v) }
            return Int(v)
        }
        // Periods.
        var periodSet = Set<Int>()
        for r in 0..<nRows where rowOK[r] { periodSet.insert(try whole(time[r], "time")) }
        let periods = periodSet.sorted()
        if periods.count < 2 { throw StaggeredError.tooFewPeriods(periods.count) }
        var periodIndex: [Int: Int] = [:]
        for (p, v) in periods.enumerated() { periodIndex[v] = p }
        let nT = periods.count
        let periodOf = try Self.positions(time, rowOK: rowOK, index: periodIndex)

        // Units (all ids, including those whose rows are all missing, so the drop count is complete).
        let (allIDs, unitOf) = Self.unitCodes(id)
        let nAll = allIDs.count
        // rowOf[i * nT + p]: the row of unit i in period position p (-1: none).
        var rowOf = [Int](repeating: -1, count: nAll * nT)
        var duplicates = 0
        var groupOf = [Int?](repeating: nil, count: nAll)
        var groupVaries = Set<Int>()
        var clusterOf = [Int?](repeating: nil, count: nAll)
        var clusterVaries = Set<Int>()
        var incomplete = [Bool](repeating: false, count: nAll)
        for r in 0..<nRows {
            let i = unitOf[r]
            guard i >= 0 else { continue }
            if !rowOK[r] { incomplete[i] = true; continue }
            let p = periodOf[r]
            if rowOf[i * nT + p] >= 0 { duplicates += 1; continue }
            rowOf[i * nT + p] = r
            let g = try whole(group[r], "group")
            if let g0 = groupOf[i], g0 != g { groupVaries.insert(i) } else { groupOf[i] = g }
            if let c = cluster?[r] {
                if let c0 = clusterOf[i], c0 != c { clusterVaries.insert(i) } else { clusterOf[i] = c }
            }
        }
        if duplicates > 0 { throw StaggeredError.duplicateRows(count: duplicates) }
        if !groupVaries.isEmpty { throw StaggeredError.groupVaries(units: groupVaries.count) }
        if !clusterVaries.isEmpty { throw StaggeredError.clusterVaries(units: clusterVaries.count) }

        // Balance.
        var kept: [Int] = []
        for i in 0..<nAll where !incomplete[i] && !rowOf[(i * nT)..<((i + 1) * nT)].contains(-1) { kept.append(i) }
        let dropped = nAll - kept.count
        if kept.isEmpty { throw StaggeredError.noBalancedUnits(dropped: dropped) }
        if dropped > 0 {
            notes.append("\(dropped) of \(nAll) units dropped to balance the panel (not observed with complete data in all \(nT) periods)")
        }
        let n = kept.count
        var outcomeByPeriod = [[Double]](repeating: [Double](repeating: 0, count: n), count: nT)
        for (k, i) in kept.enumerated() { for p in 0..<nT { outcomeByPeriod[p][k] = outcome[rowOf[i * nT + p]] } }

        // Groups.
        let last = periods[nT - 1]
        var recoded = 0
        var groups = [Int](repeating: 0, count: n)
        for (k, i) in kept.enumerated() {
            var g = groupOf[i] ?? 0
            if g < 0 { throw StaggeredError.notWholeNumber(column: "group (a first treated period, 0 for never treated)", value: Double(g)) }
            if g > last { g = 0; recoded += 1 }
            if g != 0 && periodIndex[g] == nil { throw StaggeredError.groupNotAPeriod(group: g) }
            groups[k] = g
        }
        if recoded > 0 { notes.append("\(recoded) units first treated after the last period (\(last)) treated as never treated") }

        // Baseline covariates: the first-period row; constant columns dropped.
        var names: [String] = []
        var columns: [[Double]] = []
        if let x = covariates {
            for j in 0..<x.columns {
                let col = kept.map { x.storage[j * nRows + rowOf[$0 * nT]] }
                if let first = col.first, col.allSatisfy({ $0 == first }) {
                    notes.append("covariate \(covariateNames[j]) is constant across units at baseline and is dropped (collinear with the intercept)")
                    continue
                }
                names.append(covariateNames[j])
                columns.append(col)
            }
        }
        names.append(TermName.intercept)
        columns.append([Double](repeating: 1, count: n))

        // Clusters recoded to 0..<G over the kept units.
        var clusterCodes: [Int]?
        var clusterCount = n
        if cluster != nil {
            var code: [Int: Int] = [:]
            var codes = [Int](repeating: 0, count: n)
            for (k, i) in kept.enumerated() {
                let c = clusterOf[i] ?? 0
                if let existing = code[c] { codes[k] = existing } else { code[c] = code.count; codes[k] = code.count - 1 }
            }
            clusterCodes = codes
            clusterCount = code.count
        }

        self.periods = periods
        self.unitIDs = kept.map { allIDs[$0] }
        self.outcome = outcomeByPeriod
        self.groups = groups
        self.covariates = Matrix(columns: columns)
        self.covariateNames = names
        self.clusters = clusterCodes
        self.clusterCount = clusterCount
        self.isBinaryOutcome = outcomeByPeriod.allSatisfy { $0.allSatisfy { $0 == 0 || $0 == 1 } }
        self.droppedUnits = dropped
        self.notes = notes
    }

    /// Each row's period position (0 for rows left out: they are never read).
    static func positions(_ time: [Double], rowOK: [Bool], index: [Int: Int]) throws -> [Int] {
        var out = [Int](repeating: 0, count: time.count)
        for r in time.indices where rowOK[r] { out[r] = index[Int(time[r])] ?? 0 }
        return out
    }

    /// The sorted distinct finite ids and each row's unit code (-1 for a missing id). Ids that are
    /// whole numbers in `0..<4 count` (a text id's dictionary codes, small person numbers) are
    /// coded by direct indexing in `O(N)`; other ids through a hash map.
    static func unitCodes(_ id: [Double]) -> (ids: [Double], codes: [Int]) {
        let n = id.count
        let bound = Swift.max(16, 4 * n)
        var dense = true
        for v in id where v.isFinite && !(v >= 0 && v < Double(bound) && v == v.rounded()) { dense = false; break }
        var codes = [Int](repeating: -1, count: n)
        if dense {
            var slot = [Int](repeating: -1, count: bound)
            for v in id where v.isFinite { slot[Int(v)] = 0 }
            var ids: [Double] = []
            for k in 0..<bound where slot[k] == 0 { slot[k] = ids.count; ids.append(Double(k)) }
            for r in 0..<n where id[r].isFinite { codes[r] = slot[Int(id[r])] }
            return (ids, codes)
        }
        var set = Set<Double>(minimumCapacity: n / 4)
        for v in id where v.isFinite { set.insert(v) }
        let ids = set.sorted()
        var index: [Double: Int] = Dictionary(minimumCapacity: ids.count)
        for (i, v) in ids.enumerated() { index[v] = i }
        for r in 0..<n where id[r].isFinite { codes[r] = index[id[r]] ?? -1 }
        return (ids, codes)
    }

    /// Builds the panel from a table by column names.
    ///
    /// Covariates may name numeric columns and `factors` (text or numeric
    /// categorical columns), expanded to indicators by ``DesignMatrix`` (base
    /// level the smallest). The cluster column may be text or numeric. Rows with a
    /// missing value in any used column are left out (their units then drop when
    /// balancing, with the count in the notes). A text id column is encoded.
    /// - Throws: ``StaggeredError`` (wrapping ``DataError`` for unknown or mistyped columns).
    public init(table: Table, id: String, time: String, outcome: String, group: String, covariates: [String] = [],
                factors: [String] = [], cluster: String? = nil) throws {
        do {
            let spec = ModelSpecification(outcome: outcome, covariates: covariates, factors: factors, intercept: false, cluster: cluster)
            let design = try DesignMatrix.build(table, spec)
            let rows = design.rowIndices
            func numericColumn(_ name: String) throws -> [Double] {
                switch try table.column(name) {
                case .numeric(let c): return rows.map { c[$0].isNaN || c.isMissing($0) ? .nan : c[$0] }
                case .text(let t):
                    if name == id {
                        let (codes, _) = t.dictionaryEncoded()
                        return rows.map { t[$0] == nil ? .nan : Double(codes[$0]) }
                    }
                    if name == group {
                        // An empty group cell means never treated (the contract); other text is an error.
                        return try rows.map { r in
                            guard let s = t[r], !s.trimmingCharacters(in: .whitespaces).isEmpty else { return 0 }
                            guard let v = Double(s) else { throw DataError.nonNumeric(column: name, row: r + 2, value: s) }
                            return v
                        }
                    }
                    throw DataError.wrongColumnType(column: name, expected: "numeric")
                }
            }
            let idValues = try numericColumn(id)
            let timeValues = try numericColumn(time)
            var groupValues = try numericColumn(group)
            // An empty numeric group cell means never treated (contract: "0 or empty = never treated").
            for k in groupValues.indices where groupValues[k].isNaN { groupValues[k] = 0 }
            let x: Matrix? = design.columns > 0 ? design.matrix : nil
            let clusterCodes = design.clusters.map { $0.map { Int($0) } }
            try self.init(id: idValues, time: timeValues, outcome: design.response ?? [], group: groupValues, covariates: x,
                          covariateNames: design.columnNames, cluster: clusterCodes, notes: design.notes)
        } catch let e as DataError {
            throw StaggeredError.data(e)
        }
    }
}
