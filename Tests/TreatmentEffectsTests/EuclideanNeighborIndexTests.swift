import Distributions
import Testing
@testable import TreatmentEffects

/// The k-d tree of the psmatch ATET's covariate matching against brute force: every distance computed, ties (equal
/// squared distances) all kept, persons with identical rows counted once each.
struct EuclideanNeighborIndexTests {
    /// Brute force: the mean `y` and count of the `m` nearest of `persons` to `x`, ties at the `m`-th distance kept.
    static func bruteForce(_ x: [Double], persons: [Int], rows: [[Double]], y: [Double], m: Int) -> (Double, Double) {
        let d = persons.map { j in zip(rows[j], x).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let cut = d.sorted()[m - 1]
        let chosen = persons.indices.filter { d[$0] <= cut }
        return (chosen.reduce(0.0) { $0 + y[persons[$1]] } / Double(chosen.count), Double(chosen.count))
    }

    @Test("Euclidean nearest persons with ties (integer grid: many equal distances and duplicate rows) equal brute force")
    func matchesBruteForce() {
        var rng = SplitMix64(seed: 7)
        let n = 600, k = 3
        let rows = (0..<n).map { _ in (0..<k).map { _ in Double(Int.random(in: 0..<5, using: &rng)) } }
        let y = (0..<n).map { _ in Double.random(in: 0..<10, using: &rng) }
        let arm = Array(stride(from: 0, to: n, by: 2)), queries = Array(stride(from: 1, to: n, by: 2))
        let index = EuclideanNeighborIndex(persons: arm, k: k, y: y) { i, out in for a in 0..<k { out[a] = rows[i][a] } }
        #expect(index.distinctRows < arm.count)  // duplicates were merged
        var checked = 0
        for m in [1, 2, 5] {
            for q in queries {
                let got = index.nearestMean(to: rows[q], m: m)
                let want = Self.bruteForce(rows[q], persons: arm, rows: rows, y: y, m: m)
                #expect(got.persons == want.1)
                #expect(Swift.abs(got.meanY - want.0) < 1e-9)
                checked += 1
            }
        }
        #expect(checked == 900)
    }

    @Test("Euclidean nearest persons on continuous rows (no ties) equal brute force; fewer persons than m gives none")
    func continuousRows() {
        var rng = SplitMix64(seed: 11)
        let n = 400, k = 4
        let rows = (0..<n).map { _ in (0..<k).map { _ in Double.random(in: -1..<1, using: &rng) } }
        let y = (0..<n).map { Double($0) }
        let arm = Array(0..<300)
        let index = EuclideanNeighborIndex(persons: arm, k: k, y: y) { i, out in for a in 0..<k { out[a] = rows[i][a] } }
        for q in 300..<n {
            let got = index.nearestMean(to: rows[q], m: 3)
            let want = Self.bruteForce(rows[q], persons: arm, rows: rows, y: y, m: 3)
            #expect(got.persons == 3 && Swift.abs(got.meanY - want.0) < 1e-9)
        }
        let small = EuclideanNeighborIndex(persons: [0, 1], k: k, y: y) { i, out in for a in 0..<k { out[a] = rows[i][a] } }
        #expect(small.nearestMean(to: rows[5], m: 3).persons == 0)
    }
}
