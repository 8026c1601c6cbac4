import Matching
import Testing

/// Tie rules with replacement on exactly tied scores (dyadic scores, so every distance is exact in floating point).
///
/// Rows (C control, T treated, score):
///   0 C .5   1 T .5   2 C .5   3 T .5   4 T .75   5 C .625   6 C .875   7 T .25   8 C .125   9 C .125
///   10 T .375   11 C .375
struct ReplacementTiesTests {
    static let scores: [Double] = [0.5, 0.5, 0.5, 0.5, 0.75, 0.625, 0.875, 0.25, 0.125, 0.125, 0.375, 0.375]
    static let treated: [Bool] = [false, true, false, true, true, false, false, true, false, false, true, false]

    static func controls(_ spec: MatchingSpecification) throws -> [Int: [Int]] {
        let r = try NearestNeighborMatcher(spec).match(scores: scores, treated: treated)
        return Dictionary(grouping: r.pairs, by: \.treated).mapValues { $0.map(\.control) }
    }

    /// MatchIt's rule, derived by hand from its source (kosukeimai/MatchIt, commit bccb2fc, `src/nn_matchC_vec.cpp`
    /// and `find_control_vec` in `src/internal.cpp`): all units sorted by (score, row) (`order(distance)`); from the
    /// treated unit's position the first eligible control to the left and to the right are candidates, collected
    /// left first; `std::partial_sort` keeps the first one unless the other is strictly closer.
    /// - T1 (.5, row 1): left C0 (.5, row 0, distance 0), right C2 (distance 0): equal, left wins -> C0.
    /// - T3 (.5, row 3): left C2 (.5, row 2, distance 0) -> C2 (the default rule gives C0 again).
    /// - T4 (.75): left C5 (.625), right C6 (.875), both .125 -> C5.
    /// - T7 (.25): left walks to (.125, row 9) first -> C9 (the default rule gives the first row, C8).
    /// - T10 (.375, row 10): left (.125, row 9) at .25, right C11 (.375, row 11) at 0 -> C11.
    @Test("matchit preset with replacement: MatchIt's tie rule picks the controls its source gives (5 distinct, not 4)")
    func matchitTies() throws {
        var spec = MatchingSpecification.matchit
        spec.replacement = true
        let m = try Self.controls(spec)
        #expect(m == [1: [0], 3: [2], 4: [5], 7: [9], 10: [11]])
        let r = try NearestNeighborMatcher(spec).match(scores: Self.scores, treated: Self.treated)
        #expect(r.matchedControls == 5)

        var other = MatchingSpecification.default
        other.replacement = true
        let d = try Self.controls(other)
        #expect(d == [1: [0], 3: [0], 4: [5], 7: [8], 10: [11]])  // lower score, then first row
        #expect(try NearestNeighborMatcher(other).match(scores: Self.scores, treated: Self.treated).matchedControls == 4)
    }

    /// k = 2 under MatchIt's rule (walk as above, each side up to 2, a side stopping once 2 collected controls are
    /// strictly closer than its next one; libstdc++'s `partial_sort` heap keeps the first collected of equal
    /// distances, replacing only on a strictly smaller one):
    /// - T1: left C0 (0), right C2 (0); then C11 and C5 (.125) have 2 strictly closer: {C0, C2}.
    /// - T3: left C2 (0), right C5 (.125), left C0 (0); right C6 (.375) stops: the 2 closest {C2, C0}.
    /// - T7 (.25): left C9 (.125), right C11 (.375, .125), left C8 (.125); right C0 (.25) stops: 3 tied at .125,
    ///   the first two collected are kept: {C9, C11} (C8, the first row, is not).
    @Test("matchit preset with replacement, 2 neighbours: the two closest, equal distances in collection order")
    func matchitTwoNeighbours() throws {
        var spec = MatchingSpecification.matchit
        spec.replacement = true
        spec.neighbors = 2
        let m = try Self.controls(spec).mapValues { Set($0) }
        #expect(m[1] == [0, 2])
        #expect(m[3] == [2, 0])
        #expect(m[7] == [9, 11])
    }

    /// psmatch2's ties: every control at the nearest distance, the treated unit's weight shared equally.
    /// T1, T3 -> {C0, C2}; T4 -> {C5, C6}; T7 (.25) -> {C8, C9, C11} (.125 below and above); T10 -> {C11}.
    /// Weights: C0 = C2 = 1/2 + 1/2 = 1, C5 = C6 = 1/2, C8 = C9 = 1/3, C11 = 1/3 + 1 = 4/3, treated 1.
    @Test("psmatch2 ties: all controls tied at the nearest distance are matched and share the weight")
    func psmatch2Ties() throws {
        var spec = MatchingSpecification.psmatch2
        spec.ties = true
        let m = try Self.controls(spec).mapValues { Set($0) }
        #expect(m == [1: [0, 2], 3: [0, 2], 4: [5, 6], 7: [8, 9, 11], 10: [11]])
        let r = try NearestNeighborMatcher(spec).match(scores: Self.scores, treated: Self.treated)
        let expected: [Double] = [1, 1, 1, 1, 1, 0.5, 0.5, 1, 1.0 / 3, 1.0 / 3, 1, 4.0 / 3]
        #expect(zip(r.weights, expected).allSatisfy { Swift.abs($0 - $1) < 1e-12 }, "\(r.weights)")

        var without = MatchingSpecification.psmatch2
        without.ties = false
        let w = try NearestNeighborMatcher(without).match(scores: Self.scores, treated: Self.treated)
        #expect(w.pairs.count == 5)  // one control each without ties
    }

    @Test("ties without replacement is refused with a sentence saying what to do")
    func tiesNeedReplacement() {
        var spec = MatchingSpecification.psmatch2
        spec.ties = true
        spec.replacement = false
        #expect(throws: MatchingError.tiesNeedReplacement) {
            try NearestNeighborMatcher(spec).match(scores: Self.scores, treated: Self.treated)
        }
        #expect(MatchingError.tiesNeedReplacement.description.contains("--replacement"))
    }
}
