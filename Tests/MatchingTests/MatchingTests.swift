import _DiDKitTestSupport
import Distributions
import Foundation
import Matching
import Regression
import Tabular
import Design
import Estimation
import Testing

let lalondePath = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/matchit-lalonde-nn-noreplace/data.csv").path

func lalondeMatch(_ spec: MatchingSpecification) throws -> PropensityScoreMatch {
    let table = try CSVReader.read(path: lalondePath, kinds: ["id": .text])
    return try PropensityScoreMatching(treatment: "treat", covariates: ["age", "educ", "race", "married", "nodegree", "re74", "re75"],
                                       factors: ["race"], baseLevels: ["race": "black"], matching: spec).run(on: table)
}

/// The values of the lalonde case's expected.json: `published` or `unpublished_reference`.
func lalondeValues(_ section: String) throws -> [(key: String, value: Double, tolerance: Double)] {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/matchit-lalonde-nn-noreplace/expected.json")
    let values = (try loadJSON(url)[section] as! [String: Any])["values"] as! [[String: Any]]
    return values.map { ($0["key"] as! String, ($0["value"] as! NSNumber).doubleValue, ($0["tolerance_abs"] as! NSNumber).doubleValue) }
}

/// Names in expected.json -> DiDKit balance rows.
func balanceName(_ key: String) -> String {
    ["distance": "_score", "raceblack": "race=black", "racehispan": "race=hispan", "racewhite": "race=white"][key] ?? key
}

/// DiDKit's value for a key of the lalonde case's expected.json: counts,
/// `caliper_in_ps_units`, or `mean_treated[v]`, `mean_control[v]`, `smd[v]` after matching.
func lalondeResult(_ key: String, _ m: PropensityScoreMatch) -> Double? {
    switch key {
    case "matched_control": return Double(m.result.matchedControls)
    case "matched_treated": return Double(m.result.matchedTreated)
    case "unmatched_control": return Double(m.result.controlCount - m.result.matchedControls)
    case "unmatched_treated": return Double(m.result.unmatchedTreated)
    case "caliper_in_ps_units": return m.result.caliper
    default:
        guard let open = key.firstIndex(of: "["), key.hasSuffix("]") else { return nil }
        let name = balanceName(String(key[key.index(after: open)..<key.index(before: key.endIndex)]))
        guard let row = m.balance.rows.first(where: { $0.name == name }) else { return nil }
        switch key[..<open] {
        case "mean_treated": return row.after.treatedMean
        case "mean_control": return row.after.controlMean
        case "smd": return row.after.smd
        default: return nil
        }
    }
}

@Suite("MatchIt vignette (lalonde, 1:1 nearest without replacement)")
struct MatchItVignetteTests {
    /// MatchIt 4.5.1 vignette "MatchIt: Getting Started", section "Matching",
    /// `summary(m.out1, un = FALSE)`; tolerances: half a unit in the last printed digit.
    @Test("every published value with the matchit preset")
    func published() throws {
        let m = try lalondeMatch(.matchit)
        for (key, want, tol) in try lalondeValues("published") {
            let got = try #require(lalondeResult(key, m), "unknown key \(key)")
            #expect(Swift.abs(got - want) <= tol, "\(key): \(got) vs published \(want)")
        }
    }

    /// Unpublished regression reference in the same expected.json: caliper = 0.1 SD,
    /// values printed by a std::abs-patched MatchIt 4.5.1 and an independent re-implementation.
    @Test("caliper 0.1 SD run matches the patched MatchIt reference")
    func caliperRun() throws {
        var spec = MatchingSpecification.matchit
        spec.caliper = 0.1
        let m = try lalondeMatch(spec)
        for (key, want, tol) in try lalondeValues("unpublished_reference") {
            let got = try #require(lalondeResult(key, m), "unknown key \(key)")
            #expect(Swift.abs(got - want) <= tol, "\(key): \(got) vs \(want)")
        }
        #expect(m.result.unmatched.allSatisfy { $0.reason == .noControlWithinCaliper })
    }

