import Foundation
import Linalg
import Staggered
import Tabular
import Testing

/// Bad inputs give a clear error or a note, never a crash or NaN.
@Suite struct BadInputTests {
    @Test func unbalancedPanelIsBalancedWithTheCountReported() throws {
        let r = try Fixture.rows()
        // Drop the 2005 row of the first 7 counties.
        let firstSeven = Set(r.id.prefix(35))
        let keep = r.id.indices.filter { !(firstSeven.contains(r.id[$0]) && r.time[$0] == 2005) }
        let data = try StaggeredData(id: keep.map { r.id[$0] }, time: keep.map { r.time[$0] }, outcome: keep.map { r.y[$0] },
                                     group: keep.map { r.g[$0] })
        #expect(data.unitCount == 493)
        #expect(data.droppedUnits == 7)
        #expect(data.notes.contains { $0.contains("7 units dropped to balance the panel") })
        let est = try GroupTimeATT(data, options: StaggeredOptions(method: .reg))
        #expect(est.notes.contains { $0.contains("7 units dropped") })
        #expect(est.attgtTable().notes.contains { $0.contains("7 units dropped") })
    }

    @Test func rowsWithMissingValuesAreCountedByRole() throws {
        var r = try Fixture.rows()
        r.id[0] = .nan; r.id[7] = .nan   // two ids (two units become incomplete)
        r.y[7] = .nan                     // the same row's outcome, and one more
        r.y[12] = .infinity
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g)
        #expect(data.notes.contains("3 rows with a missing value left out (id: 2, outcome: 2; their units are then incomplete)"),
                "\(data.notes)")
        #expect(data.droppedUnits == 3)
    }

    @Test func fewClustersAreWarnedAboutInTheNotes() throws {
        let r = try Fixture.rows()
        // The 500 counties in id order, 100 (5 clusters) or 10 (50 clusters) to a cluster.
        let rank = Dictionary(uniqueKeysWithValues: Set(r.id).sorted().enumerated().map { ($0.element, $0.offset) })
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, cluster: r.id.map { (rank[$0] ?? 0) / 100 })
        #expect(data.clusterCount == 5)
        #expect(data.notes.contains { $0.hasPrefix("only 5 clusters of the cluster ids among the balanced units") })
        let many = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, cluster: r.id.map { (rank[$0] ?? 0) / 10 })
        #expect(many.clusterCount == 50)
        #expect(!many.notes.contains { $0.contains("clusters of") })
    }

    @Test func constantOutcomeIsRefusedAlsoFromArrays() throws {
        // The check lives in the panel's assembly: a panel made from arrays names the role, one read from a
        // table the column (HostileInputTests, DiDKitTests).
        let r = try Fixture.rows()
        #expect(throws: StaggeredError.outcomeConstant(column: "outcome", value: 1)) {
            _ = try StaggeredData(id: r.id, time: r.time, outcome: r.y.map { _ in 1 }, group: r.g)
        }
    }

    @Test func groupTreatedInTheFirstPeriodIsDroppedWithANote() throws {
        let r = try Fixture.rows()
        // Counties of group 2004 recoded to 2003: no pre-treatment period.
        let g = r.g.map { $0 == 2004 ? 2003 : $0 }
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: g)
        let est = try GroupTimeATT(data, options: StaggeredOptions(method: .dr))
        #expect(!est.cells.contains { $0.group == 2003 })
        #expect(est.units == 480)  // 500 counties less the 20 of group 2004 (mpdta)
        #expect(est.notes.contains { $0.contains("group 2003 (20 units) has no pre-treatment period") })
    }

    @Test func noNeverTreatedWithControlNever() throws {
        let r = try Fixture.rows()
        let keep = r.id.indices.filter { r.g[$0] != 0 }
        let data = try StaggeredData(id: keep.map { r.id[$0] }, time: keep.map { r.time[$0] }, outcome: keep.map { r.y[$0] },
                                     group: keep.map { r.g[$0] })
        #expect(throws: StaggeredError.noNeverTreated) { try GroupTimeATT(data, options: StaggeredOptions(control: .never)) }
        #expect(StaggeredError.noNeverTreated.description.contains("--control notyet"))
        // With not-yet-treated controls R did's rule applies: group 2007 only as comparison, periods 2003-2006.
        let est = try GroupTimeATT(data, options: StaggeredOptions(method: .reg, control: .notyet))
        #expect(Set(est.cells.map(\.group)) == [2004, 2006])
        #expect(est.cells.allSatisfy { $0.time <= 2006 && $0.att.isFinite })
    }

    @Test func constantCovariateIsDroppedWithANote() throws {
        let r = try Fixture.rows()
        let x = Matrix(columns: [[Double](repeating: 3, count: r.id.count), r.lpop])
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, covariates: x, covariateNames: ["three", "lpop"])
        #expect(data.notes.contains { $0.contains("covariate three is constant") })
        #expect(data.covariateNames == ["lpop", "_cons"])
        for m in ATTMethod.allCases {
            let est = try GroupTimeATT(data, options: StaggeredOptions(method: m))
            #expect(est.cells.allSatisfy { $0.att.isFinite })
            #expect(est.standardErrors.allSatisfy { $0?.isFinite == true })
        }
    }

    @Test func groupVaryingWithinAUnitNamesTheCountTheFirstRowAndBothValues() throws {
        var r = try Fixture.rows()
        let original = r.g
        // Three counties change group in 2006.
        let ids = Array(Set(r.id)).sorted().prefix(3)
        for k in r.id.indices where ids.contains(r.id[k]) && r.time[k] == 2006 { r.g[k] = r.g[k] == 0 ? 2007 : 0 }
        // The first changed row in array order (a 2006 row, after its unit's 2003-2005 rows): position k + 1.
        let k = try req(r.id.indices.first { r.g[$0] != original[$0] })
        #expect(r.id.indices.contains { $0 < k && r.id[$0] == r.id[k] })
        #expect(throws: StaggeredError.groupVaries(column: "group", units: 3, firstRow: k + 1, earlier: Int(original[k]), found: Int(r.g[k]))) {
            try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g)
        }
    }

    @Test func clusterVaryingWithinAUnitNamesTheCountAndTheFirstRow() throws {
        let r = try Fixture.rows()
        var cluster = r.id.map { Int($0) }
        // Two counties move to another cluster in their last period.
        let ids = Array(Set(r.id)).sorted().suffix(2)
        let last = try req(r.time.max())
        for k in r.id.indices where ids.contains(r.id[k]) && r.time[k] == last { cluster[k] = -1 }
        let k = try req(cluster.indices.first { cluster[$0] == -1 })
        #expect(throws: StaggeredError.clusterVaries(column: "cluster", units: 2, firstRow: k + 1)) {
            try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, cluster: cluster)
        }
    }

    @Test func tinyGroupIsNotEstimated() throws {
        var r = try Fixture.rows()
        // One never-treated county becomes group 2005 on its own.
        let lone = try req(r.id.indices.first { r.g[$0] == 0 }.map { r.id[$0] })
        for k in r.id.indices where r.id[k] == lone { r.g[k] = 2005 }
        let est = try GroupTimeATT(StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g), options: StaggeredOptions(method: .reg))
        #expect(!est.cells.contains { $0.group == 2005 })
        #expect(est.notes.contains { $0.contains("group 2005 has 1 unit") })
    }

    /// A 0/1 outcome: the tables are in percentage points (x 100) and say so.
    @Test func binaryOutcomeInPercentagePoints() throws {
        let r = try Fixture.rows()
        let median = r.y.sorted()[r.y.count / 2]
        let y01 = r.y.map { $0 > median ? 1.0 : 0.0 }
        let est = try GroupTimeATT(StaggeredData(id: r.id, time: r.time, outcome: y01, group: r.g), options: StaggeredOptions(method: .dr))
        let table = est.attgtTable()
        #expect(table.scale == .percentagePoints)
        #expect(table.notes.contains { $0.contains("percentage points") })
        let row = try req(table.row(group: 2004, time: 2005))
        let cell = try req(est.cells.first { $0.group == 2004 && $0.time == 2005 })
        #expect(Swift.abs(row.estimate - 100 * cell.att) < 1e-12)
        #expect(est.aggregate(.simple).table.scale == .percentagePoints)
    }

    /// Universal base period: the cell of g - 1 is a reference (0, no SE) and the other pre-periods are long differences.
    @Test func universalBasePeriod() throws {
        let est = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg, basePeriod: .universal))
        #expect(est.cells.count == 15)
        let ref = try req(est.cells.first { $0.group == 2006 && $0.time == 2005 })
        #expect(ref.isReference && ref.att == 0)
        let table = est.attgtTable()
        #expect(table.row(group: 2006, time: 2005)?.isReference == true)
        // 2006 vs base 2005 at t = 2004: the long difference against 2005 is minus the varying-base cell of 2005.
        let varying = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg))
        let a = try req(est.cells.first { $0.group == 2006 && $0.time == 2004 }).att
        let b = try req(varying.cells.first { $0.group == 2006 && $0.time == 2005 }).att
        #expect(Swift.abs(a + b) < 1e-12)
        #expect(est.preTest() != nil)
        // The dynamic aggregation's event time -1 rests on reference cells only: a reference row.
        let dynamic = est.aggregate(.dynamic)
        #expect(dynamic.table.row(event: -1)?.isReference == true)
        #expect(dynamic.table.row(event: -2)?.isReference == false)
    }

    /// The contract's "0 or empty = never treated" on a text group column; other text is an error naming the value.
    @Test func emptyGroupCellsAreNeverTreated() throws {
        let r = try Fixture.rows()
        let text = r.g.map { $0 == 0 ? "" : String(Int($0)) }
        let table = try Table([("id", .numeric(r.id)), ("year", .numeric(r.time)), ("y", .numeric(r.y)),
                               ("g", .text(TextColumn(text)))])
        let data = try StaggeredData(table: table, id: "id", time: "year", outcome: "y", group: "g")
        let plain = try Fixture.panel()
        #expect(data.groups == plain.groups)
        var bad = text
        bad[0] = "soon"
        let badTable = try Table([("id", .numeric(r.id)), ("year", .numeric(r.time)), ("y", .numeric(r.y)), ("g", .text(TextColumn(bad)))])
        #expect(throws: StaggeredError.self) { try StaggeredData(table: badTable, id: "id", time: "year", outcome: "y", group: "g") }
    }

    /// A covariate that separates a group from its comparisons: the propensity models cannot be fitted and the
    /// error names the cell; the outcome regression (no propensity score) still works.
    @Test func separatedPropensityIsAClearError() throws {
        let r = try Fixture.rows()
        let flag = Matrix(columns: [r.g.map { $0 == 2004 ? 1 : 0 }])
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g, covariates: flag, covariateNames: ["flag"])
        do {
            _ = try GroupTimeATT(data, options: StaggeredOptions(method: .dr))
            Issue.record("expected an error")
        } catch let e as StaggeredError {
            #expect(e.description.contains("group 2004"))
            #expect(e.description.contains("perfect"))
        }
        let reg = try GroupTimeATT(data, options: StaggeredOptions(method: .reg))
        #expect(reg.cells.allSatisfy { $0.att.isFinite })
        // The flag is 0 for every comparison unit: the outcome model drops it, and the notes say where.
        #expect(reg.notes.contains { $0.hasPrefix("outcome model: flag omitted because of collinearity in cells (2004,2004), (2004,2005), (2004,2006) and 9 more") })
    }
}

