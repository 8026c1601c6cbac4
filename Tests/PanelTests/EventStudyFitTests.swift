import _DiDKitTestSupport
import Design
import Estimation
import Foundation
import Panel
import Regression
import Tabular
import Testing

/// The estimation layer's seams: one fit, inference chosen after, effects derived from both.
/// Expected numbers come from `Fixtures/panel_reference.json` (statsmodels on the same synthetic
/// panel, written by `Fixtures/make_panel_fixtures.py`), as in `EventStudyTests`.
@Suite("Event study: fit once, choose inference after")
struct EventStudyFitTests {
    /// Relative agreement with statsmodels' optimiser and covariance (the EventStudyTests tolerance).
    static let statsmodelsTolerance = 1e-6

    func sample() throws -> EventStudySample {
        let ref = EventStudyStatsmodelsTests.reference
        let data = SyntheticEventPanel(persons: ref["persons"] as! Int, seed: UInt64((ref["seed"] as! NSNumber).int64Value))
        let (panel, cohorts) = try panelAndCohorts(data.table)
        return try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(
            outcome: "y", window: -3...1, reference: -1, controls: ["x", "z"], model: .logit))
    }

    func reference(_ key: String) -> [Double] {
        ((EventStudyStatsmodelsTests.reference["logit"] as! [String: Any])[key] as! [NSNumber]).map(\.doubleValue)
    }

    @Test("one fit serves OIM and cluster inference, each agreeing with statsmodels")
    func oneFitManyInferences() throws {
        let fit = try EventStudy.fit(try sample())
        let oim = try fit.inference(vce: .oim), cluster = try fit.inference(vce: .cluster), robust = try fit.inference(vce: .robust)
        for (k, se) in reference("bse_oim").enumerated() { #expect(Swift.abs(oim.table.standardErrors[k] / se - 1) < Self.statsmodelsTolerance) }
        for (k, se) in reference("bse_cluster").enumerated() {
            #expect(Swift.abs(cluster.table.standardErrors[k] / se - 1) < Self.statsmodelsTolerance)
        }
        #expect(oim.table.coefficients == cluster.table.coefficients && robust.table.coefficients == oim.table.coefficients)
        #expect(robust.table.vce == "robust" && cluster.table.clusters == EventStudyStatsmodelsTests.reference["clusters"] as? Int)
    }

    @Test("the event-study effect table: exp of the coefficients, the reference row 1, labels carry event times")
    func effectTable() throws {
        let inference = try EventStudy.fit(try sample()).inference(vce: .oim)
        let names = EventStudyStatsmodelsTests.reference["names"] as! [String]
        let params = reference("params")
        let es = inference.eventStudy
        #expect(es.scale == .oddsRatio)
        #expect(es.rows.map { $0.label.event } == [-3, -2, -1, 0, 1])
        #expect(es.row(event: -1)?.isReference == true && es.row(event: -1)?.estimate == 1)
        for e in [-3, -2, 0, 1] {
            let b = params[names.firstIndex(of: TermName.treatedEvent(e))!]
            #expect(Swift.abs(es.row(event: e)!.estimate / Double.exp(b) - 1) < Self.statsmodelsTolerance)
            #expect(inference.coefficients.row(event: e)!.estimate == inference.table.coefficients[inference.table.names.firstIndex(of: TermName.treatedEvent(e))!])
        }
        let pre = try #require(try inference.preTrendTest())
        #expect(Swift.abs(pre.chi2 / (EventStudyStatsmodelsTests.reference["logit"] as! [String: Any])["pretrend_chi2_oim"].flatMap { ($0 as? NSNumber)?.doubleValue }! - 1)
                < Self.statsmodelsTolerance)
    }

    @Test("estimate() is the composition of fit, inference and effects")
    func estimateComposes() throws {
        let s = try sample()
        let r = try EventStudy.estimate(s, vce: .cluster, pooledEstimate: false)
        let i = try EventStudy.fit(s).inference(vce: .cluster)
        #expect(r.table.standardErrors == i.table.standardErrors)
        #expect(r.predicted == i.predictions())
        #expect(r.marginalEffects == i.marginalEffects())
        let ame = i.marginalEffectTable()
        #expect(ame.scale == .percentagePoints && ame.rows.map(\.estimate) == r.marginalEffects.map(\.percentagePoints))
        #expect(ame.rows.map(\.label.event) == r.marginalEffects.map(\.eventTime))
        #expect(r.eventStudy.map(\.estimate).filter { !$0.isNaN } == i.eventStudy.rows.map(\.estimate).filter { !$0.isNaN })
    }
}

