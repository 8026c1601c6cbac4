import Regression
import Testing

@Suite("Cluster ids")
struct ClusterIDsTests {
    @Test("labels are coded in order of first appearance, whether they come in runs or return later")
    func firstAppearanceCodes() {
        let ids = ClusterIDs(labels: ["b", "b", "a", "b", "a", "a", "c", "c", "b"])
        #expect(ids.codes == [0, 0, 1, 0, 1, 1, 2, 2, 0] && ids.count == 3)
        // Runs of person numbers, as a person-year sample has them, and the same numbers shuffled.
        let runs = (0..<1_000).flatMap { p in Array(repeating: (p * 7_919) % 1_000, count: 1 + p % 5) }
        let coded = ClusterIDs(labels: runs)
        #expect(coded.count == 1_000)
        var firstCode: [Int: Int32] = [:]
        for (l, c) in zip(runs, coded.codes) { #expect(firstCode[l, default: c] == c); firstCode[l] = c }
        #expect(Set(firstCode.values).count == 1_000 && coded.codes.max() == 999)
        #expect(ClusterIDs(labels: [Double.nan, .nan]).count == 2)  // NaN never equals itself: two clusters, as before
    }
}
