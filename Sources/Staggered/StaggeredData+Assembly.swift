import Design
import Linalg
import Tabular

/// Per-row covariates as the panel builder reads them: only a finiteness check over all rows and
/// the values at the baseline rows are needed, so a source never has to materialise an `N x k`
/// matrix (a whole country's 54M person-years x 6 covariates is 2.6 GB).
protocol PanelRowCovariates {
    /// Number of covariate columns.
    var columnCount: Int { get }
    /// Sets `rowOK[r] = false` for every row `r` with a non-finite value in some column.
    func markNonFinite(_ rowOK: inout [Bool])
    /// Column `j`'s values at the given rows, in their order.
    func values(column j: Int, at rows: [Int]) -> [Double]
}

/// Covariates held as an `N x k` matrix (the row-array initializer).
struct MatrixRowCovariates: PanelRowCovariates {
    let x: Matrix
    var columnCount: Int { x.columns }

    func markNonFinite(_ rowOK: inout [Bool]) {
        let nRows = x.rows
        x.storage.withUnsafeBufferPointer { xs in
            for j in 0..<x.columns {
                let base = j * nRows
                for r in 0..<nRows where !xs[base + r].isFinite { rowOK[r] = false }
            }
        }
    }

    func values(column j: Int, at rows: [Int]) -> [Double] {
        let base = j * x.rows
        return x.storage.withUnsafeBufferPointer { xs in rows.map { xs[base + $0] } }
    }
}

/// Covariates read straight from a table's numeric columns; panel row `r` is table row
/// `rows[r]` (`rows` nil: the identity).
struct TableRowCovariates: PanelRowCovariates {
    let columns: [NumericColumn]
    let rows: [Int]?
    var columnCount: Int { columns.count }

    func markNonFinite(_ rowOK: inout [Bool]) {
        // Integer storage is finite or missing (missing rows were left out before): only doubles need a look.
        for c in columns {
            guard case .double(let v) = c.storage else { continue }
            if let rows {
                for (r, t) in rows.enumerated() where !v[t].isFinite { rowOK[r] = false }
            } else {
                for r in v.indices where !v[r].isFinite { rowOK[r] = false }
            }
        }
    }

    func values(column j: Int, at panelRows: [Int]) -> [Double] {
        let c = columns[j]
        let tableRows = rows.map { map in panelRows.map { map[$0] } } ?? panelRows
        return c.gathered(tableRows)
    }
}

