import _DiDKitTestSupport
import Distributions
import Foundation
import Linalg
import Panel
import Regression
import Tabular
import Design
import Estimation
import Testing

func panelAndCohorts(_ t: Table) throws -> (PersonYearPanel, Cohorts) {
    let panel = try PersonYearPanel(t, id: "id", time: "year")
    let treated = try panel.personValue("treated").map { $0 == 1 }
    let start = try panel.personValue("start").map { $0.isNaN ? nil : Int($0) }
    return (panel, Cohorts(treated: treated, start: start))
}

func relDiff(_ a: Double, _ b: Double) -> Double { Swift.abs(a - b) / Swift.max(Swift.abs(b), 1e-12) }

/// Exact agreement with statsmodels on a fixed synthetic panel.
/// Expected values: Fixtures/panel_reference.json from make_panel_fixtures.py (versions inside).
@Suite("Event study agrees with statsmodels")
struct EventStudyStatsmodelsTests {
    nonisolated(unsafe) static let reference = try! loadJSON(Bundle.module.resourceURL!.appendingPathComponent("Fixtures/panel_reference.json"))

    func doubles(_ section: String, _ key: String) -> [Double] {
        ((Self.reference[section] as! [String: Any])[key] as! [NSNumber]).map(\.doubleValue)
    }

