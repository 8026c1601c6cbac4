extension ScoreOrder {
    /// Bits of the key sorted per pass of ``radixSortedByKey(_:)``: 2,048 counters a pass (16 KB,
    /// in the first-level cache), six passes for the 64-bit key.
    static let radixBits = 11

    /// `items` ordered by `key`, items with equal keys in their given order (a stable sort).
    ///
    /// A least-significant-digit radix sort: one pass counts every digit of every key, then one
    /// scatter pass per 11-bit digit, least significant first, each stable, so after the last the
    /// items are ordered by the whole key and equal keys keep their input order. A pass whose digit is
    /// the same for every item moves nothing and is skipped (scores in (0, 1) share their sign and
    /// most of their exponent bits, so the top pass usually is).
    ///
    /// Written here because neither the standard library nor swift-collections or swift-algorithms
    /// sorts by an integer key: their sorts compare, O(n log n) comparisons of the 16-byte
    /// elements, which took 1.6 CPU-seconds for the 6M persons of the whole-country study's
    /// controls (a merge sort on two cores); this takes six linear passes.
    /// - Complexity: O(n) time (at most seven passes over the items), O(n) extra memory.
    static func radixSortedByKey(_ items: [Keyed]) -> [Keyed] {
        let n = items.count
        guard n > 1 else { return items }
        let bits = radixBits, radix = 1 << radixBits, mask = UInt64(radix - 1)
        let passes = (64 + bits - 1) / bits
        var counts = [Int](repeating: 0, count: radix * passes)
        counts.withUnsafeMutableBufferPointer { c in
            items.withUnsafeBufferPointer { a in
                for e in a {
                    var k = e.key
                    for p in 0..<passes {
                        c[p &* radix &+ Int(truncatingIfNeeded: k & mask)] &+= 1
                        k >>= UInt64(bits)
                    }
                }
            }
        }
        var source = items
        var target = [Keyed](repeating: Keyed(key: 0, row: 0), count: n)
        var next = [Int](repeating: 0, count: radix)
        for p in 0..<passes {
            let histogram = counts[(p * radix)..<((p + 1) * radix)]
            if histogram.contains(n) { continue }  // one digit for all: this pass would move nothing
            var total = 0
            for (d, c) in histogram.enumerated() { next[d] = total; total += c }
            let shift = UInt64(p * bits)
            source.withUnsafeBufferPointer { from in
                target.withUnsafeMutableBufferPointer { to in
                    next.withUnsafeMutableBufferPointer { at in
                        for e in from {
                            let d = Int(truncatingIfNeeded: (e.key >> shift) & mask)
                            to[at[d]] = e
                            at[d] &+= 1
                        }
                    }
                }
            }
            swap(&source, &target)
        }
        return source
    }
}
