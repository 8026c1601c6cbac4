extension Column {
    /// The number of missing values. One switch on the storage form, then a plain loop over it
    /// (a per-value `isMissing(_:)` switched on the form for every value: a tenth of reading a
    /// register and counting its missing values).
    /// - Complexity: O(n).
    public var missingCount: Int {
        var keep = [Bool]()
        return markMissing(clearing: &keep).missing
    }

    /// Clears `keep[i]` for every missing value `i` (when `keep` is not empty). Returns the number
    /// of missing values in the column (all of them: what a listwise-deletion note counts per column,
    /// as Stata's `misstable`) and how many of them were still kept (the rows this column drops).
    /// - Precondition: `keep` is empty or has one entry per value.
    /// - Complexity: O(n), no allocation.
    @discardableResult
    public func markMissing(clearing keep: inout [Bool]) -> (missing: Int, cleared: Int) {
        func scan<V>(_ values: [V], _ isMissing: (V) -> Bool) -> (missing: Int, cleared: Int) {
            precondition(keep.isEmpty || keep.count == values.count, "Column.markMissing: keep has \(keep.count) entries for \(values.count) values")
            // Most columns have no missing value: one tight pass finds the first, if any.
            guard let first = values.firstIndex(where: isMissing) else { return (0, 0) }
            var missing = 0, cleared = 0
            for i in first..<values.count where isMissing(values[i]) {
                missing += 1
                if !keep.isEmpty && keep[i] {
                    keep[i] = false
                    cleared += 1
                }
            }
            return (missing, cleared)
        }
        switch self {
        case .text(let c):
            var missing = 0, cleared = 0
            precondition(keep.isEmpty || keep.count == c.count, "Column.markMissing: keep has \(keep.count) entries for \(c.count) values")
            c.forEachMissingRange { start, count in
                missing += count
                for i in start..<(start + count) where !keep.isEmpty && keep[i] {
                    keep[i] = false
                    cleared += 1
                }
            }
            return (missing, cleared)
        case .numeric(let c):
            switch c.storage {
            case .int8(let a): return scan(a) { $0 == .min }
            case .int16(let a): return scan(a) { $0 == .min }
            case .int32(let a): return scan(a) { $0 == .min }
            case .double(let a): return scan(a) { $0.isNaN }
            }
        }
    }
}
