import Distributions
import ETWFE
import Estimation
import Foundation
import Panel
import Staggered
import Tabular
import Testing

/// A staggered panel with a known ATT path, on which the pooled logit event study (Panel's
/// `EventStudy`) is biased and the logit ETWFE is not.
///
/// Data-generating process (seed 17, 4,000 persons x 2001-2009): cohorts 2004, 2006 (1,000 each)
/// and never treated (2,000); `P(y = 1) = Lambda(eta)`,
/// `eta = -1 + c_g + l_t + tau_gt`, cohort effects `c = (0.4, -0.3, 0)`, calendar shocks `l_t`
/// (not a trend: a boom in 2004, a slump in 2007), and treatment effects growing with time since
/// start and larger for the later cohort, `tau_gt = (0.2 + 0.15 (t - g)) (1 + 0.5 [g = 2006])` for `t >= g`.
/// The true ATT(g,t) is the mean over the cell of `Lambda(eta) - Lambda(eta - tau_gt)`, the
/// event-time truth its cell-size-weighted mean (the estimand of both methods' event aggregation).
///
/// The event study is the register design of `didkit did`: treated x event-time interactions,
/// event-time dummies shared with the controls, who take one pseudo-start year (2005), no calendar
/// effects. Its event-time AMEs mix the calendar shocks of the treated cohorts' years with those of
/// the controls' pseudo years and pool one log-odds coefficient over cohorts with different effects:
/// biased. ETWFE compares each cohort x period cell with the untreated in the same calendar year.
@Suite struct SimulationTests {
    static let years = Array(2001...2009)
    static let shocks: [Int: Double] = [2001: 0, 2002: 0.1, 2003: 0.15, 2004: 0.9, 2005: 0.3, 2006: 0.35, 2007: -0.6, 2008: 0.5, 2009: 0.55]

    struct Simulated { var table: Table; var trueATTByEvent: [Int: Double] }

    static func simulate() throws -> Simulated {
        var rng = SplitMix64(seed: 17)
        var id: [Double] = [], year: [Double] = [], y: [Double] = [], group: [Double] = [], treated: [Double] = [], start: [Double] = []
        var effectSum: [Int: Double] = [:], effectCount: [Int: Int] = [:]
        for i in 0..<4000 {
            let g = i < 1000 ? 2004 : (i < 2000 ? 2006 : 0)
            let c = g == 2004 ? 0.4 : (g == 2006 ? -0.3 : 0)
            for t in years {
                let tau = (g != 0 && t >= g) ? (0.2 + 0.15 * Double(t - g)) * (g == 2006 ? 1.5 : 1) : 0
                let eta = -1 + c + (shocks[t] ?? 0) + tau
                let p1 = 1 / (1 + Foundation.exp(-eta)), p0 = 1 / (1 + Foundation.exp(-(eta - tau)))
                if g != 0 && t >= g { effectSum[t - g, default: 0] += p1 - p0; effectCount[t - g, default: 0] += 1 }
                id.append(Double(i + 1)); year.append(Double(t)); group.append(Double(g))
                y.append(rng.uniform() < p1 ? 1 : 0)
                treated.append(g != 0 ? 1 : 0); start.append(g != 0 ? Double(g) : 2005)
            }
        }
        let table = try Table([("id", .numeric(id)), ("year", .numeric(year)), ("y", .numeric(y)), ("group", .numeric(group)),
                               ("treated", .numeric(treated)), ("start", .numeric(start))])
        var truth: [Int: Double] = [:]
        for (e, s) in effectSum { truth[e] = 100 * s / Double(effectCount[e] ?? 1) }
        return Simulated(table: table, trueATTByEvent: truth)
    }

    @Test func etwfeRecoversTheATTPathWhereThePooledEventStudyDoesNot() throws {
        let sim = try Self.simulate()
        // ETWFE (logit, not-yet-treated controls), event aggregation, clustered by person.
        let etwfe = try ETWFE.fit(table: sim.table, id: "id", time: "year", outcome: "y", group: "group").effects().aggregate(.event)
        // The pooled logit event study, window start-3 ... start+2, reference start-1.
        let panel = try PersonYearPanel(sim.table, id: "id", time: "year")
        let cohorts = try Cohorts(panel: panel, treatment: "treated", start: "start")
        let sample = try EventStudySample(panel: panel, cohorts: cohorts,
                                          specification: EventStudySpecification(outcome: "y", window: -3...2, reference: -1, model: .logit))
        let es = try EventStudy.estimate(sample, vce: .cluster, pooledEstimate: false)
        print("event   truth (pp)   ETWFE (pp)  [SE]        pooled logit ES AME (pp)  [SE]")
        var etwfeWorstZ = 0.0, esWorstBias = 0.0
        for e in 0...2 {
            let truth = try req(sim.trueATTByEvent[e])
            let a = try req(etwfe.row(event: e))
            let b = try req(es.marginalEffects.first { $0.eventTime == e })
            print(String(format: "%5d   %9.2f   %9.2f  [%5.2f]   %9.2f  [%5.2f]", e, truth, a.estimate, a.standardError ?? .nan,
                         b.percentagePoints, b.standardError))
            etwfeWorstZ = Swift.max(etwfeWorstZ, Swift.abs(a.estimate - truth) / (a.standardError ?? .infinity))
            esWorstBias = Swift.max(esWorstBias, Swift.abs(b.percentagePoints - truth) / b.standardError)
        }
        // ETWFE within 3 SEs of the truth at every event time (a 3-sigma band: a correct estimator fails
        // this with probability under 1% per event time); the event study off by more than 5 of its SEs somewhere.
        #expect(etwfeWorstZ < 3, "ETWFE |estimate - truth| / SE = \(etwfeWorstZ)")
        #expect(esWorstBias > 5, "pooled event study |AME - truth| / SE = \(esWorstBias)")
    }
}