    func sample(model: EventStudyModel) throws -> EventStudySample {
        let data = SyntheticEventPanel(persons: Self.reference["persons"] as! Int,
                                       seed: UInt64((Self.reference["seed"] as! NSNumber).int64Value))
        let (panel, cohorts) = try panelAndCohorts(data.table)
        return try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(
            outcome: "y", window: -3...1, reference: -1, controls: ["x", "z"], model: model))
    }

    @Test("logit: coefficients, OIM and cluster SEs, pre-trend chi2 to 1e-6")
    func logit() throws {
        let s = try sample(model: .logit)
        #expect(s.count == Self.reference["observations"] as! Int)
        let oim = try EventStudy.estimate(s, vce: .oim)
        let cl = try EventStudy.estimate(s, vce: .cluster)
        #expect(oim.table.names == Self.reference["names"] as! [String])
        let tol = 1e-6
        for (k, b) in doubles("logit", "params").enumerated() { #expect(relDiff(oim.table.coefficients[k], b) < tol) }
        for (k, se) in doubles("logit", "bse_oim").enumerated() { #expect(relDiff(oim.table.standardErrors[k], se) < tol) }
        for (k, se) in doubles("logit", "bse_cluster").enumerated() { #expect(relDiff(cl.table.standardErrors[k], se) < tol) }
        let ref = Self.reference["logit"] as! [String: Any]
        #expect(relDiff(oim.preTrend!.chi2, ref["pretrend_chi2_oim"] as! Double) < tol)
        #expect(relDiff(cl.preTrend!.chi2, ref["pretrend_chi2_cluster"] as! Double) < tol)
        #expect(oim.preTrend!.df == 2)
        #expect(cl.table.clusters == Self.reference["clusters"] as? Int)
        #expect(relDiff(oim.logLikelihood!, ref["llf"] as! Double) < 1e-10)
        // Event-study rows are the exponentiated interactions.
        let row = try oim.table.row("treated:event=0")
        let point = oim.eventStudy.first { $0.eventTime == 0 }!
        #expect(point.estimate == row.oddsRatio!)
        #expect(oim.eventStudy.first { $0.eventTime == -1 }!.isReference)
    }

    @Test("OLS (linear probability) with CR1 SEs")
    func ols() throws {
        let r = try EventStudy.estimate(try sample(model: .ols), vce: .cluster)
        for (k, b) in doubles("ols", "params").enumerated() { #expect(relDiff(r.table.coefficients[k], b) < 1e-6) }
        for (k, se) in doubles("ols", "bse_cluster").enumerated() { #expect(relDiff(r.table.standardErrors[k], se) < 1e-6) }
    }

    @Test("predicted probabilities and marginal effects are consistent with the coefficients")
    func predictions() throws {
        let r = try EventStudy.estimate(try sample(model: .logit), vce: .cluster)
        let b = Dictionary(uniqueKeysWithValues: zip(r.table.names, r.table.coefficients))
        let xbar = r.referencePerson.first { $0.name == "x" }!.value, zbar = r.referencePerson.first { $0.name == "z" }!.value
        func logistic(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        for p in r.predicted {
            let ev = p.eventTime == -1 ? 0 : b["event=\(p.eventTime)"]!
            let ia = p.eventTime == -1 ? 0 : b["treated:event=\(p.eventTime)"]!
            let base = b["_cons"]! + ev + b["x"]! * xbar + b["z"]! * zbar
            #expect(Swift.abs(p.control.probability - logistic(base)) < 1e-12)
            #expect(Swift.abs(p.treated.probability - logistic(base + b["treated"]! + ia)) < 1e-12)
            #expect(p.treated.ciLower < p.treated.probability && p.treated.probability < p.treated.ciUpper)
        }
        // The AME at start is clearly positive: the treated's baseline log-odds at start-1 are about
        // -1 + 0.3 (SyntheticEventPanel's eta at x = z = 0), p = logistic(-0.7) = 0.33, and the true OR 3.271
        // moves that to 0.62, about +29 percentage points; 5 pp is a lower bound far below it.
        let ame = r.marginalEffects.first { $0.eventTime == 0 }!
        #expect(ame.percentagePoints > 5 && ame.ciLower > 0)
        #expect(r.pooled != nil && r.pooled!.oddsRatio! > 1)
    }
}

/// Estimates recover the truth: 95% CI coverage over repeated draws.
@Suite("Event study recovers known odds ratios")
struct EventStudyCoverageTests {
    @Test("95% cluster-robust intervals cover the true odds ratios about 95% of the time")
    func coverage() throws {
        let replications = 120
        var covered = 0, total = 0
        var logEstimates = [Int: [Double]]()
        for rep in 0..<replications {
            let data = SyntheticEventPanel(persons: 1500, seed: UInt64(1000 + rep))
            let (panel, cohorts) = try panelAndCohorts(data.table)
            let s = try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(
                outcome: "y", controls: ["x", "z"]))
            let r = try EventStudy.estimate(s, vce: .cluster, pooledEstimate: false)
            for p in r.eventStudy where !p.isReference {
                let truth = SyntheticEventPanel.trueOddsRatios[p.eventTime]!
                if p.ciLower! <= truth && truth <= p.ciUpper! { covered += 1 }
                total += 1
                logEstimates[p.eventTime, default: []].append(Foundation.log(p.estimate))
            }
        }
        let rate = Double(covered) / Double(total)
        // 480 intervals: binomial SD sqrt(.95 x .05 / 480) = 0.0099; accept +- 3 SD.
        #expect(Swift.abs(rate - 0.95) < 3 * (0.95 * 0.05 / Double(total)).squareRoot(), "coverage \(rate)")
        // No material bias: the mean log OR lies within 4 Monte Carlo SEs (SD / sqrt(replications)) of the truth.
        for (e, logs) in logEstimates {
            let n = Double(logs.count)
            let mean = logs.reduce(0, +) / n
            let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            let truth = Foundation.log(SyntheticEventPanel.trueOddsRatios[e]!)
            #expect(Swift.abs(mean - truth) <= 4 * sd / n.squareRoot(), "mean log OR at \(e): \(mean) vs \(truth), MC SE \(sd / n.squareRoot())")
        }
    }
}

@Suite("Register panels and event-study input checks")
struct PanelInputTests {
    func table(_ rows: [(String, Int, Double, Double, Double)]) throws -> Table {
        try Table([("id", .text(TextColumn(rows.map { $0.0 }))), ("year", .numeric(rows.map { Double($0.1) })),
                   ("treated", .numeric(rows.map { $0.2 })), ("start", .numeric(rows.map { $0.3 })), ("y", .numeric(rows.map { $0.4 }))])
    }

    @Test("panels group persons, sort years and count gaps; duplicates are an error that counts them")
    func panelBuilding() throws {
        let t = try table([("b", 2012, 0, 2014, 0), ("a", 2011, 1, 2012, 1), ("a", 2009, 1, 2012, 0), ("b", 2013, 0, 2014, 1), ("a", 2010, 1, 2012, 0)])
        let p = try PersonYearPanel(t, id: "id", time: "year")
        #expect(p.personCount == 2 && p.rowCount == 5)
        #expect(p.years == [2009, 2010, 2011, 2012, 2013])
        #expect(p.rows(ofPerson: 0) == 0..<3)
        #expect(p.row(person: 1, year: 2013) == 4)
        #expect(p.person(withID: "b") == 1)
        let gappy = try table([("a", 2009, 1, 2012, 0), ("a", 2012, 1, 2012, 0)])
        #expect(try PersonYearPanel(gappy, id: "id", time: "year").gapYears == 2)   // 2010 and 2011 are missing
        let dup = try table([("a", 2009, 1, 2012, 0), ("a", 2009, 1, 2012, 1), ("b", 2010, 0, 2014, 0), ("b", 2010, 0, 2014, 0)])
        #expect(throws: PanelError.duplicatePersonYears(count: 2, examples: ["rows 2 and 3 (year 2009)", "rows 4 and 5 (year 2010)"])) {
            _ = try PersonYearPanel(dup, id: "id", time: "year")
        }
    }

    @Test("a register already sorted by id and year gives the same panel as the same rows shuffled")
    func sortedRegisterFastPath() throws {
        // Sorted input takes the no-copy, no-hashing path; shuffled input the counting sort.
        // Ids of different lengths check that the run order is the byte order ("a10" < "a9").
        var rows: [(String, Int, Double, Double, Double)] = []
        for (k, id) in ["a1", "a10", "a9", "b", "b2"].enumerated() {
            for year in 2009...2013 where !(k == 2 && year == 2011) {   // a9 has a gap year
                rows.append((id, year, Double(k % 2), 2012, Double((k + year) % 2)))
            }
        }
        let sorted = try PersonYearPanel(table(rows), id: "id", time: "year")
        var rng = SplitMix64(seed: 3)
        let shuffled = try PersonYearPanel(table(rows.shuffled(using: &rng)), id: "id", time: "year")
        #expect(sorted.personIDs == shuffled.personIDs)
        #expect(sorted.personOfRow == shuffled.personOfRow)
        #expect(sorted.years == shuffled.years)
        #expect(sorted.rowStart == shuffled.rowStart)
        #expect(sorted.gapYears == 1 && shuffled.gapYears == 1 && sorted.personsWithGaps == 1)
        #expect(try sorted.table.numeric("y") == shuffled.table.numeric("y"))
        let ids = try table(rows).text("id")
        let runs = try #require(ids.sortedRuns())
        #expect(runs.codes == ids.dictionaryEncoded().codes)
        #expect(TextColumn(["b", "a"]).sortedRuns()?.codes == nil)
        // Byte order with prefixes first, empty values, bytes above 0x7F (unsigned), and the runs' levels.
        let runsOf = TextColumn(["", "", "a", "a", "ab", "b", "b", "\u{e9}", "\u{e9}"]).sortedRuns()
        #expect(runsOf?.codes == [0, 0, 1, 1, 2, 3, 3, 4, 4])
        #expect(runsOf.map { r in (0..<r.levels.count).map { r.levels[$0] } } == ["", "a", "ab", "b", "\u{e9}"])
        for unsorted in [["ab", "a"], ["a", "", "a"], ["\u{e9}", "z"], ["a", "b", "a"]] {
            #expect(TextColumn(unsorted).sortedRuns() == nil, "\(unsorted)")
        }
        #expect(TextColumn([nil, "a"]).sortedRuns() == nil)
    }

    func sample(_ data: Table, window: ClosedRange<Int> = -3...1, conditions: [WindowCondition] = []) throws -> EventStudySample {
        let (panel, cohorts) = try panelAndCohorts(data)
        return try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(outcome: "y", window: window),
                                    conditions: conditions)
    }

    @Test("persons without a reference-period observation or with a start outside the data are excluded and counted")
    func exclusions() throws {
        var data = SyntheticEventPanel(persons: 400, seed: 5).table
        // Person 0: start year 2030 (outside the data); person 1: reference-year row removed.
        var start = try data.numeric("start").doubles
        let ids = try data.text("id")
        let years = try data.numeric("year")
        for i in 0..<data.rowCount where ids[i] == "P000000" { start[i] = 2030 }
        try data.setColumn("start", .numeric(start))
        let p1Start = start[9]
        let keep = (0..<data.rowCount).filter { !(ids[$0] == "P000001" && years[$0] == p1Start - 1) }
        let s = try sample(data.selectingRows(keep))
        let reasons = Dictionary(uniqueKeysWithValues: s.excludedPersons.map { ($0.reason, $0.treated + $0.control) })
        #expect(reasons["start year outside the data (2008-2016)"] == 1)
        #expect(reasons["no observation in the reference period (event time -1)"] == 1)
        #expect(s.treatedPersons + s.controlPersons == 398)   // 400 persons less the two excluded above
        #expect(s.notes.count == 2)
    }

    @Test("window conditions exclude persons, counted by condition")
    func windowConditions() throws {
        let data = SyntheticEventPanel(persons: 400, seed: 6).table
        let s = try sample(data, conditions: [WindowCondition(column: "x", relativeYears: [0], minimum: -0.5, label: "x >= -0.5 at start")])
        let excluded = s.excludedPersons.first { $0.reason == "x >= -0.5 at start" }!
        // x is constant within a person and every start year is observed: exactly the persons with x < -0.5 fail.
        let panel = try PersonYearPanel(data, id: "id", time: "year")
        let treated = try panel.personValue("treated")
        let x = try panel.personValue("x")
        let failing = x.indices.filter { x[$0] < -0.5 }
        #expect(excluded.treated == failing.filter { treated[$0] == 1 }.count)
        #expect(excluded.control == failing.filter { treated[$0] == 0 }.count)
        #expect(excluded.treated + excluded.control > 0)
    }

    @Test("bad windows, uncovered event times, empty cells and empty groups are errors that say which")
    func badInput() throws {
        let data = SyntheticEventPanel(persons: 300, seed: 7).table
        #expect(throws: PanelError.referenceOutsideWindow(reference: -5, lower: -3, upper: 1)) {
            let (panel, cohorts) = try panelAndCohorts(data)
            _ = try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(outcome: "y", reference: -5))
        }
        // Starts are 2012-2015 and data end in 2016: event time +6 never occurs.
        #expect(throws: PanelError.windowNotCovered(eventTimes: [5, 6], exclusions: "")) { _ = try sample(data, window: -1...6) }
        // No treated person observed at start+4 (treated start 2012-2015; drop treated rows after 2015).
        let treatedCol = try data.numeric("treated"), years = try data.numeric("year"), start = try data.numeric("start")
        let keep = (0..<data.rowCount).filter { !(treatedCol[$0] == 1 && years[$0] - start[$0] == 4) }
        #expect(throws: PanelError.emptyEventCell(eventTime: 4, group: "treated")) { _ = try sample(data.selectingRows(keep), window: -1...4) }
        // No treated at all.
        let controlsOnly = data.selectingRows((0..<data.rowCount).filter { treatedCol[$0] == 0 })
        #expect(throws: PanelError.self) { _ = try sample(controlsOnly) }
        #expect(PanelError.emptyEventCell(eventTime: 4, group: "treated").description.contains("treated x event=4 cannot be estimated"))
    }
}