extension NumericColumn {
    /// The values at `rows` as doubles (missing: NaN), one switch on the storage for the whole pass.
    func gathered(_ rows: [Int]) -> [Double] {
        switch storage {
        case .int8(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .int16(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .int32(let a): return rows.map { a[$0] == .min ? .nan : Double(a[$0]) }
        case .double(let a): return rows.map { a[$0] }
        }
    }

    /// All values as doubles, or those at `rows` (nil: all).
    func gathered(_ rows: [Int]?) -> [Double] {
        if let rows { return gathered(rows) }
        switch storage {
        case .int8(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .int16(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .int32(let a): return a.map { $0 == .min ? .nan : Double($0) }
        case .double(let a): return a
        }
    }
}

extension StaggeredData {
    /// Everything the initializers assign.
    struct Parts {
        var periods: [Int]
        var unitIDs: [Double]
        var outcome: [[Double]]
        var groups: [Int]
        var covariates: Matrix
        var covariateNames: [String]
        var clusters: [Int]?
        var clusterCount: Int
        var isBinaryOutcome: Bool
        var droppedUnits: Int
        var notes: [String]
    }

    /// The balanced panel from row arrays (see ``init(id:time:outcome:group:covariates:covariateNames:cluster:notes:)``
    /// for the contract); the covariates are read through `covariates` so that only the baseline rows are gathered.
    /// - Complexity: `O(N)` passes over the rows (no hashing per row when periods span a small range and ids are
    ///   small whole numbers or sorted), `O(n k)` for the baseline design.
    static func assemble<X: PanelRowCovariates>(id: [Double], time: [Double], outcome: [Double], group: [Double], covariates: X?,
                                                covariateNames: [String], cluster: [Int]?, notes upstreamNotes: [String]) throws -> Parts {
        try assemble(units: unitCodes(id), time: time, outcome: outcome, group: group, covariates: covariates,
                     covariateNames: covariateNames, cluster: cluster, notes: upstreamNotes)
    }

    /// ``assemble(id:time:outcome:group:covariates:covariateNames:cluster:notes:)`` with the ids already coded
    /// (``unitCodes(_:)``: sorted distinct ids, each row's unit or -1 for a missing id).
    static func assemble<X: PanelRowCovariates>(units: (ids: [Double], codes: [Int32]), time: [Double], outcome: [Double], group: [Double],
                                                covariates: X?, covariateNames: [String], cluster: [Int]?,
                                                notes upstreamNotes: [String]) throws -> Parts {
        let nRows = units.codes.count
        var notes = upstreamNotes
        // Rows with a missing (non-finite) value: their unit will be incomplete and dropped when balancing.
        var rowOK = [Bool](repeating: true, count: nRows)
        var missingRows = 0
        units.codes.withUnsafeBufferPointer { u in
            time.withUnsafeBufferPointer { t in
                outcome.withUnsafeBufferPointer { y in
                    group.withUnsafeBufferPointer { g in
                        rowOK.withUnsafeMutableBufferPointer { ok in
                            for r in 0..<nRows where !(u[r] >= 0 && t[r].isFinite && y[r].isFinite && g[r].isFinite) { ok[r] = false }
                        }
                    }
                }
            }
        }
        covariates?.markNonFinite(&rowOK)
        rowOK.withUnsafeBufferPointer { ok in for r in 0..<nRows where !ok[r] { missingRows += 1 } }
        if missingRows > 0 { notes.append("\(missingRows) rows with a missing value left out (their units are then incomplete)") }
        let (periods, periodOf) = try periodPositions(time, rowOK: rowOK)
        let nT = periods.count
        var periodIndex: [Int: Int] = [:]
        for (p, v) in periods.enumerated() { periodIndex[v] = p }

        // Units (all ids, including those whose rows are all missing, so the drop count is complete).
        let allIDs = units.ids
        let nAll = allIDs.count
        // rowOf[i * nT + p]: the row of unit i in period position p (-1: none).
        var rowOf = [Int](repeating: -1, count: nAll * nT)
        var duplicates = 0
        // The unit's group as first seen (NaN: none yet); a later row with the same value needs no check.
        var groupSeen = [Double](repeating: .nan, count: nAll)
        var groupVaries = Set<Int>()
        var clusterOf = [Int?](repeating: nil, count: nAll)
        var clusterVaries = Set<Int>()
        var incomplete = [Bool](repeating: false, count: nAll)
        try units.codes.withUnsafeBufferPointer { unitOf in
            try rowOK.withUnsafeBufferPointer { ok in
                try periodOf.withUnsafeBufferPointer { po in
                    try group.withUnsafeBufferPointer { gr in
                        try rowOf.withUnsafeMutableBufferPointer { ro in
                            try groupSeen.withUnsafeMutableBufferPointer { gs in
                                for r in 0..<nRows {
                                    let i = Int(unitOf[r])
                                    guard i >= 0 else { continue }
                                    if !ok[r] { incomplete[i] = true; continue }
                                    let slot = i * nT + Int(po[r])
                                    if ro[slot] >= 0 { duplicates += 1; continue }
                                    ro[slot] = r
                                    let v = gr[r]
                                    if v != gs[i] {
                                        _ = try whole(v, "group")
                                        if gs[i].isNaN { gs[i] = v } else { groupVaries.insert(i) }
                                    }
                                    if let c = cluster?[r] {
                                        if let c0 = clusterOf[i], c0 != c { clusterVaries.insert(i) } else { clusterOf[i] = c }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let groupOf = groupSeen.map { $0.isNaN ? nil : Int($0) }
        if duplicates > 0 { throw StaggeredError.duplicateRows(count: duplicates) }
        if !groupVaries.isEmpty { throw StaggeredError.groupVaries(units: groupVaries.count) }
        if !clusterVaries.isEmpty { throw StaggeredError.clusterVaries(units: clusterVaries.count) }

        // Balance.
        var kept: [Int] = []
        kept.reserveCapacity(nAll)
        rowOf.withUnsafeBufferPointer { ro in
            for i in 0..<nAll where !incomplete[i] {
                var complete = true
                for p in 0..<nT where ro[i * nT + p] < 0 { complete = false; break }
                if complete { kept.append(i) }
            }
        }
        let dropped = nAll - kept.count
        if kept.isEmpty { throw StaggeredError.noBalancedUnits(dropped: dropped) }
        if dropped > 0 {
            notes.append("\(dropped) of \(nAll) units dropped to balance the panel (not observed with complete data in all \(nT) periods)")
        }
        let n = kept.count
        // Unit by unit (a unit's rows are usually adjacent), into one buffer per period.
        var flat = [Double](repeating: 0, count: nT * n)
        rowOf.withUnsafeBufferPointer { ro in
            outcome.withUnsafeBufferPointer { y in
                flat.withUnsafeMutableBufferPointer { out in
                    for (k, i) in kept.enumerated() { for p in 0..<nT { out[p * n + k] = y[ro[i * nT + p]] } }
                }
            }
        }
        let outcomeByPeriod: [[Double]] = (0..<nT).map { p in Array(flat[(p * n)..<((p + 1) * n)]) }

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
            let baseRows = kept.map { rowOf[$0 * nT] }
            for j in 0..<x.columnCount {
                let col = x.values(column: j, at: baseRows)
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
        return Parts(periods: periods, unitIDs: kept.map { allIDs[$0] }, outcome: outcomeByPeriod, groups: groups,
                     covariates: Matrix(columns: columns), covariateNames: names, clusters: clusterCodes, clusterCount: clusterCount,
                     isBinaryOutcome: outcomeByPeriod.allSatisfy { $0.allSatisfy { $0 == 0 || $0 == 1 } },
                     droppedUnits: dropped, notes: notes)
    }

    /// `v` as an `Int`, or ``StaggeredError/notWholeNumber(column:value:)``.
    static func whole(_ v: Double, _ column: String) throws -> Int {
        guard v == v.rounded(), Swift.abs(v) < 1e15 else { throw StaggeredError.notWholeNumber(column: column, value: v) }
        return Int(v)
    }

    /// The sorted distinct periods of the usable rows and each row's period position (0 for rows left out:
    /// they are never read). A time value that is not a whole number throws (the first in row order).
    /// Periods spanning at most 2^20 time units (years, months, days of a few millennia) are found by direct
    /// indexing, others through a hash set.
    /// - Throws: ``StaggeredError/notWholeNumber(column:value:)``, ``StaggeredError/tooFewPeriods(_:)``.
    static func periodPositions(_ time: [Double], rowOK: [Bool]) throws -> (periods: [Int], positions: [Int32]) {
        var lo = Int.max, hi = Int.min
        var out = [Int32](repeating: 0, count: time.count)
        let small: [Int]? = try time.withUnsafeBufferPointer { t in
            try rowOK.withUnsafeBufferPointer { ok in
                var last = Double.nan  // the previous whole value (registers repeat a few periods)
                for r in t.indices where ok[r] {
                    let x = t[r]
                    if x == last { continue }
                    let v = try whole(x, "time")
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                    last = x
                }
                guard lo <= hi && hi - lo < 1 << 20 else { return nil }
                var slot = [Int32](repeating: -1, count: hi - lo + 1)
                for r in t.indices where ok[r] { slot[Int(t[r]) - lo] = 0 }
                var periods: [Int] = []
                for s in slot.indices where slot[s] == 0 { slot[s] = Int32(periods.count); periods.append(s + lo) }
                out.withUnsafeMutableBufferPointer { o in
                    slot.withUnsafeBufferPointer { sl in for r in t.indices where ok[r] { o[r] = sl[Int(t[r]) - lo] } }
                }
                return periods
            }
        }
        if let periods = small {
            if periods.count < 2 { throw StaggeredError.tooFewPeriods(periods.count) }
            return (periods, out)
        }
        var periodSet = Set<Int>()
        for r in time.indices where rowOK[r] { periodSet.insert(Int(time[r])) }
        let periods = periodSet.sorted()
        if periods.count < 2 { throw StaggeredError.tooFewPeriods(periods.count) }
        var index: [Int: Int32] = [:]
        for (p, v) in periods.enumerated() { index[v] = Int32(p) }
        for r in time.indices where rowOK[r] { out[r] = index[Int(time[r])] ?? 0 }
        return (periods, out)
    }

    /// The sorted distinct finite ids and each row's unit code (-1 for a missing id), by the cheapest exact route:
    /// - ids that are whole numbers in `0..<max(16, 4 N)` (a text id's dictionary codes, small person numbers):
    ///   direct indexing, `O(N + max id)`;
    /// - ids non-decreasing in row order (a register sorted by person): their runs, `O(N)`;
    /// - otherwise a hash map and a sort of the distinct ids.
    static func unitCodes(_ id: [Double]) -> (ids: [Double], codes: [Int32]) {
        let n = id.count
        let bound = Swift.max(16, 4 * n)
        var dense = true
        var top = 0
        var sorted = true
        var previous = -Double.infinity
        for v in id where v.isFinite {
            if dense {
                if v >= 0 && v < Double(bound) && v == v.rounded() { top = Swift.max(top, Int(v)) } else { dense = false }
            }
            if v < previous { sorted = false }
            previous = v
            if !dense && !sorted { break }
        }
        var codes = [Int32](repeating: -1, count: n)
        if dense {
            var slot = [Int](repeating: -1, count: top + 1)
            for v in id where v.isFinite { slot[Int(v)] = 0 }
            var ids: [Double] = []
            for k in slot.indices where slot[k] == 0 { slot[k] = ids.count; ids.append(Double(k)) }
            for r in 0..<n where id[r].isFinite { codes[r] = Int32(slot[Int(id[r])]) }
            return (ids, codes)
        }
        if sorted {
            var ids: [Double] = []
            for r in 0..<n where id[r].isFinite {
                if ids.last != id[r] { ids.append(id[r]) }
                codes[r] = Int32(ids.count - 1)
            }
            return (ids, codes)
        }
        var set = Set<Double>(minimumCapacity: n / 4)
        for v in id where v.isFinite { set.insert(v) }
        let ids = set.sorted()
        var index: [Double: Int] = Dictionary(minimumCapacity: ids.count)
        for (i, v) in ids.enumerated() { index[v] = i }
        for r in 0..<n where id[r].isFinite { codes[r] = Int32(index[id[r]] ?? -1) }
        return (ids, codes)
    }
}
