import _DiDKitParallel
import Design
import Foundation
import Linalg
import Tabular

extension StaggeredData {
    /// Builds the panel from a table by column names.
    ///
    /// Covariates may name numeric columns and `factors` (text or numeric
    /// categorical columns), expanded to indicators by ``DesignMatrix`` (base
    /// level the smallest). The cluster column may be text or numeric. Rows with a
    /// missing value in any used column are left out (their units then drop when
    /// balancing, with the count in the notes). A text id column is encoded.
    ///
    /// Numeric covariates only (no factors, no interactions): the columns are read in place and only the
    /// baseline rows of the covariates are gathered (no `N x k` design); the result is the one
    /// ``DesignMatrix/build(_:_:)`` gives (same listwise deletion, notes and errors, in the same order).
    /// - Complexity: `O(N)` passes over the used columns plus `O(n k)`; memory `O(N)` for the id, time, outcome and group.
    /// - Throws: ``StaggeredError`` (wrapping ``DataError`` for unknown or mistyped columns).
    public init(table: Table, id: String, time: String, outcome: String, group: String, covariates: [String] = [],
                factors: [String] = [], cluster: String? = nil) throws {
        do {
            let spec = ModelSpecification(outcome: outcome, covariates: covariates, factors: factors, intercept: false, cluster: cluster)
            var numericTerms: [String] = []
            for t in spec.terms { if case .numeric(let name) = t { numericTerms.append(name) } }
            var parts: Parts
            if numericTerms.count == spec.terms.count {
                parts = try Self.assemble(table: table, id: id, time: time, outcome: outcome, group: group,
                                          covariates: numericTerms, cluster: cluster)
            } else {
                parts = try Self.assembleThroughDesign(table: table, id: id, time: time, outcome: outcome, group: group,
                                                       covariates: covariates, factors: factors, cluster: cluster)
            }
            parts.clusterName = cluster
            self.init(parts: parts)
        } catch let e as DataError {
            throw StaggeredError.data(e)
        } catch StaggeredError.notWholeNumber(let role, let v) {
            // The assembly names the role; the reader knows the column.
            throw StaggeredError.notWholeNumber(column: role == "group" ? group : role == "time" ? time : role, value: v)
        } catch StaggeredError.negativeGroup(_, let v) {
            throw StaggeredError.negativeGroup(column: group, value: v)
        } catch StaggeredError.outcomeConstant(_, let v) {
            throw StaggeredError.outcomeConstant(column: outcome, value: v)
        } catch StaggeredError.groupVaries(_, let units, let row, let earlier, let found) {
            throw StaggeredError.groupVaries(column: group, units: units, firstRow: row, earlier: earlier, found: found)
        } catch StaggeredError.clusterVaries(_, let units, let row) {
            throw StaggeredError.clusterVaries(column: cluster ?? "cluster", units: units, firstRow: row)
        }
    }

    /// The general route (factors, interactions): the design of every row, then the row arrays.
    static func assembleThroughDesign(table: Table, id: String, time: String, outcome: String, group: String, covariates: [String],
                                      factors: [String], cluster: String?) throws -> Parts {
        let spec = ModelSpecification(outcome: outcome, covariates: covariates, factors: factors, intercept: false, cluster: cluster)
        let design = try DesignMatrix.build(table, spec)
        let rows = design.rowIndices
        let x: Matrix? = design.columns > 0 ? design.matrix : nil
        let clusterCodes = design.clusters.map { $0.map { Int($0) } }
        let (units, timeValues, groupValues) = try idTimeGroup(table, id: id, time: time, group: group,
                                                               rows: rows.count == table.rowCount ? nil : rows)
        return try inFileRows(rows) {
            try assemble(units: units, time: timeValues, outcome: MatrixRowCovariates(column: design.response ?? []), group: groupValues,
                         covariates: x.map(MatrixRowCovariates.init), covariateNames: design.columnNames,
                         cluster: clusterCodes, notes: design.notes, idName: id, timeName: time)
        }
    }

    /// `assemble`'s result, its errors that name a row (a repeated unit and period, a group or cluster varying within
    /// a unit) pointing at the data file's row (1-based, the header row 1) instead of the position among `rows`,
    /// the table rows it assembled (nil: all, in order).
    static func inFileRows(_ rows: [Int]?, _ assemble: () throws -> Parts) throws -> Parts {
        func fileRow(_ position: Int) -> Int { (rows?[position - 1] ?? position - 1) + 2 }
        do { return try assemble() } catch StaggeredError.duplicateRows(let count, let position, let period) {
            throw StaggeredError.duplicateRows(count: count, firstRow: fileRow(position), period: period)
        } catch StaggeredError.groupVaries(let column, let units, let position, let earlier, let found) {
            throw StaggeredError.groupVaries(column: column, units: units, firstRow: fileRow(position), earlier: earlier, found: found)
        } catch StaggeredError.clusterVaries(let column, let units, let position) {
            throw StaggeredError.clusterVaries(column: column, units: units, firstRow: fileRow(position))
        }
    }

