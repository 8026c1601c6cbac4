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

    /// Replication seed `s`'s weights for clusters `0..<count`, written out from the definition in
    /// `MultiplierBootstrap`'s documentation: `U_c = (beta_c + V_c) / 256` with `beta_c` byte `c mod 8` of
    /// output `floor(c/8) + 1` of `SplitMix64(seed: s)` and `V_c` the 53 bits of output `c + 1` of
    /// `SplitMix64(seed: s ^ tieKey)`, formed for every cluster here; `low` iff `U_c 2^61 < cut`.
    static func definitionWeights(seed s: UInt64, count: Int, cut: UInt64, low: Double, high: Double) -> [Double] {
        var bytes = SplitMix64(seed: s), ties = SplitMix64(seed: s ^ MultiplierBootstrap.tieKey)
        var z: UInt64 = 0
        return (0..<count).map { c in
            if c % 8 == 0 { z = bytes.next() }
            let beta = (z >> (8 * UInt64(c % 8))) & 0xFF
            let u61 = beta << 53 | (ties.next() >> 11)
            return u61 < cut ? low : high
        }
    }

    /// The tabulated bootstrap sum equals `T_bj = sqrt(n)/n sum_c v_bc S_cj` with the weights written out
    /// from their definition (above), over a partial last block and a partial last chunk of 8; 100,000
    /// draws, so about 390 go through the tie-breaking stream. Tolerance 1e-12 relative to the largest
    /// `|T|`: the sums are regrouped, each term's rounding is ~1e-16.
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
            var largest = 0.0, worst = 0.0, lowShare = 0.0
            for rep in 0..<b {
                let v = Self.definitionWeights(seed: master.next(), count: units, cut: cut, low: low, high: high)
                lowShare += Double(v.filter { $0 == low }.count) / Double(units * b)
                var direct = [Double](repeating: 0, count: width)
                for c in 0..<units { for j in 0..<width { direct[j] += v[c] * s[c + j * units] } }
                for j in 0..<width {
                    let want = Double(units).squareRoot() / Double(units) * direct[j]
                    largest = Swift.max(largest, Swift.abs(want))
                    worst = Swift.max(worst, Swift.abs(t[rep, j] - want))
                }
            }
            #expect(worst <= 1e-12 * largest, "\(weights): max |dT| \(worst), max |T| \(largest)")
            // The law: P(low) = (sqrt 5 + 1)/(2 sqrt 5) = 0.7236 (Mammen) or 1/2; 100,000 draws, 4 binomial SEs.
            let p = weights == .mammen ? (5.0.squareRoot() + 1) / (2 * 5.0.squareRoot()) : 0.5
            #expect(Swift.abs(lowShare - p) < 4 * (p * (1 - p) / Double(units * b)).squareRoot())
        }
    }

    /// The selection bits equal the definition also when the byte ties with the threshold's and the
    /// tie-breaking draw decides (forced here by thresholds built from the stream's own first byte and
    /// first tie draw: equal to it, one above, one below), past a chunk boundary and a partial last chunk.
    @Test func selectionBitsFollowTheDefinitionOnTies() {
        var seeds = SplitMix64(seed: 2026)
        let units = 21
        for _ in 0..<200 {
            let seed = seeds.next()
            var probe = SplitMix64(seed: seed), tieProbe = SplitMix64(seed: seed ^ MultiplierBootstrap.tieKey)
            let beta = probe.next() & 0xFF, v = tieProbe.next() >> 11
            let tied = beta << 53
            for cut in [MultiplierBootstrap.twoPoint(.mammen).0, MultiplierBootstrap.twoPoint(.rademacher).0,
                        tied, tied | v, tied | (v + 1), tied | (v &- 1) & (1 << 53 - 1), 0, 1 << 61] {
                var bits = [UInt8](repeating: 0, count: 3)
                MultiplierBootstrap.selections(bits: &bits, chunks: 3, units: units, first: 0, seeds: [seed],
                                               tieSeeds: [seed ^ MultiplierBootstrap.tieKey], cut: cut)
                let want = Self.definitionWeights(seed: seed, count: units, cut: cut, low: 0, high: 1)
                let got = (0..<units).map { Double((bits[$0 / 8] >> UInt8($0 % 8)) & 1) }
                #expect(got == want, "seed \(seed), cut \(cut)")
                #expect(bits[2] >> 5 == 0)  // clusters 21-23 do not exist
            }
        }
    }

    /// The word-at-once byte comparison equals the byte-by-byte one for every threshold (and one past
    /// the last byte value), on random words and on words whose bytes sit at, just above and just below it.
    @Test func byteComparisonEqualsTheBytewiseOne() {
        var gen = SplitMix64(seed: 5)
        for t in UInt64(0)...256 {
            let near = [t, t &+ 1, t &- 1, 0, 255, 127, 128].map { $0 & 0xFF }
            for trial in 0..<400 {
                var z = gen.next()
                if trial % 2 == 1 {
                    z = (0..<8).reduce(UInt64(0)) { w, e in w | near[Int(gen.next() % UInt64(near.count))] << (8 * UInt64(e)) }
                }
                let (above, ties) = MultiplierBootstrap.ByteComparison(threshold: t).compare(z)
                for e in 0..<UInt64(8) {
                    let byte = (z >> (8 * e)) & 0xFF
                    #expect((above >> e) & 1 == (byte > t ? 1 : 0), "t \(t), z \(z), byte \(e)")
                    #expect((ties >> e) & 1 == (byte == t ? 1 : 0), "t \(t), z \(z), byte \(e)")
                }
            }
        }
    }
}