@Suite("Cohorts from a panel, validated once")
struct CohortValidationTests {
    func panel(_ csv: String) throws -> PersonYearPanel {
        try PersonYearPanel(try CSVReader.read(bytes: Array(csv.utf8), source: "t.csv", kinds: ["id": .text]), id: "id", time: "year")
    }

    @Test("treated persons keep their start, controls get the pseudo start or none")
    func startsAssigned() throws {
        let p = try panel("id,year,t,s\na,2010,1,2012\na,2011,1,2012\nb,2010,0,\nb,2011,0,\nc,2010,0,2013\n")
        let c = try Cohorts(panel: p, treatment: "t", start: "s", pseudoStart: 2014)
        #expect(c.treated == [true, false, false] && c.start == [2012, 2014, 2013])
        #expect(try Cohorts(panel: p, treatment: "t", start: "s").personsWithoutStart == 1)
    }

    @Test("a person's constant value skips missing rows and counts varying persons, in every storage form")
    func constantValuesInEveryForm() throws {
        // v: 1-byte (5), 2-byte (500), 4-byte (70000) and Double (2.5) columns; a's first row missing,
        // b all missing, c varying.
        for v in ["5", "500", "70000", "2.5"] {
            let text = "id,year,c,k\na,2010,NA,\(v)\na,2011,\(v),\(v)\nb,2010,,\(v)\nb,2011,NA,\(v)\nc,2010,\(v),\(v)\nc,2011,1,\(v)\n"
            let p = try panel(text)
            let x = try #require(Double(v))
            let k = try p.constantPersonValue("k")
            #expect(k == [x, x, x], "\(v)")
            #expect(throws: PanelError.variesWithinPerson(column: "c", persons: 1, firstPerson: "c", values: [x, 1])) {
                _ = try p.constantPersonValue("c")
            }
            let a = try panel(text.replacingOccurrences(of: "c,2011,1,", with: "c,2011,\(v),")).constantPersonValue("c")
            #expect(a[0] == x && a[1].isNaN && a[2] == x, "\(v)")
        }
    }

    @Test("bad treatments and start years are errors naming the column and counting persons")
    func badInput() throws {
        #expect(throws: PanelError.treatmentNotBinary(column: "t", value: 2, count: 1)) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,2,2012\nb,2010,0,\n"), treatment: "t", start: "s")
        }
        #expect(throws: PanelError.variesWithinPerson(column: "t", persons: 1, firstPerson: "a", values: [1, 0])) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,1,2012\na,2011,0,2012\nb,2010,0,\n"), treatment: "t", start: "s")
        }
        #expect(throws: PanelError.variesWithinPerson(column: "s", persons: 1, firstPerson: "a", values: [2012, 2013])) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,1,2012\na,2011,1,2013\nb,2010,0,\n"), treatment: "t", start: "s")
        }
        #expect(PanelError.nonIntegerYear(column: "year", row: 4, value: 99_999_999_999).description
            .contains("year 99999999999 is out of range"))
        #expect(PanelError.nonIntegerYear(column: "year", row: 4, value: 2012.5).description.contains("year 2012.5 is not a whole number"))
        #expect(PanelError.variesWithinPerson(column: "s", persons: 1, firstPerson: "a", values: [2012, 2013]).description
            .contains("the first: 'a' has 2012 and 2013"))
        #expect(throws: PanelError.invalidStartYear(column: "s", value: 2012.5, count: 1)) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,1,2012.5\nb,2010,0,\n"), treatment: "t", start: "s")
        }
        #expect(throws: PanelError.invalidStartYear(column: "s", value: 1e300, count: 1)) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,1,1e300\nb,2010,0,\n"), treatment: "t", start: "s")
        }
        #expect(throws: PanelError.missingStartYear(count: 1)) {
            _ = try Cohorts(panel: try panel("id,year,t,s\na,2010,1,\nb,2010,0,\n"), treatment: "t", start: "s")
        }
    }

    @Test("a window too wide for the one-byte event index is an error, not a trap")
    func wideWindow() throws {
        let data = SyntheticEventPanel(persons: 50, seed: 3)
        let (p, cohorts) = try panelAndCohorts(data.table)
        for w in [-130...1, -5...Int.max, Int.min...0] {
            #expect(throws: PanelError.windowTooWide(lower: w.lowerBound, upper: w.upperBound)) {
                _ = try EventStudySample(panel: p, cohorts: cohorts, specification: EventStudySpecification(outcome: "y", window: w, reference: 0))
            }
        }
    }
}
