import _DiDKitTestSupport
import Design
import Estimation
import Foundation
import Panel
import Regression
import Tabular
import Testing

/// The matched DiD: matching weights and clusters by matched pair (issue: effects after matching).
@Suite("Event study with matching weights and pair clusters")
struct MatchedEventStudyTests {
    /// Coefficients and model-based SEs of a fit agree to this relative tolerance when the same
    /// likelihood is maximised two ways (IRLS converges to 1e-10 relative change; see LogisticRegression).
    static let sameLikelihood = 1e-8

    @Test("a whole-number weight k is k copies of the person: same coefficients and OIM SEs")
    func weightsAreReplicates() throws {
        let data = SyntheticEventPanel(persons: 300, seed: 21).table
        let (panel, cohorts) = try panelAndCohorts(data)
        // Weight 2 for every third control; the replicated panel holds those persons twice.
        var weights = [Double](repeating: 1, count: panel.personCount)
        for p in 0..<panel.personCount where !cohorts.treated[p] && p % 3 == 0 { weights[p] = 2 }
        let spec = EventStudySpecification(outcome: "y", window: -3...1, reference: -1, controls: ["x"])
        let weighted = try EventStudy.fit(try EventStudySample(panel: panel, cohorts: cohorts, specification: spec, personWeights: weights))
            .inference(vce: .oim)
        let ids = try data.text("id")
        var copies: [Int] = Array(0..<data.rowCount)
        var copyIDs: [String?] = (0..<data.rowCount).map { ids[$0] }
        for r in 0..<data.rowCount {
            guard let p = panel.person(withID: ids[r] ?? ""), weights[p] == 2 else { continue }
            copies.append(r)
            copyIDs.append((ids[r] ?? "") + "-copy")
        }
        var replicated = data.selectingRows(copies)
        try replicated.setColumn("id", .text(TextColumn(copyIDs)))
        let (panel2, cohorts2) = try panelAndCohorts(replicated)
        let plain = try EventStudy.fit(try EventStudySample(panel: panel2, cohorts: cohorts2, specification: spec)).inference(vce: .oim)
        #expect(weighted.table.names == plain.table.names)
        for k in plain.table.names.indices {
            #expect(Swift.abs(weighted.table.coefficients[k] - plain.table.coefficients[k]) <= Self.sameLikelihood * Swift.max(1, Swift.abs(plain.table.coefficients[k])))
            #expect(Swift.abs(weighted.table.standardErrors[k] / plain.table.standardErrors[k] - 1) <= Self.sameLikelihood)
        }
    }

    @Test("pair clusters: one cluster per matched pair, and persons of weight 0 are counted out")
    func pairClusters() throws {
        let data = SyntheticEventPanel(persons: 200, seed: 22).table
        let (panel, cohorts) = try panelAndCohorts(data)
        let treated = (0..<panel.personCount).filter { cohorts.treated[$0] && cohorts.start[$0] != nil }
        let controls = (0..<panel.personCount).filter { !cohorts.treated[$0] && cohorts.start[$0] != nil }
        let pairs = zip(treated, controls).map { ($0, $1) }
        var cluster = Array(0..<panel.personCount), weight = [Double](repeating: 0, count: panel.personCount)
        for (k, (t, c)) in pairs.enumerated() { cluster[t] = panel.personCount + k; cluster[c] = panel.personCount + k; weight[t] = 1; weight[c] = 1 }
        let sample = try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(outcome: "y"),
                                          personWeights: weight, personClusters: cluster)
        #expect(sample.clusters.count == pairs.count)
        let left = sample.excludedPersons.first { $0.reason == "weight 0" }
        #expect((left?.treated ?? 0) + (left?.control ?? 0) == treated.count + controls.count - 2 * pairs.count)
        let inference = try EventStudy.fit(sample).inference(vce: .cluster)
        #expect(inference.table.clusters == pairs.count)
        #expect(throws: PanelError.invalidWeight(value: -1)) {
            var bad = weight
            bad[0] = -1
            _ = try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(outcome: "y"), personWeights: bad)
        }
    }
}
