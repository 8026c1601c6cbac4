import _DiDKitParallel

/// The order the matchers walk the controls in: by score, ties by row.
///
/// The matchers need `rows` sorted by `(scores[row], row)`. Sorting row numbers with a comparator
/// that looks both scores up (a random load each, bounds-checked) took two seconds on 6M controls;
/// here each row is paired with an integer key that orders as its score does, so the sort compares
/// the 16-byte elements it moves and nothing else. The standard library has no sort by a
/// precomputed key, hence this small helper.
enum ScoreOrder {
    /// An integer that orders as `x` does, for finite `x`: `key(x) < key(y)` exactly when `x < y`, and
    /// `key(x) == key(y)` exactly when `x == y` (`-0.0` is keyed as `+0.0`). The IEEE 754 bits of a
    /// non-negative double order as its value; a negative one's bits order in reverse, so they are
    /// complemented and the sign bit set below every non-negative key.
    @inline(__always)
    static func key(_ x: Double) -> UInt64 {
        let bits = (x + 0.0).bitPattern  // -0.0 + 0.0 is +0.0
        return bits >> 63 == 0 ? bits | (1 << 63) : ~bits
    }

    /// `rows` sorted by `(scores[row], row)` (the scores finite). Rows in ascending order (as the
    /// matchers pass them) are sorted by key alone with a stable radix sort
    /// (``radixSortedByKey(_:)``), which leaves equal scores in row order; other rows by the
    /// comparator on `(key, row)`. On many rows, halves are sorted on two cores and merged; the order
    /// does not depend on the number of cores or the path (the key and the row decide every
    /// comparison).
    /// - Complexity: O(n) time for ascending rows, O(n log n) otherwise; O(n) memory (48 bytes per row).
    static func sorted(_ rows: [Int], scores: [Double]) -> [Int] {
        let n = rows.count
        let ascending = zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 }
        let sort: @Sendable (ArraySlice<Keyed>) -> [Keyed] = { part in
            ascending ? radixSortedByKey(Array(part)) : part.sorted(by: Keyed.before)
        }
        if n < Self.parallelThreshold { return sort(rows.map { Keyed(key: key(scores[$0]), row: $0) }[...]).map(\.row) }
        // The keyed rows in parts on both cores: fresh memory (90 MB for the whole country's controls),
        // which one thread faulted in for 0.2 s.
        let starts = partStarts(count: n, minimumPart: 65_536)
        let all: [Keyed] = parallelParts(starts: starts) { k, out in
            for i in 0..<out.count {
                let row = rows[starts[k] + i]
                out[i] = Keyed(key: key(scores[row]), row: row)
            }
        }
        let half = n / 2
        let halves = parallelMap(count: 2) { part in sort(part == 0 ? all[..<half] : all[half...]) }
        return merged(halves[0], halves[1])
    }

    /// Below this many rows the sort runs on one core.
    static let parallelThreshold = 65_536

    struct Keyed: Sendable {
        var key: UInt64
        var row: Int
        static func before(_ a: Keyed, _ b: Keyed) -> Bool { a.key != b.key ? a.key < b.key : a.row < b.row }
    }

    /// The rows of two sorted runs, merged (on equal elements, `a`'s first; no two are equal here).
    private static func merged(_ a: [Keyed], _ b: [Keyed]) -> [Int] {
        var out = [Int]()
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if Keyed.before(b[j], a[i]) { out.append(b[j].row); j += 1 } else { out.append(a[i].row); i += 1 }
        }
        out.append(contentsOf: a[i...].lazy.map(\.row))
        out.append(contentsOf: b[j...].lazy.map(\.row))
        return out
    }
}