/// The period scan in ranges (``StaggeredData/periodPositions(_:rowOK:parts:)``) against a serial reference.
@Suite struct PeriodPositionTests {
    /// Sorted distinct times of the usable rows, each usable row's index among them, 0 for the others.
    static func reference(_ time: [Double], _ ok: [Bool]) -> (periods: [Int], positions: [Int32]) {
        let periods = Array(Set(time.indices.filter { ok[$0] }.map { Int(time[$0]) })).sorted()
        return (periods, time.indices.map { ok[$0] ? Int32(periods.firstIndex(of: Int(time[$0])) ?? -1) : 0 })
    }

    static func panel(rows: Int, span: Int) -> (time: [Double], ok: [Bool]) {
        var rng = SplitMix64(seed: 5)
        let time = (0..<rows).map { _ in Double(2_000 + Int(rng.next() % UInt64(span))) }
        let ok = (0..<rows).map { $0 % 13 != 4 }
        return (time, ok)
    }

    @Test func positionsAreTheSameAtAnyNumberOfRanges() throws {
        let small = Self.panel(rows: 5_000, span: 9)
        var wide = Self.panel(rows: 5_000, span: 9)
        wide.time[17] = 5_000_000   // a span beyond 2^20: the hash route
        for p in [(small.time, small.ok), (wide.time, wide.ok)] {
            let want = Self.reference(p.0, p.1)
            for parts in [1, 3, 8] {
                let got = try StaggeredData.periodPositions(p.0, rowOK: p.1, parts: parts)
                #expect(got.periods == want.periods)
                #expect(got.positions == want.positions)
            }
        }
    }

    /// The error names the first non-whole time in row order, whichever range holds it; an unusable row's
    /// value is not read.
    @Test func theFirstNonWholeTimeInRowOrderIsReported() {
        var p = Self.panel(rows: 4_000, span: 9)
        p.time[3_900] = 2003.5
        p.time[1_201] = 2001.25
        p.time[4] = 2002.75     // row 4 is unusable (4 % 13 == 4): never read
        for parts in [1, 2, 4, 7] {
            #expect(throws: StaggeredError.notWholeNumber(column: "time", value: 2001.25)) {
                try StaggeredData.periodPositions(p.time, rowOK: p.ok, parts: parts)
            }
        }
    }
}

/// The panel's time and group read from a table's narrow column in blocks (``RowValues``) against the
/// same values as a `Double` array: the same values, periods, positions and errors, across block edges.
@Suite struct RowValuesTests {
    /// Rows spanning several blocks, with the last block partial.
    static let rows = 2 * RowValues.blockRows + 1_234

    @Test func aColumnReadInBlocksGivesTheArraysValuesAtAnyRows() {
        var rng = SplitMix64(seed: 11)
        let values = (0..<Self.rows).map { i in i % 97 == 5 ? Double.nan : Double(Int(rng.next() % 300) - 150) }
        let column = NumericColumn(compacting: values)
        #expect(column.bytesPerValue == 2)
        let picked = (0..<Self.rows).filter { $0 % 3 != 1 }.reversed().map { $0 }
        for (rows, missingAs) in [(nil, nil), (picked, nil), (picked, 0.0)] as [([Int]?, Double?)] {
            let expected = (rows ?? Array(0..<Self.rows)).map { values[$0].isNaN ? (missingAs ?? .nan) : values[$0] }
            let source = RowValues(column: column, rows: rows, missingAs: missingAs)
            #expect(source.count == expected.count)
            var got: [Double] = []
            var blocks: [Range<Int>] = []
            source.forEachBlock(7..<expected.count) { block, v in blocks.append(block); got += Array(v) }
            #expect(zip(got, expected[7...]).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } && got.count == expected.count - 7)
            // Consecutive blocks of at most blockRows rows, in order.
            #expect(blocks.first?.lowerBound == 7 && blocks.last?.upperBound == expected.count)
            #expect(zip(blocks, blocks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(blocks.allSatisfy { $0.count <= RowValues.blockRows })
        }
    }

    @Test func periodsFromANarrowColumnEqualThoseFromItsDoubles() throws {
        let p = PeriodPositionTests.panel(rows: Self.rows, span: 9)
        var wide = p.time
        wide[RowValues.blockRows + 17] = 5_000_000   // a span beyond 2^20: the hash route
        for (time, bytes) in [(p.time, 2), (wide, 4)] {
            let column = NumericColumn(compacting: time)
            #expect(column.bytesPerValue == bytes)
            for parts in [1, 3] {
                let want = try StaggeredData.periodPositions(time, rowOK: p.ok, parts: parts)
                let got = try StaggeredData.periodPositions(RowValues(column: column, rows: nil), rowOK: p.ok, parts: parts)
                #expect(got.periods == want.periods && got.positions == want.positions)
            }
        }
        // A non-whole time deep in a later block (a Double column) is the error, as from the array.
        var time = p.time
        time[RowValues.blockRows + 10] = 2004.5
        let decimal = NumericColumn(compacting: time)
        #expect(throws: StaggeredError.notWholeNumber(column: "time", value: 2004.5)) {
            try StaggeredData.periodPositions(RowValues(column: decimal, rows: nil), rowOK: p.ok, parts: 1)
        }
    }
}
