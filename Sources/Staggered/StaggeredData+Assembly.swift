import _DiDKitParallel
import Design
import Linalg
import Tabular

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
        var clusterName: String? = nil
        var isBinaryOutcome: Bool
        var droppedUnits: Int
        var notes: [String]
    }

    /// Row numbers, unit codes and period positions are kept in 32 bits (half the memory of the 54M-row
    /// grids): a panel of more rows is refused with ``StaggeredError/tooManyRows(_:)`` before any code is made.
    static func checkRowCount(_ rows: Int) throws {
        guard rows <= Int(Int32.max) else { throw StaggeredError.tooManyRows(rows) }
    }

    /// The balanced panel from row arrays (see ``init(id:time:outcome:group:covariates:covariateNames:cluster:notes:)``
    /// for the contract); the covariates are read through `covariates` so that only the baseline rows are gathered.
    /// - Complexity: `O(N)` passes over the rows (no hashing per row when periods span a small range and ids are
    ///   small whole numbers or sorted), `O(n k)` for the baseline design.
    static func assemble<X: PanelRowCovariates>(id: [Double], time: [Double], outcome: [Double], group: [Double], covariates: X?,
                                                covariateNames: [String], cluster: [Int]?, notes upstreamNotes: [String]) throws -> Parts {
        try checkRowCount(id.count)
        return try assemble(units: unitCodes(id), time: RowValues(values: time), outcome: MatrixRowCovariates(column: outcome),
                            group: RowValues(values: group), covariates: covariates,
                     covariateNames: covariateNames, cluster: cluster, notes: upstreamNotes)
    }

    /// ``assemble(id:time:outcome:group:covariates:covariateNames:cluster:notes:)`` with the ids already coded
    /// (``unitCodes(_:)``: sorted distinct ids, each row's unit or -1 for a missing id).
    /// The outcome is read as a one-column ``PanelRowCovariates`` (a table's narrow column needs no `Double` copy).
    /// `idName` and `timeName` name the columns in the note on rows left out (a table's column names; else the roles).
    static func assemble<Y: PanelRowCovariates, X: PanelRowCovariates>(units: (ids: [Double], codes: [Int32]), time: RowValues, outcome: Y,
                                                                        group: RowValues,
                                                covariates: X?, covariateNames: [String], cluster: [Int]?,
                                                notes upstreamNotes: [String], idName: String = "id",
                                                timeName: String = "time") throws -> Parts {
        let nRows = units.codes.count
        try checkRowCount(nRows)
        var notes = upstreamNotes
        // Rows with a missing (non-finite) value: their unit will be incomplete and dropped when balancing.
        var rowOK = [Bool](repeating: true, count: nRows)
        let missing = markMissing(&rowOK, units: units.codes, time: time, group: group, outcome: outcome, covariates: covariates)
        if missing.rows > 0 {
            let counts = zip([idName, timeName, "group", "outcome", "covariates"], missing.byRole).filter { $0.1 > 0 }
                .map { "\($0.0): \($0.1)" }.joined(separator: ", ")
            notes.append("\(missing.rows) row\(missing.rows == 1 ? "" : "s") with a missing value left out (\(counts); their units are then incomplete)")
        }
        let (periods, periodOf) = try periodPositions(time, rowOK: rowOK)
        let nT = periods.count
        var periodIndex: [Int: Int] = [:]
        for (p, v) in periods.enumerated() { periodIndex[v] = p }

        // Units (all ids, including those whose rows are all missing, so the drop count is complete).
        let allIDs = units.ids
        let nAll = allIDs.count
        // rowOf[i * nT + p]: the row of unit i in period position p (-1: none); rows are below 2^31 (checked above).
        var rowOf = [Int32](repeating: -1, count: nAll * nT)
        var duplicates = 0, firstDuplicate = -1
        // The unit's group as first seen (NaN: none yet); a later row with the same value needs no check.
        var groupSeen = [Double](repeating: .nan, count: nAll)
        var groupVaries = Set<Int>()
        var firstGroupChange: (row: Int, earlier: Double, found: Double)?
        var clusterOf = [Int?](repeating: nil, count: nAll)
        var clusterVaries = Set<Int>()
        var firstClusterChange = -1
        var incomplete = [Bool](repeating: false, count: nAll)
        try units.codes.withUnsafeBufferPointer { unitOf in
            try rowOK.withUnsafeBufferPointer { ok in
                try periodOf.withUnsafeBufferPointer { po in
                    try group.forEachBlock(0..<nRows) { block, gr in
                        try rowOf.withUnsafeMutableBufferPointer { ro in
                            try groupSeen.withUnsafeMutableBufferPointer { gs in
                                for (k, r) in block.enumerated() {
                                    let i = Int(unitOf[r])
                                    guard i >= 0 else { continue }
                                    if !ok[r] { incomplete[i] = true; continue }
                                    let slot = i * nT + Int(po[r])
                                    if ro[slot] >= 0 {
                                        if duplicates == 0 { firstDuplicate = r }
                                        duplicates += 1
                                        continue
                                    }
                                    ro[slot] = Int32(truncatingIfNeeded: r)
                                    let v = gr[k]
                                    if v != gs[i] {
                                        _ = try whole(v, "group")
                                        if gs[i].isNaN {
                                            gs[i] = v
                                        } else {
                                            if groupVaries.isEmpty { firstGroupChange = (r, gs[i], v) }
                                            groupVaries.insert(i)
                                        }
                                    }
                                    if let c = cluster?[r] {
                                        if let c0 = clusterOf[i], c0 != c {
                                            if clusterVaries.isEmpty { firstClusterChange = r }
                                            clusterVaries.insert(i)
                                        } else {
                                            clusterOf[i] = c
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let groupOf = groupSeen.map { $0.isNaN ? nil : Int($0) }
        if duplicates > 0 {
            throw StaggeredError.duplicateRows(count: duplicates, firstRow: firstDuplicate + 1, period: periods[Int(periodOf[firstDuplicate])])
        }
        if let change = firstGroupChange {
            throw StaggeredError.groupVaries(column: "group", units: groupVaries.count, firstRow: change.row + 1,
                                             earlier: Int(change.earlier), found: Int(change.found))
        }
        if !clusterVaries.isEmpty {
            throw StaggeredError.clusterVaries(column: "cluster", units: clusterVaries.count, firstRow: firstClusterChange + 1)
        }

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
            // Without the total before balancing: beside the published unit count it would give a small dropped count back.
            notes.append("\(dropped) unit\(dropped == 1 ? "" : "s") dropped to balance the panel (not observed with complete data in all \(nT) periods)")
        }
        let n = kept.count
        // Period by period (in parallel), each array written once as it is made (no zero fill, no copy).
        let rowGrid = rowOf, keptUnits = kept
        // Each period's values with whether they are all 0/1 and their range (one pass).
        let byPeriod: [(values: [Double], binary: Bool, low: Double, high: Double)] = parallelMap(count: nT) { p in
            let values = rowGrid.withUnsafeBufferPointer { ro in outcome.values(column: 0, at: keptUnits.lazy.map { Int(ro[$0 * nT + p]) }) }
            var binary = true, low = Double.infinity, high = -Double.infinity
            for v in values {
                if v != 0 && v != 1 { binary = false }
                low = Swift.min(low, v)
                high = Swift.max(high, v)
            }
            return (values, binary, low, high)
        }
        // A constant outcome would give exact zeros with zero standard errors, which read as precise
        // estimates (R did reports them so): refused instead.
        if let low = byPeriod.map(\.low).min(), low == byPeriod.map(\.high).max() {
            throw StaggeredError.outcomeConstant(column: "outcome", value: low)
        }
        let outcomeByPeriod = byPeriod.map(\.values)

        // Groups.
        let last = periods[nT - 1]
        var recoded = 0
        var groups = [Int](repeating: 0, count: n)
        for (k, i) in kept.enumerated() {
            var g = groupOf[i] ?? 0
            if g < 0 { throw StaggeredError.negativeGroup(column: "group", value: g) }
            if g > last { g = 0; recoded += 1 }
            if g != 0 && periodIndex[g] == nil { throw StaggeredError.groupNotAPeriod(group: g) }
            groups[k] = g
        }
        if recoded > 0 { notes.append("\(recoded) units first treated after the last period (\(last)) treated as never treated") }

        // Baseline covariates: the first-period row; constant columns dropped; then the intercept.
        let baseline = covariates.map { x in baselineDesign(x, rows: kept.map { Int(rowOf[$0 * nT]) }, names: covariateNames) }
        let design = baseline?.design ?? Matrix(rows: n, columns: 1, repeating: 1)
        let names = (baseline?.names ?? []) + [TermName.intercept]
        notes += baseline?.notes ?? []

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
                     covariates: design, covariateNames: names, clusters: clusterCodes, clusterCount: clusterCount,
                     isBinaryOutcome: byPeriod.allSatisfy(\.binary),
                     droppedUnits: dropped, notes: notes)
    }

    /// Clears `rowOK` at rows with a missing id or a non-finite time, group, outcome or covariate.
    /// - Returns: the rows cleared, and per role (id, time, group, outcome, covariates) the rows it alone would clear.
    static func markMissing<Y: PanelRowCovariates, X: PanelRowCovariates>(_ rowOK: inout [Bool], units: [Int32], time: RowValues,
                                                                           group: RowValues, outcome: Y,
                                                                           covariates: X?) -> (rows: Int, byRole: [Int]) {
        let nRows = units.count
        var byRole = [Int](repeating: 0, count: 5)
        func count(_ ok: [Bool]) -> Int { ok.withUnsafeBufferPointer { b in b.reduce(0) { $0 + ($1 ? 0 : 1) } } }
        units.withUnsafeBufferPointer { u in for r in 0..<nRows where u[r] < 0 { byRole[0] += 1; rowOK[r] = false } }
        for (role, values) in [(1, time), (2, group)] {
            values.forEachBlock(0..<nRows) { block, v in
                for (k, r) in block.enumerated() where !v[k].isFinite { byRole[role] += 1; rowOK[r] = false }
            }
        }
        outcome.markNonFinite(&rowOK)
        covariates?.markNonFinite(&rowOK)
        let rows = count(rowOK)
        // The outcome's and covariates' own counts, each from a fresh mask, only when some row is missing (a complete
        // panel pays just the one counting pass above).
        if rows > 0 {
            var own = [Bool](repeating: true, count: nRows)
            outcome.markNonFinite(&own)
            byRole[3] = count(own)
            if let covariates {
                own = [Bool](repeating: true, count: nRows)
                covariates.markNonFinite(&own)
                byRole[4] = count(own)
            }
        }
        return (rows, byRole)
    }

    /// The baseline design: each covariate at the units' first-period rows `rows`, columns that are constant
    /// across units dropped with a note, then the intercept; written straight into one column-major buffer,
    /// a column per core at a time.
    static func baselineDesign<X: PanelRowCovariates>(_ x: X, rows: [Int], names: [String])
        -> (design: Matrix, names: [String], notes: [String]) {
        let n = rows.count, k = x.columnCount
        let elements: [Double] = parallelSegments(segments: k + 1, length: n) { j, column in
            if j == k {
                for i in 0..<n { column[i] = 1 }
            } else {
                x.write(column: j, at: rows, into: &column)
            }
        }
        var kept: [Int] = []
        var notes: [String] = []
        elements.withUnsafeBufferPointer { e in
            for j in 0..<k {
                let column = UnsafeBufferPointer(rebasing: e[(j * n)..<((j + 1) * n)])
                if let first = column.first, column.allSatisfy({ $0 == first }) {
                    notes.append("covariate \(names[j]) is constant across units at baseline and is dropped (collinear with the intercept)")
                } else {
                    kept.append(j)
                }
            }
        }
        var design = Matrix(rows: n, columns: k + 1, columnMajor: elements)
        if kept.count < k { design = design.selecting(rows: nil, columns: kept + [k]) }
        return (design, kept.map { names[$0] }, notes)
    }
}
