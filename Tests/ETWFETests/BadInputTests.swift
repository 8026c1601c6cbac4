import ETWFE
import Estimation
import Foundation
import Linalg
import Staggered
import Tabular
import Testing

/// Bad input is reported (a note or an ``ETWFEError`` sentence), never a crash or a NaN in the output.
@Suite struct BadInputTests {
    struct Rows { var id, time, y, g, x: [Double] }

    func rows(_ file: String, id: String, time: String, y: String, g: String, x: String) throws -> Rows {
        let t = try Fixture.table(file)
        return Rows(id: try t.numeric(id).doubles, time: try t.numeric(time).doubles, y: try t.numeric(y).doubles,
                    g: try t.numeric(g).doubles, x: try t.numeric(x).doubles)
    }
    func mpdta() throws -> Rows { try rows("mpdta.csv", id: "countyreal", time: "year", y: "lemp", g: "first.treat", x: "lpop") }
    func logitPanel() throws -> Rows { try rows("etwfe_logit_panel.csv", id: "id", time: "year", y: "y", g: "cohort", x: "x") }

    func fit(_ r: Rows, covariate: String?, options: ETWFEOptions = ETWFEOptions()) throws -> ETWFEFit {
        let data = try StaggeredData(id: r.id, time: r.time, outcome: r.y, group: r.g,
                                     covariates: covariate.map { _ in Matrix(columns: [r.x]) },
                                     covariateNames: covariate.map { [$0] } ?? [])
        return try ETWFE.fit(data, options: options)
    }

    /// Every number of every table finite (or absent).
    func expectFinite(_ e: ETWFEEffects, sourceLocation: SourceLocation = #_sourceLocation) {
        var tables = [e.attgt] + ETWFEAggregation.allCases.map(e.aggregate)
        if let o = e.oddsRatios { tables.append(o) }
        for t in tables {
            #expect(!t.rows.isEmpty || t.title.contains("by"), "\(t.title) is empty", sourceLocation: sourceLocation)
            for r in t.rows {
                for v in [r.estimate, r.standardError, r.ciLower, r.ciUpper, r.pValue].compactMap({ $0 }) {
                    #expect(v.isFinite, "\(t.title) \(r.label.text): \(v)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func unbalancedPanelDropsTheUnitWithACount() throws {
        var r = try mpdta()
        // Remove county 8001's 2005 row (mpdta row 3).
        for k in [\Rows.id, \Rows.time, \Rows.y, \Rows.g, \Rows.x] { r[keyPath: k].remove(at: 2) }
        let f = try fit(r, covariate: "lpop")
        #expect(f.notes.contains { $0.contains("1 unit dropped to balance the panel") }, "\(f.notes)")
        #expect(f.observations == 2495)
        expectFinite(try f.effects())
    }

    @Test func cohortTreatedInTheFirstPeriodIsDroppedWithACount() throws {
        var r = try mpdta()
        // The first 3 counties (15 rows) become a 2003 cohort.
        for k in 0..<15 { r.g[k] = 2003 }
        let f = try fit(r, covariate: "lpop")
        #expect(f.notes.contains { $0.hasPrefix("3 units of a cohort treated in the first period (2003) dropped") }, "\(f.notes)")
        #expect(f.panel.unitCount == 497)
        expectFinite(try f.effects())
    }

    @Test func withoutNeverTreatedTheLastCohortIsTheReference() throws {
        var r = try mpdta()
        let keep = r.g.indices.filter { r.g[$0] != 0 }
        r = Rows(id: keep.map { r.id[$0] }, time: keep.map { r.time[$0] }, y: keep.map { r.y[$0] }, g: keep.map { r.g[$0] },
                 x: keep.map { r.x[$0] })
        let f = try fit(r, covariate: "lpop")
        #expect(f.notes.contains { $0.contains("cohort 2007 is the reference cohort and the 1 periods from 2007 on are dropped") }, "\(f.notes)")
        let e = try f.effects()
        // 2004 at 2004-2006 and 2006 at 2006: the cells with a not-yet-treated comparison.
        #expect(e.attgt.rows.map { [$0.label.group ?? 0, $0.label.time ?? 0] } == [[2004, 2004], [2004, 2005], [2004, 2006], [2006, 2006]])
        expectFinite(e)
        #expect(throws: ETWFEError.noNeverTreated) { try fit(r, covariate: "lpop", options: ETWFEOptions(control: .never)) }
    }

    @Test func perfectPredictionInsideACellIsReported() throws {
        var r = try logitPanel()
        // Every person of cohort 2004 has the outcome in 2005: D(2004,2005) predicts success perfectly.
        for k in r.y.indices where r.g[k] == 2004 && r.time[k] == 2005 { r.y[k] = 1 }
        let f = try fit(r, covariate: nil)
        #expect(f.omitted.contains("D(2004,2005)"))
        let e = try f.effects()
        #expect(e.unestimableCells.map { [$0.group, $0.time] } == [[2004, 2005]])
        #expect(e.attgt.row(group: 2004, time: 2005) == nil)
        #expect(e.attgt.notes.contains { $0.contains("cell group 2004, time 2005: no estimate") })
        #expect(e.attgt.notes.contains { $0.contains("predicts success perfectly") })
        expectFinite(e)
    }

    @Test func logitOnAContinuousOutcomeIsAnError() throws {
        #expect(throws: ETWFEError.outcomeNotBinary) {
            try fit(try mpdta(), covariate: nil, options: ETWFEOptions(family: .logit))
        }
    }

    /// A panel whose cohort x period cells do not fit the design's 32-bit cell codes is refused with one
    /// sentence naming the count and the remedy (such a panel, over 46,000 periods and cohorts, cannot be
    /// built in a test; the check is `ETWFE.fit`'s first after reading the panel).
    @Test func tooManyCellsIsOneSentenceWithTheCountAndTheRemedy() {
        let message = ETWFEError.tooManyCells(3_000_000_000).description
        #expect(message.contains("3000000000 cohort x period cells"))
        #expect(message.contains("use fewer periods"))
        #expect(!message.contains("\n"))
    }
}