    /// The numeric-covariate route: ``DesignMatrix/build(_:_:)``'s checks and listwise deletion over the outcome,
    /// covariates and cluster (in that order, each column once), without forming the design.
    static func assemble(table: Table, id: String, time: String, outcome: String, group: String, covariates: [String],
                         cluster: String?) throws -> Parts {
        let n = table.rowCount
        var used: [String] = []
        for c in [outcome] + covariates + (cluster.map { [$0] } ?? []) where !used.contains(c) { used.append(c) }
        for name in used { _ = try table.column(name) }
        for name in used where name != cluster {
            if case .text = try table.column(name) {
                throw DataError.wrongColumnType(column: name, expected: "numeric (it holds text: declare it as a factor if it is categorical)")
            }
        }
        var keep = [Bool](repeating: true, count: n)
        var missingCounts: [(String, Int)] = []
        for name in used {
            let count = try table.column(name).markMissing(clearing: &keep).missing
            if count > 0 { missingCounts.append((name, count)) }
        }
        var rows: [Int]?
        var notes: [String] = []
        if !missingCounts.isEmpty {
            let kept = (0..<n).filter { keep[$0] }
            let dropped = n - kept.count
            let detail = missingCounts.map { "\($0.0): \($0.1)" }.joined(separator: ", ")
            notes.append("\(dropped) rows dropped for missing values (\(detail))")
            if kept.isEmpty {
                throw DataError.noRowsAfterDeletion(dropped: dropped, reasons: missingCounts.map { "\($0.0): \($0.1) missing" }.joined(separator: ", "))
            }
            rows = kept
        } else if n == 0 {
            throw DataError.noRowsAfterDeletion(dropped: 0, reasons: "")
        }
        let (units, timeValues, groupValues) = try idTimeGroup(table, id: id, time: time, group: group, rows: rows)
        let y = TableRowCovariates(columns: [try table.numeric(outcome)], rows: rows)
        let x = TableRowCovariates(columns: try covariates.map { try table.numeric($0) }, rows: rows)
        var clusterCodes: [Int]?
        if let c = cluster {
            let codes = try table.text(c).encoded().codes
            clusterCodes = rows.map { $0.map { Int(codes[$0]) } } ?? codes.map { Int($0) }
        }
        return try inFileRows(rows) {
            try assemble(units: units, time: timeValues, outcome: y, group: groupValues, covariates: covariates.isEmpty ? nil : x,
                         covariateNames: covariates, cluster: clusterCodes, notes: notes, idName: id, timeName: time)
        }
    }

    /// Column `name` at `rows` as per-row values: a numeric column read in place (``RowValues``), text through
    /// ``columnValues(_:_:id:group:rows:)``; a missing value reads as `missingAs` when given.
    static func rowValues(_ table: Table, _ name: String, id: String, group: String, rows: [Int]?, missingAs: Double? = nil) throws -> RowValues {
        if case .numeric(let c) = try table.column(name) { return RowValues(column: c, rows: rows, missingAs: missingAs) }
        var v = try columnValues(table, name, id: id, group: group, rows: rows)
        if let m = missingAs { for k in v.indices where v[k].isNaN { v[k] = m } }
        return RowValues(values: v)
    }

    /// Column `name` at `rows` as numbers (missing: NaN). Text is accepted for the id (its dictionary codes,
    /// levels in byte order) and the group (each cell a finite number; an empty cell is 0, never treated; else
    /// ``DataError/nonNumeric(column:row:value:)`` or ``DataError/nonFinite(column:row:value:)``); other text is ``DataError/wrongColumnType(column:expected:)``.
    static func columnValues(_ table: Table, _ name: String, id: String, group: String, rows: [Int]?) throws -> [Double] {
        switch try table.column(name) {
        case .numeric(let c): return rows.map { c.gathered($0) } ?? c.doubles
        case .text(let t):
            let rows = rows ?? Array(0..<t.count)
            if name == id {
                let codes = t.encoded().codes
                return rows.map { codes[$0] < 0 ? .nan : Double(codes[$0]) }
            }
            if name == group {
                return try rows.map { r in
                    guard let s = t[r], !s.trimmingCharacters(in: .whitespaces).isEmpty else { return 0 }
                    // `Double(_:)` also reads "nan" and "inf", which are no period: an error, not a missing group
                    // (a missing group would make the unit never treated).
                    guard let v = Double(s) else { throw DataError.nonNumeric(column: name, row: r + 2, value: s) }
                    guard v.isFinite else { throw DataError.nonFinite(column: name, row: r + 2, value: s) }
                    return v
                }
            }
            throw DataError.wrongColumnType(column: name, expected: "numeric")
        }
    }