/// Wooldridge Example 13.4 through the panel path: each claim is a "person"
/// observed once, time = afchnge, start = 1 for all, treated = highearn;
/// window -1:0 with reference -1 reproduces the published DiD regression
/// (.191 (.069), n = 5,626; see RegressionTests for the citation).
@Suite("Wooldridge 13.4 through the panel/OLS path")
struct WooldridgePanelTests {
    @Test("the published DiD estimate")
    func published() throws {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/injury.csv")
        let all = try CSVReader.read(path: url.path)
        let ky = try all.numeric("ky")
        var t = all.selectingRows(ky.indices.filter { ky[$0] == 1 })
        try t.setColumn("id", .text(TextColumn((0..<t.rowCount).map { String($0) })))
        try t.setColumn("start", .numeric([Double](repeating: 1, count: t.rowCount)))
        let panel = try PersonYearPanel(t, id: "id", time: "afchnge")
        let cohorts = Cohorts(treated: try panel.personValue("highearn").map { $0 == 1 }, start: [Int?](repeating: 1, count: panel.personCount))
        let s = try EventStudySample(panel: panel, cohorts: cohorts, specification: EventStudySpecification(
            outcome: "ldurat", window: -1...0, reference: -1, model: .ols, requireReferenceObservation: false))
        let r = try EventStudy.estimate(s, vce: .oim)
        let did = try r.table.row("treated:event=0")
        #expect(Swift.abs(did.coefficient - 0.191) <= 0.0005)
        #expect(Swift.abs(did.standardError - 0.069) <= 0.0005)
        #expect(r.observations == 5626)
        #expect(Swift.abs(try r.table.row("_cons").coefficient - 1.126) <= 0.0005)
    }
}
