import _DiDKitParallel
import Foundation

extension StaggeredData {
    /// `v` as an `Int`, or ``StaggeredError/notWholeNumber(column:value:)``.
    static func whole(_ v: Double, _ column: String) throws -> Int {
        guard v == v.rounded(), Swift.abs(v) < 1e15 else { throw StaggeredError.notWholeNumber(column: column, value: v) }
        return Int(v)
    }

    /// The sorted distinct periods of the usable rows and each row's period position (0 for rows left out:
    /// they are never read). A time value that is not a whole number throws (the first in row order).
    /// Periods spanning at most 2^20 time units (years, months, days of a few millennia) are found by direct
    /// indexing, others through a hash set.
    ///
    /// The rows are scanned in `parts` consecutive ranges on all cores (default: one per million rows, at
    /// most four per core): the ranges' value bounds and first non-whole values, then their periods, then
    /// the positions, each range writing its own rows; the error is the first range's, so the first in row
    /// order, as a serial scan finds it.
    /// - Throws: ``StaggeredError/notWholeNumber(column:value:)``, ``StaggeredError/tooFewPeriods(_:)``.
    static func periodPositions(_ time: [Double], rowOK: [Bool], parts: Int? = nil) throws -> (periods: [Int], positions: [Int32]) {
        try periodPositions(RowValues(values: time), rowOK: rowOK, parts: parts)
    }

    /// ``periodPositions(_:rowOK:parts:)`` of per-row values (a table's narrow column read in blocks).
    static func periodPositions(_ time: RowValues, rowOK: [Bool], parts: Int? = nil) throws -> (periods: [Int], positions: [Int32]) {
        let nRows = time.count
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let count = Swift.max(1, parts ?? Swift.min(4 * cores, nRows / 1_000_000))
        let starts = (0...count).map { nRows * $0 / count }
        // Per range: the smallest and largest whole value, or the first value that is not whole.
        let scans: [Result<(lo: Int, hi: Int), any Error>] = parallelMap(count: count) { k in
            Result {
                try rowOK.withUnsafeBufferPointer { ok in
                    var lo = Int.max, hi = Int.min
                    var last = Double.nan  // the previous whole value (registers repeat a few periods)
                    try time.forEachBlock(starts[k]..<starts[k + 1]) { block, t in
                        for (i, r) in block.enumerated() where ok[r] {
                            let x = t[i]
                            if x == last { continue }
                            let v = try whole(x, "time")
                            lo = Swift.min(lo, v)
                            hi = Swift.max(hi, v)
                            last = x
                        }
                    }
                    return (lo, hi)
                }
            }
        }
        var low = Int.max, high = Int.min
        for scan in scans {
            let b = try scan.get()
            low = Swift.min(low, b.lo)
            high = Swift.max(high, b.hi)
        }
        let (lo, hi) = (low, high)
        guard lo <= hi && hi - lo < 1 << 20 else { return try hashedPeriodPositions(time, rowOK: rowOK) }
        let span = hi - lo + 1
        let seen: [[Bool]] = parallelMap(count: count) { k in
            var seen = [Bool](repeating: false, count: span)
            rowOK.withUnsafeBufferPointer { ok in
                seen.withUnsafeMutableBufferPointer { sn in
                    time.forEachBlock(starts[k]..<starts[k + 1]) { block, t in
                        for (i, r) in block.enumerated() where ok[r] { sn[Int(t[i]) - lo] = true }
                    }
                }
            }
            return seen
        }
        var slotArray = [Int32](repeating: -1, count: span)
        var periods: [Int] = []
        for s in 0..<span where seen.contains(where: { $0[s] }) { slotArray[s] = Int32(periods.count); periods.append(s + lo) }
        if periods.count < 2 { throw StaggeredError.tooFewPeriods(periods.count) }
        let slot = slotArray
        let positions: [Int32] = parallelParts(starts: starts) { k, out in
            rowOK.withUnsafeBufferPointer { ok in
                slot.withUnsafeBufferPointer { sl in
                    let first = starts[k]
                    time.forEachBlock(first..<starts[k + 1]) { block, t in
                        for (i, r) in block.enumerated() { out[r - first] = ok[r] ? sl[Int(t[i]) - lo] : 0 }
                    }
                }
            }
        }
        return (periods, positions)
    }

    /// ``periodPositions(_:rowOK:parts:)`` for periods spanning more than 2^20 time units (the values are
    /// whole: checked by the caller's scan).
    private static func hashedPeriodPositions(_ time: RowValues, rowOK: [Bool]) throws -> (periods: [Int], positions: [Int32]) {
        var out = [Int32](repeating: 0, count: time.count)
        var periodSet = Set<Int>()
        time.forEachBlock(0..<time.count) { block, t in
            for (i, r) in block.enumerated() where rowOK[r] { periodSet.insert(Int(t[i])) }
        }
        let periods = periodSet.sorted()
        if periods.count < 2 { throw StaggeredError.tooFewPeriods(periods.count) }
        var index: [Int: Int32] = [:]
        for (p, v) in periods.enumerated() { index[v] = Int32(p) }
        time.forEachBlock(0..<time.count) { block, t in
            for (i, r) in block.enumerated() where rowOK[r] { out[r] = index[Int(t[i])] ?? 0 }
        }
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