    /// The id (coded, see ``unitCodes(_:)``), time and group at `rows` (nil: every row of the table, in order);
    /// an empty numeric group cell means never treated (contract: "0 or empty"). The three columns are read in
    /// parallel; errors are reported in the order id, time, group (the first one a serial reading meets).
    static func idTimeGroup(_ table: Table, id: String, time: String, group: String,
                            rows: [Int]?) throws -> (units: (ids: [Double], codes: [Int32]), time: RowValues, group: RowValues) {
        try checkRowCount(table.rowCount)
        enum Read: Sendable { case units(ids: [Double], codes: [Int32]), values(RowValues) }
        let reads: [Result<Read, any Error>] = parallelMap(count: 3) { k in
            Result {
                switch k {
                case 0:
                    if case .text(let t) = try table.column(id), id != time, id != group {
                        let u = textUnitCodes(t, rows: rows)
                        return .units(ids: u.ids, codes: u.codes)
                    }
                    let u = unitCodes(try columnValues(table, id, id: id, group: group, rows: rows))
                    return .units(ids: u.ids, codes: u.codes)
                case 1:
                    return .values(try rowValues(table, time, id: id, group: group, rows: rows))
                default:
                    return .values(try rowValues(table, group, id: id, group: group, rows: rows, missingAs: 0))
                }
            }
        }
        guard case .units(let ids, let codes) = try reads[0].get(), case .values(let timeValues) = try reads[1].get(),
              case .values(let groupValues) = try reads[2].get() else { preconditionFailure("idTimeGroup: reads out of order") }
        return ((ids, codes), timeValues, groupValues)
    }

    /// A text id's unit codes at `rows`: the ids are the codes of the column's dictionary encoding (levels in
    /// byte order, ``TextColumn/encoded()``) present at `rows`. A column sorted by value without missing cells
    /// (a register extract) is coded by one comparison of neighbouring values (`memcmp`); others through
    /// ``TextColumn/encoded()``.
    static func textUnitCodes(_ t: TextColumn, rows: [Int]?) -> (ids: [Double], codes: [Int32]) {
        if let codes = sortedTextCodes(t) {
            guard let rows else {
                let count = Int(codes.last.map { $0 + 1 } ?? 0)
                return ((0..<count).map(Double.init), codes)
            }
            return unitCodes(rows.map { Double(codes[$0]) })
        }
        let codes = t.encoded().codes
        return unitCodes((rows ?? Array(codes.indices)).map { codes[$0] < 0 ? .nan : Double(codes[$0]) })
    }

    /// The dictionary codes of a text column sorted by value (UTF-8 bytes, as ``TextColumn/encoded()`` orders its
    /// levels) with no missing cell: the index of each value's run. Nil when a cell is missing or a value is
    /// smaller than the one before it.
    static func sortedTextCodes(_ t: TextColumn) -> [Int32]? {
        let n = t.count
        // A run-coded column (a register's id as the CSV reader stores it) compares its runs only.
        if t.isRunCoded { return n == 0 ? nil : t.sortedRuns()?.codes }
        if n == 0 || t.missing.contains(true) { return nil }
        var codes = [Int32](repeating: 0, count: n)
        let sorted: Bool = t.bytes.withUnsafeBufferPointer { b in
            t.offsets.withUnsafeBufferPointer { o in
                codes.withUnsafeMutableBufferPointer { out in
                    guard let base = b.baseAddress else { return n == 1 }
                    var code: Int32 = 0
                    for i in 1..<n {
                        let s0 = o[i - 1], s1 = o[i]
                        let l0 = s1 - s0, l1 = o[i + 1] - s1
                        let c = memcmp(base + s0, base + s1, Swift.min(l0, l1))
                        if c == 0 && l0 == l1 { out[i] = code; continue }
                        if c > 0 || (c == 0 && l0 > l1) { return false }
                        code += 1
                        out[i] = code
                    }
                    return true
                }
            }
        }
        return sorted ? codes : nil
    }
}
