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
