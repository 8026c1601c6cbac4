import Design
import Estimation
import Matching
import Tabular
import Testing

@Suite("Balance as a summary of (data, match result)")
struct BalanceSeparationTests {
    /// The same lalonde match (MatchIt preset, as the published case) summarised twice: by the
    /// pipeline, and from the data plus the pairs alone (as a match made elsewhere would be).
    @Test("balance from the pairs alone equals the pipeline's balance on the same rows")
    func externalMatchBalance() throws {
        let m = try lalondeMatch(.matchit)
        let rows = try CSVReader.read(path: lalondePath, kinds: ["id": .text]).selectingRows(m.rows)
        let external = MatchResult(pairs: m.result.pairs, treated: m.treated)
        #expect(external.weights == m.result.weights)
        let b = try BalanceTable(table: rows, treatment: "treat", covariates: ["age", "educ", "race", "married", "nodegree", "re74", "re75"],
                                 factors: ["race"], match: external, convention: .matchit, scores: m.scores)
        #expect(b.rows == m.balance.rows)
        #expect(b.treatedAfter == m.balance.treatedAfter && b.controlAfter == m.balance.controlAfter)
    }

    @Test("a match whose units differ from the rows in number is an error, not a misaligned table")
    func mismatchedRows() throws {
        let m = try lalondeMatch(.matchit)
        let external = MatchResult(pairs: m.result.pairs, treated: m.treated)
        #expect(throws: MatchingError.self) {
            _ = try BalanceTable(table: try CSVReader.read(path: lalondePath, kinds: ["id": .text]).selectingRows(Array(m.rows.dropLast())), treatment: "treat", covariates: ["age"],
                                 match: external, convention: .matchit)
        }
    }

    @Test("the matcher protocol runs the score matcher and refuses units without scores")
    func matcherProtocol() throws {
        let matcher: any Matcher = NearestNeighborMatcher(.matchit)
        let r = try matcher.match(MatchingUnits(treated: [true, false, false], scores: [0.5, 0.45, 0.9]))
        #expect(r.pairs == [MatchedPair(treated: 0, control: 1, distance: Swift.abs(0.5 - 0.45))])
        #expect(throws: MatchingError.missingScores) { _ = try matcher.match(MatchingUnits(treated: [true, false])) }
    }

    @Test("a stratum without controls and a pool smaller than k are reported as such, not as caliper failures")
    func shortfalls() throws {
        // Strata 0 and 1; stratum 1 has no controls. Scores are spaced so no caliper is involved.
        let units = MatchingUnits(treated: [true, false, false, true], scores: [0.5, 0.4, 0.6, 0.7], strata: [0, 0, 0, 1])
        var spec = MatchingSpecification.matchit
        spec.replacement = true
        spec.neighbors = 3
        let r = try NearestNeighborMatcher(spec).match(units)
        #expect(r.unmatchedCount(.noControlInStratum) == 1 && r.unmatchedCount(.noControlWithinCaliper) == 0)
        // Treated unit 0 asked for 3 controls and its stratum has 2.
        #expect(r.pairs.filter { $0.treated == 0 }.count == 2 && r.treatedWithFewerControls == 1)
    }
}
