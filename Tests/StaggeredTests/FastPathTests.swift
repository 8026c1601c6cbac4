import Distributions
import Foundation
import Linalg
@testable import Staggered
import Tabular
import Testing

/// The fast routes of the panel builder and the bootstrap against the direct computations they replace.
@Suite struct FastPathTests {
    /// The reference coding: sorted distinct finite ids, each row's index among them (-1 missing).
    static func referenceCodes(_ id: [Double]) -> (ids: [Double], codes: [Int32]) {
        let ids = Array(Set(id.filter(\.isFinite))).sorted()
        return (ids, id.map { v in v.isFinite ? Int32(ids.firstIndex(of: v) ?? -1) : -1 })
    }

    /// The panel's 32-bit row numbers: 2^31 - 1 rows pass the check, one more is a clear error (no data of
    /// that size is made here; the check runs before any code is).
    @Test func aPanelBeyondThirtyTwoBitRowNumbersIsRefusedWithAMessage() throws {
        try StaggeredData.checkRowCount(Int(Int32.max))
        #expect(throws: StaggeredError.tooManyRows(Int(Int32.max) + 1)) { try StaggeredData.checkRowCount(Int(Int32.max) + 1) }
        #expect(StaggeredError.tooManyRows(3_000_000_000).description.contains("3000000000 rows"))
    }

    @Test func unitCodesAgreeOnEveryRoute() {
        let dense: [Double] = [3, 3, 0, 7, .nan, 0, 12]                 // small whole numbers: direct indexing
        let sorted: [Double] = [1e9, 1e9, .nan, 2e9 + 0.5, 2e9 + 0.5, 5e12] // non-decreasing: runs
        let hashed: [Double] = [5e12, -1.5, 1e9, .nan, -1.5, 1e9, 5e12]     // neither: hash map
        for id in [dense, sorted, hashed] {
            let got = StaggeredData.unitCodes(id)
            let want = Self.referenceCodes(id)
            #expect(got.ids == want.ids)
            #expect(got.codes == want.codes)
        }
    }

    @Test func sortedTextCodesEqualTheDictionaryCodes() throws {
        let sorted = TextColumn(["P01", "P01", "P02", "P10", "P10", "P10", "Q", "Qa"])
        let codes = try req(StaggeredData.sortedTextCodes(sorted))
        #expect(codes == sorted.encoded().codes)
        // Out of order or with a missing cell: no codes (the general encoding is used).
        #expect(StaggeredData.sortedTextCodes(TextColumn(["P02", "P01"])) == nil)
        #expect(StaggeredData.sortedTextCodes(TextColumn(["P01", nil, "P02"])) == nil)
    }

    /// The numeric-covariate route (columns read in place) gives the panel of the design route
    /// (`DesignMatrix.build` then the row arrays), notes included, with missing cells and a text id.
    @Test func numericRouteEqualsTheDesignRoute() throws {
        let r = try Fixture.rows()
        var y = r.y, lpop = r.lpop
        y[7] = .nan       // an outcome missing: its unit drops when balancing
        lpop[12] = .nan   // a covariate missing
        let ids = r.id.map { String(format: "c%05.0f", $0) }
        let table = try Table([("id", .text(TextColumn(ids))), ("year", .numeric(r.time)), ("y", .numeric(y)),
                               ("g", .numeric(r.g)), ("lpop", .numeric(lpop))])
        let viaDesign = try StaggeredData(parts: StaggeredData.assembleThroughDesign(table: table, id: "id", time: "year", outcome: "y",
                                                                                    group: "g", covariates: ["lpop"], factors: [],
                                                                                    cluster: nil))
        let fast = try StaggeredData(table: table, id: "id", time: "year", outcome: "y", group: "g", covariates: ["lpop"])
        #expect(fast.notes == viaDesign.notes)
        #expect(fast.notes.contains { $0.contains("rows dropped for missing values (y: 1, lpop: 1)") })
        #expect(fast.unitIDs == viaDesign.unitIDs)
        #expect(fast.periods == viaDesign.periods)
        #expect(fast.outcome == viaDesign.outcome)
        #expect(fast.groups == viaDesign.groups)
        #expect(fast.covariates.storage == viaDesign.covariates.storage)
        #expect(fast.covariateNames == viaDesign.covariateNames)
        #expect(fast.droppedUnits == 2)
    }

    /// The tabulated bootstrap sum equals `T_bj = sqrt(n)/n sum_c v_bc S_cj` with the weights drawn
    /// directly from each replication's SplitMix64 stream (the definition in `MultiplierBootstrap`),
    /// over a partial last block and a partial last chunk of 8. Tolerance 1e-12 relative to the
    /// largest `|T|`: the sums are regrouped, each term's rounding is ~1e-16.
    @Test func tabulatedDrawsEqualTheDirectSum() {
        let units = 2_500, width = 5, b = 40
        var gen = SplitMix64(seed: 99)
        let s = (0..<(units * width)).map { _ in gen.uniform() - 0.5 }  // column-major units x width
        let blocks = RowBlocks(count: units, blockSize: 1024)
        let block: @Sendable (Range<Int>) -> Matrix = { r in
            Matrix(rows: r.count, columns: width, columnMajor: (0..<width).flatMap { j in r.map { s[$0 + j * units] } })
        }
        for weights in [MultiplierWeights.mammen, .rademacher] {
            let boot = MultiplierBootstrap(replications: b, seed: 7, weights: weights)
            let t = boot.draws(blocks: blocks, block: block, width: width, units: units)
            var master = SplitMix64(seed: 7)
            let (cut, low, high) = MultiplierBootstrap.twoPoint(weights)
            var largest = 0.0, worst = 0.0
            for rep in 0..<b {
                var rng = SplitMix64(seed: master.next())
                var direct = [Double](repeating: 0, count: width)
                for c in 0..<units {
                    let v = (rng.next() >> 11) < cut ? low : high
                    for j in 0..<width { direct[j] += v * s[c + j * units] }
                }
                for j in 0..<width {
                    let want = Double(units).squareRoot() / Double(units) * direct[j]
                    largest = Swift.max(largest, Swift.abs(want))
                    worst = Swift.max(worst, Swift.abs(t[rep, j] - want))
                }
            }
            #expect(worst <= 1e-12 * largest, "\(weights): max |dT| \(worst), max |T| \(largest)")
        }
    }

    /// The thresholded stream gives the bits of `SplitMix64.next() >> 11 >= cut`, also on the rare path where
    /// the top 31 bits tie with the threshold's (forced here by building the threshold from the draw itself).
    @Test func highDrawsEqualTheThresholdedSplitMix64() {
        var seeds = SplitMix64(seed: 2026)
        for _ in 0..<200 {
            let seed = seeds.next()
            var probe = SplitMix64(seed: seed)
            let z = probe.next() >> 11
            let tied = (z >> 22) << 22  // same top 31 bits as the first draw
            for cut in [MultiplierBootstrap.twoPoint(.mammen).0, MultiplierBootstrap.twoPoint(.rademacher).0,
                        tied, tied | (z & 0x3F_FFFF), tied | ((z & 0x3F_FFFF) &+ 1), 0, 1 << 53] {
                var reference = SplitMix64(seed: seed)
                var draws = HighDraws(state: seed, cut: cut)
                for _ in 0..<50 { #expect(draws.next() == ((reference.next() >> 11) >= cut ? 1 : 0)) }
            }
        }
    }
}