    /// Before-matching statistics against SciPy (Fixtures/balance_reference.py output):
    /// pooled t-test p-value, pstest %bias/100, variance ratio.
    @Test("before-matching t-tests, pstest bias and variance ratios agree with SciPy")
    func beforeMatchingStatistics() throws {
        var spec = MatchingSpecification.matchit
        spec.balance = .pstest
        let m = try lalondeMatch(spec)
        let rows = Dictionary(uniqueKeysWithValues: m.balance.rows.map { ($0.name, $0) })
        let scipy: [(String, Double, Double, Double)] = [
            ("age", 0.010736332582438224, -0.24190362292609974, 0.4399954634350611),
            ("educ", 0.6330009720473462, 0.04475508511087087, 0.4958933714292092),
            ("married", 2.3551241406886524e-14, -0.7194919624729043, 0.6158881473526779),
            ("re74", 3.464585257757587e-10, -0.5957515910049503, 0.5181284808561772),
        ]
        for (name, p, bias, vr) in scipy {
            let b = try #require(rows[name]).before
            #expect(Swift.abs(b.pValue - p) <= 1e-9 * p, "\(name) p")
            #expect(Swift.abs(b.smd - bias) <= 1e-12, "\(name) bias")
            #expect(Swift.abs(b.varianceRatio - vr) <= 1e-12, "\(name) variance ratio")
        }
        // For 1:1 without replacement the after-matching weighted t-test is the plain one.
        #expect(m.balance.rows.allSatisfy { $0.after.pValue >= 0 && $0.after.pValue <= 1 })
    }
}

@Suite("psmatch2 semantics against an independent implementation")
struct PSMatch2SemanticsTests {
    struct Case {
        let name: String
        let scores: [Double]
        let treated: [Bool]
        let replacement: Bool
        let caliper: Double?
        let descending: Bool
        let pairs: [[Int]]
        let unmatched: [Int]
        let globalGreedy: [[Int]]?
        let differs: Bool?
    }

