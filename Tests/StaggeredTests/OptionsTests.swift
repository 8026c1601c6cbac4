import Foundation
import Linalg
import Staggered
import Tabular
import Testing

/// Options beyond the defaults: clusters, factors, anticipation, aggregation windows.
@Suite struct OptionsTests {
    /// A cluster column equal to the unit id gives the unit-clustered SEs exactly (sums over one unit each).
    @Test func clusterByUnitEqualsDefault() throws {
        let table = try Fixture.mpdta()
        let plain = try GroupTimeATT(Fixture.panel(covariates: ["lpop"], table: table), options: StaggeredOptions(method: .dr))
        let byID = try GroupTimeATT(StaggeredData(table: table, id: "countyreal", time: "year", outcome: "lemp", group: "first.treat",
                                                  covariates: ["lpop"], cluster: "countyreal"), options: StaggeredOptions(method: .dr))
        for (a, b) in zip(plain.standardErrors, byID.standardErrors) { #expect(Swift.abs(try req(a) - req(b)) < 1e-15) }
    }

    /// Coarser clusters (counties grouped by the first digits of their code) change the SEs but not the ATTs.
    @Test func coarserClusters() throws {
        let r = try Fixture.rows()
        let cluster = r.id.map { Int(($0 / 1000).rounded(.down)) }
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, cluster: cluster)
        let est = try GroupTimeATT(data, options: StaggeredOptions(method: .reg))
        let plain = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg))
        #expect(est.clusterCount < 500 && est.clusterCount > 1)
        #expect(zip(est.cells, plain.cells).allSatisfy { $0.att == $1.att })
        #expect(est.standardErrors.allSatisfy { $0?.isFinite == true })
        #expect(est.attgtTable().vce?.contains("clusters") == true)
    }

    /// A factor covariate is expanded to indicators (base level dropped) at baseline.
    @Test func factorCovariate() throws {
        var table = try Fixture.mpdta()
        let lpop = try table.numeric("lpop").doubles
        try table.setColumn("size", .text(TextColumn(lpop.map { $0 < 3 ? "small" : ($0 < 4.5 ? "medium" : "large") })))
        let data = try StaggeredData(table: table, id: "countyreal", time: "year", outcome: "lemp", group: "first.treat", factors: ["size"])
        #expect(data.covariateNames.count == 3)  // two non-base levels and _cons
        let est = try GroupTimeATT(data, options: StaggeredOptions(method: .dr))
        #expect(est.cells.allSatisfy { $0.att.isFinite })
    }

    /// Anticipation K = 1: the base period of group g is g - 2, and group 2004 (whose only earlier period is 2003)
    /// has no pre-period left and is dropped.
    @Test func anticipation() throws {
        let est = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, anticipation: 1))
        #expect(!est.cells.contains { $0.group == 2004 })
        let post = try req(est.cells.first { $0.group == 2006 && $0.time == 2006 })
        #expect(post.base == 2004)
        #expect(est.notes.contains { $0.contains("group 2004") && $0.contains("anticipation 1") })
    }

    /// Aggregation windows: max_e and balance_e as did::aggte.
    @Test func eventWindows() throws {
        let est = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, minEvent: -1, maxEvent: 1))
        let dyn = est.aggregate(.dynamic)
        #expect(dyn.table.rows.compactMap(\.label.event) == [-1, 0, 1])
        let bal = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, balanceEvent: 1)).aggregate(.dynamic)
        // Groups observed at least 1 period after treatment: 2004 and 2006; e in [1 - 4, 1].
        #expect(bal.table.rows.compactMap(\.label.event) == [-2, -1, 0, 1])
        #expect(bal.table.rows.allSatisfy { $0.persons == 60 || $0.persons == 40 })
    }

    @Test func oneClusterIsAnError() throws {
        let r = try Fixture.rows()
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, cluster: r.id.map { _ in 7 })
        #expect(throws: StaggeredError.self) { try GroupTimeATT(data, options: StaggeredOptions(method: .reg)) }
    }

    @Test func invalidOptions() throws {
        let data = try Fixture.panel()
        #expect(throws: StaggeredError.self) { try GroupTimeATT(data, options: StaggeredOptions(anticipation: -1)) }
        #expect(throws: StaggeredError.self) { try GroupTimeATT(data, options: StaggeredOptions(bootstrap: 5)) }
        #expect(throws: StaggeredError.self) { try GroupTimeATT(data, options: StaggeredOptions(level: 100)) }
        // R did accepts a negative balance_e and keeps only pre-treatment event times; refused here.
        #expect(throws: StaggeredError.self) { try GroupTimeATT(data, options: StaggeredOptions(balanceEvent: -1)) }
        #expect(throws: Never.self) { try GroupTimeATT(data, options: StaggeredOptions(method: .reg, balanceEvent: 0)) }
    }

    @Test func anticipationLeavingNoPreTreatmentPeriodIsNamedInTheError() throws {
        // mpdta: periods 2003-2007, groups 2004, 2006, 2007. With 3 periods of anticipation, group 2007's
        // base period is 2003 (position 4 - 3 - 1 = 0) and it stays; with 4 no group has a base period.
        #expect(throws: Never.self) { try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, anticipation: 3)) }
        #expect(throws: StaggeredError.noTreatedGroups(anticipation: 4)) {
            try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, anticipation: 4))
        }
        #expect(StaggeredError.noTreatedGroups(anticipation: 4).description.contains("4 periods of anticipation"))
        #expect(!StaggeredError.noTreatedGroups(anticipation: 0).description.contains("anticipation"))
    }
}
