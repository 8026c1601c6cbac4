@testable import Matching
import Testing

/// The controls' walking order: by score, ties by row, as the comparator on `(score, row)` sorts them.
@Suite("Score order")
struct ScoreOrderTests {
    /// The reference: the tuple comparator the matchers used before the keyed sort.
    func reference(_ rows: [Int], _ scores: [Double]) -> [Int] {
        rows.sorted { (scores[$0], $0) < (scores[$1], $1) }
    }

    @Test("the keyed sort orders rows as the (score, row) comparator does: ties, negative scores, -0.0 and +0.0, both sizes, both paths")
    func keyedSortMatchesComparator() {
        // Few distinct scores (many ties), negative and positive, both zeros, and the extremes; on
        // 1,000 rows (one core) and 200,003 rows (two halves merged), rows given in ascending order
        // (the radix sort by key) and out of order (the comparator).
        let palette: [Double] = [0.25, -0.25, 0.0, -0.0, 1e-300, -1e-300, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, 0.1, 0.1 + 1e-17, 3]
        for n in [1_000, 200_003] {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return state >> 33 }
            let scores = (0..<n).map { i in i % 3 == 0 ? palette[Int(next() % UInt64(palette.count))] : Double(next() % 1000) / 997 - 0.5 }
            let ascending = (0..<n).filter { $0 % 5 != 1 }
            for rows in [ascending, ascending.reversed()] {
                #expect(ScoreOrder.sorted(rows, scores: scores) == reference(rows, scores), "n = \(n)")
            }
        }
    }

    @Test("the radix sort orders by key and keeps equal keys in their given order, with digits in every pass")
    func radixSortIsStableByKey() {
        // Keys spread over all 64 bits (every pass moves items) and keys differing only in the top
        // digit or only in the bottom one, each repeated, rows descending so that stability shows.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let palette: [UInt64] = [0, 1, .max, .max - 1, 1 << 63, (1 << 63) | 1, 1 << 60]
        let items = (0..<50_000).map { i in
            ScoreOrder.Keyed(key: i % 4 == 0 ? palette[Int(next() % UInt64(palette.count))] : next() % (i % 4 == 1 ? 1 << 20 : .max), row: 50_000 - i)
        }
        let expected = items.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element.row)
        #expect(ScoreOrder.radixSortedByKey(items).map(\.row) == expected)
        #expect(ScoreOrder.radixSortedByKey([]).isEmpty)
        #expect(ScoreOrder.radixSortedByKey([items[0]]).map(\.row) == [items[0].row])
    }

    @Test("keys order as their doubles do, and the two zeros share one key")
    func keysOrderAsValues() {
        let values: [Double] = [-.infinity, -1e308, -1, -.leastNonzeroMagnitude, -0.0, 0.0, .leastNonzeroMagnitude, 1, 1e308, .infinity]
        for (a, b) in zip(values, values.dropFirst()) where a != b {
            #expect(ScoreOrder.key(a) < ScoreOrder.key(b), "\(a) < \(b)")
        }
        #expect(ScoreOrder.key(-0.0) == ScoreOrder.key(0.0))
    }

    @Test("a NaN or infinite score is an error that names the unit's row, not an arbitrary order")
    func nonFiniteScoreIsAnError() {
        for bad in [Double.nan, .infinity] {
            let scores = [0.2, 0.4, bad, 0.3]
            let error = #expect(throws: MatchingError.self) {
                try NearestNeighborMatcher(.psmatch2).match(scores: scores, treated: [true, false, false, true])
            }
            guard case .nonFiniteScore(let row, let value)? = error else { Issue.record("\(String(describing: error))"); continue }
            #expect(row == 2 && (value.isNaN ? bad.isNaN : value == bad))
            #expect(error?.description.contains("row 3") == true)
        }
    }
}