    /// Fixtures/psmatch2/psmatch2_cases.json, made by psmatch2_reference.py from shared/psmatch2-semantics.md.
    static func cases() throws -> [Case] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/psmatch2/psmatch2_cases.json")
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [[String: Any]]
        return raw.map { c in
            Case(name: c["name"] as! String, scores: (c["scores"] as! [NSNumber]).map(\.doubleValue),
                 treated: (c["treated"] as! [NSNumber]).map { $0.intValue == 1 }, replacement: c["replacement"] as! Bool,
                 caliper: (c["caliper"] as? NSNumber)?.doubleValue, descending: c["descending"] as! Bool,
                 pairs: c["pairs"] as! [[Int]], unmatched: c["unmatched"] as! [Int],
                 globalGreedy: c["globalGreedyPairs"] as? [[Int]], differs: c["sweepDiffersFromGlobal"] as? Bool)
        }
    }

    func spec(_ c: Case) -> MatchingSpecification {
        var s = MatchingSpecification.psmatch2
        s.replacement = c.replacement
        s.caliper = c.caliper
        s.order = c.descending ? .descending : .ascending
        return s
    }

    @Test("the sweep's pairs and unmatched units equal the reference on every case")
    func sweepMatchesReference() throws {
        let all = try Self.cases()
        #expect(all.count == 9)
        for c in all {
            let r = try NearestNeighborMatcher(spec(c)).match(scores: c.scores, treated: c.treated)
            #expect(r.pairs.map { [$0.treated, $0.control] } == c.pairs, "\(c.name): pairs")
            #expect(r.unmatched.map(\.row).sorted() == c.unmatched, "\(c.name): unmatched")
            if let cal = c.caliper { #expect(r.pairs.allSatisfy { $0.distance < cal }, "\(c.name): strict caliper") }
        }
    }

    @Test("without replacement the sweep and a global nearest-available matcher give different pairs")
    func sweepDiffersFromGlobalGreedy() throws {
        var differing = 0
        for c in try Self.cases() where !c.replacement {
            var g = spec(c)
            g.algorithm = .nearestAvailable
            let r = try? NearestNeighborMatcher(g).match(scores: c.scores, treated: c.treated)
            let ours = r?.pairs.map { [$0.treated, $0.control] } ?? []
            #expect(ours == c.globalGreedy!, "\(c.name): global greedy pairs")
            if c.differs == true { differing += 1; #expect(ours.sorted { $0.lexicographicallyPrecedes($1) } != c.pairs.sorted { $0.lexicographicallyPrecedes($1) }) }
        }
        #expect(differing >= 3)
    }

    @Test("with replacement the sweep finds each treated unit's nearest control, the lower score on a tie")
    func withReplacementIsNearest() throws {
        for c in try Self.cases() where c.replacement && c.caliper == nil {
            let r = try NearestNeighborMatcher(spec(c)).match(scores: c.scores, treated: c.treated)
            let controls = c.treated.indices.filter { !c.treated[$0] }
            for p in r.pairs {
                let best = controls.map { Swift.abs(c.scores[p.treated] - c.scores[$0]) }.min()!
                #expect(p.distance == best)
            }
        }
    }
}

@Suite("Matching properties and bad input")
struct MatchingPropertyTests {
    static func randomData(_ n: Int, seed: UInt64, treatedShare: Double = 0.2, decimals: Double = 1000) -> ([Double], [Bool], [Int32]) {
        var rng = SplitMix64(seed: seed)
        var s: [Double] = [], t: [Bool] = [], g: [Int32] = []
        for _ in 0..<n {
            s.append((rng.uniform() * rng.uniform() * decimals).rounded() / decimals)
            t.append(rng.uniform() < treatedShare)
            g.append(Int32(rng.uniform() * 4))
        }
        return (s, t, g)
    }

    @Test("without replacement no control is used twice; pairs respect the caliper; exact strata are never crossed")
    func invariants() throws {
        let (s, t, g) = Self.randomData(5000, seed: 11)
        for order in [MatchingOrder.ascending, .descending, .data, .random(seed: 5)] {
            for inclusive in [true, false] {
                let spec = MatchingSpecification(caliper: 0.002, caliperInclusive: inclusive, order: order)
                let r = try NearestNeighborMatcher(spec).match(scores: s, treated: t, strata: g)
                #expect(Set(r.pairs.map(\.control)).count == r.pairs.count)
                #expect(r.pairs.allSatisfy { inclusive ? $0.distance <= 0.002 : $0.distance < 0.002 })
                #expect(r.pairs.allSatisfy { g[$0.treated] == g[$0.control] && t[$0.treated] && !t[$0.control] })
                #expect(r.matchedTreated + r.unmatchedTreated == r.treatedCount)
            }
        }
    }

    @Test("the same seed and order give identical matches")
    func determinism() throws {
        let (s, t, _) = Self.randomData(3000, seed: 3)
        let spec = MatchingSpecification(order: .random(seed: 42))
        let a = try NearestNeighborMatcher(spec).match(scores: s, treated: t)
        let b = try NearestNeighborMatcher(spec).match(scores: s, treated: t)
        #expect(a.pairs == b.pairs)
        let c = try NearestNeighborMatcher(MatchingSpecification(order: .random(seed: 43))).match(scores: s, treated: t)
        #expect(a.pairs != c.pairs)
    }

    @Test("k:1 weights: each matched treated unit spreads weight 1 over its controls")
    func ratioWeights() throws {
        let (s, t, _) = Self.randomData(4000, seed: 8, treatedShare: 0.1)
        for replacement in [false, true] {
            let r = try NearestNeighborMatcher(MatchingSpecification(neighbors: 3, replacement: replacement)).match(scores: s, treated: t)
            let controlWeight = s.indices.filter { !t[$0] }.reduce(0.0) { $0 + r.weights[$1] }
            #expect(Swift.abs(controlWeight - Double(r.matchedTreated)) < 1e-9)
            #expect(Dictionary(grouping: r.pairs, by: \.treated).values.allSatisfy { $0.count == 3 })
            if !replacement { #expect(Set(r.pairs.map(\.control)).count == r.pairs.count) }
        }
    }

    @Test("nearest available is the true nearest among the controls still free (brute force check)")
    func nearestIsNearest() throws {
        let (s, t, _) = Self.randomData(600, seed: 21, decimals: 100)
        let r = try NearestNeighborMatcher(MatchingSpecification(order: .descending)).match(scores: s, treated: t)
        var free = Set(s.indices.filter { !t[$0] })
        for p in r.pairs {
            let best = free.map { Swift.abs(s[p.treated] - s[$0]) }.min()!
            #expect(p.distance == best)
            let tied = free.filter { Swift.abs(s[p.treated] - s[$0]) == best }
            let want = tied.min { (s[$0], $0) < (s[$1], $1) }!
            #expect(p.control == want, "lower score, then data order, wins a tie")
            free.remove(p.control)
        }
    }

    @Test("common support sets treated outside the control range off support")
    func commonSupport() throws {
        let s: [Double] = [0.1, 0.2, 0.3, 0.05, 0.25, 0.9]
        let t = [false, false, false, true, true, true]
        let r = try NearestNeighborMatcher(MatchingSpecification(commonSupport: true)).match(scores: s, treated: t)
        #expect(r.unmatched.map(\.row).sorted() == [3, 5])
        #expect(r.unmatched.allSatisfy { $0.reason == .offSupport })
    }

    @Test("bad input gives clear errors; partial failure is counted, not an error")
    func badInput() throws {
        let s: [Double] = [0.1, 0.2, 0.3, 0.4]
        #expect(throws: MatchingError.noTreated(column: "treatment")) {
            _ = try NearestNeighborMatcher(.default).match(scores: s, treated: [false, false, false, false])
        }
        #expect(throws: MatchingError.noControls(column: "treatment")) {
            _ = try NearestNeighborMatcher(.default).match(scores: s, treated: [true, true, true, true])
        }
        #expect(throws: MatchingError.invalidCaliper(0)) {
            _ = try NearestNeighborMatcher(MatchingSpecification(caliper: 0)).match(scores: s, treated: [true, false, false, false])
        }
        #expect(throws: MatchingError.notEnoughControls(needed: 4, available: 3, stratum: nil)) {
            _ = try NearestNeighborMatcher(MatchingSpecification(neighbors: 4)).match(scores: s, treated: [true, false, false, false])
        }
        #expect(throws: MatchingError.allTreatedUnmatched(treated: 1, reason: "1 no control within caliper")) {
            _ = try NearestNeighborMatcher(MatchingSpecification(caliper: 0.01)).match(scores: [0.1, 0.5], treated: [true, false])
        }
        let partial = try NearestNeighborMatcher(MatchingSpecification(caliper: 0.05)).match(scores: [0.1, 0.12, 0.8, 0.3], treated: [true, false, true, false])
        #expect(partial.matchedTreated == 1 && partial.unmatchedCount(.noControlWithinCaliper) == 1)
        #expect(throws: MatchingError.noReplacementNeedsOneToOne) {
            var p = MatchingSpecification.psmatch2
            p.replacement = false
            p.neighbors = 2
            _ = try NearestNeighborMatcher(p).match(scores: s, treated: [true, false, false, false])
        }
    }

    @Test("treatment not 0/1 and a failing score model are errors naming the problem")
    func pipelineErrors() throws {
        let bad = try Table(numeric: [("t", [0, 1, 2, 0]), ("x", [1, 2, 3, 4])])
        #expect(throws: MatchingError.treatmentNotBinary(column: "t", value: 2, count: 1)) {
            _ = try PropensityScoreMatching(treatment: "t", covariates: ["x"]).run(on: bad)
        }
        let separated = try Table(numeric: [("t", [0, 0, 0, 1, 1, 1]), ("x", [1, 2, 3, 4, 5, 6])])
        #expect(throws: MatchingError.scoreModel(.perfectPrediction("a combination of the terms separates the outcome completely"))) {
            _ = try PropensityScoreMatching(treatment: "t", covariates: ["x"]).run(on: separated)
        }
        #expect(MatchingError.noControls(column: "t").description.contains("control pool"))
    }
}
