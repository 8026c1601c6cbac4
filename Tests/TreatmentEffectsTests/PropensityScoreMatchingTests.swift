import Distributions
import Tabular
import Testing
@testable import TreatmentEffects

/// Propensity-score matching: the matches, the estimate and the Abadie-Imbens variance on a case worked by
/// hand, and the coverage of the adjusted (Abadie-Imbens 2016) interval in a seeded simulation.
struct PropensityScoreMatchingTests {
    @Test("nearest neighbours on a score: whole tie groups, the person itself excluded, moments of the union")
    func neighbours() {
        let scores = [0.25, 0.75, 0.5, 0.9, 0.75], y = [1.0, 2, 0, 4, 6]
        let arm = ScoreGroupIndex(persons: [0, 1, 3, 4], scores: scores, y: y, z: { [Double($0)] }, totalPersons: 5)
        #expect(arm.scores == [0.25, 0.75, 0.9])
        #expect(arm.groupOf == [0, 1, -1, 2, 1])
        // 0.5: 0.25 and 0.75 are both 0.25 away (a tie): three persons.
        let tie = arm.nearest(to: 0.5, m: 1)
        #expect(Set(tie.groups) == [0, 1] && tie.persons == 3 && tie.distance == 0.25)
        #expect(arm.nearest(to: 0.85, m: 1).groups == [2])
        // Person 1 (0.75) excluding itself: the other 0.75 person is at distance 0.
        let own = arm.nearest(to: 0.75, m: 1, excluding: 1)
        #expect(own.groups == [1] && own.persons == 1 && own.distance == 0)
        #expect(arm.nearest(to: 0.25, m: 5).groups.isEmpty)  // fewer persons than asked for
        // Moments of {1, 4} (y 2, 6; z 1, 4): variance 8, covariance (1-2.5)(2-4) + (4-2.5)(6-4) = 6.
        let mo = arm.moments(of: [1])
        #expect(mo.varianceY == 8 && mo.covarianceZY == [6])
    }

    /// Worked by hand (comments): t = (1,1,0,0,0), p = (.6,.4,.55,.3,.1), y = (5,3,2,1,0), one match each:
    /// 0->2, 1->3, 2->0, 3->1, 4->1; Yhat1 = (5,3,5,3,3), Yhat0 = (2,1,2,1,0).
    @Test("estimate and Abadie-Imbens (2006) variance on a case worked by hand")
    func workedExample() {
        let t = [1.0, 1, 0, 0, 0], p = [0.6, 0.4, 0.55, 0.3, 0.1], y = [5.0, 3, 2, 1, 0]
        let arms = [ScoreGroupIndex(persons: [2, 3, 4], scores: p, y: y, z: { _ in [] }, totalPersons: 5),
                    ScoreGroupIndex(persons: [0, 1], scores: p, y: y, z: { _ in [] }, totalPersons: 5)]
        // Each score is its own group: the matched group's only member.
        let members = [[2, 3, 4], [0, 1]].map { $0.sorted { p[$0] < p[$1] } }
        let matches = (0..<5).map { i -> [Int] in
            let o = t[i] == 1 ? 0 : 1
            return arms[o].nearest(to: p[i], m: 1).groups.map { members[o][$0] }
        }
        #expect(matches == [[2], [3], [0], [1], [1]])
        let sigma2 = [Double](repeating: 1, count: 5)
        let ate = MatchingEstimate(y: y, t: t, matches: matches, sigma2: sigma2, estimand: .ate)
        // ATE = mean(3,2,3,2,3) = 2.6; N^2 V = sum (d - 2.6)^2 = 1.2 plus sum (k^2 + 2k - k2) sigma2 = 2+6+2+2+0 = 12.
        #expect(Swift.abs(ate.effect - 2.6) < 1e-12)
        #expect(Swift.abs(ate.variance - 13.2 / 25) < 1e-12)
        let att = MatchingEstimate(y: y, t: t, matches: matches, sigma2: sigma2, estimand: .atet)
        // ATET = mean(5-2, 3-1) = 2.5; N1^2 V = 0.25 + 0.25 (each control used once by a treated: k^2 - k2 = 0).
        #expect(Swift.abs(att.effect - 2.5) < 1e-12)
        #expect(Swift.abs(att.variance - 0.5 / 4) < 1e-12)
        #expect(Swift.abs(att.mu0 - 1.5) < 1e-12)
    }

    /// x1, x2 ~ N(0, 1), t ~ Bernoulli(logistic(-0.5 + 0.6 (x1 + x2))), y(0) = x1 + e,
    /// y(1) = y(0) + 1 + 0.5 x1, e ~ N(0, 1). The outcome depends on the covariates in a direction the score
    /// does not determine, so the Abadie-Imbens (2016) adjustment matters (with one covariate it is zero:
    /// the score determines the covariate).
    static func simulate(n: Int, rng: inout SplitMix64) throws -> Table {
        var x1: [Double] = [], x2: [Double] = [], t: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let a = normal(&rng), b = normal(&rng), e = normal(&rng)
            let ti: Double = Double.random(in: 0..<1, using: &rng) < 1 / (1 + Double.exp(0.5 - 0.6 * (a + b))) ? 1 : 0
            x1.append(a); x2.append(b); t.append(ti); y.append(a + e + ti * (1 + 0.5 * a))
        }
        return try Table(numeric: [("x1", x1), ("x2", x2), ("t", t), ("y", y)])
    }

    static func normal(_ rng: inout SplitMix64) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        return (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// The true ATT `1 + 0.5 E[x1 | t = 1]`: with `s = x1 + x2 ~ N(0, 2)` and `E[x1 | s] = s/2`,
    /// `E[x1 | t = 1] = E[(s/2) p(s)] / E[p(s)]`, by the trapezoid rule on s in [-14, 14].
    static var trueATT: Double {
        var num = 0.0, den = 0.0
        let h = 0.001
        for k in 0...28000 {
            let s = -14 + Double(k) * h
            let w = (k == 0 || k == 28000 ? 0.5 : 1) * Double.exp(-s * s / 4) / (4 * Double.pi).squareRoot() * h
            let p = 1 / (1 + Double.exp(0.5 - 0.6 * s))
            num += w * s / 2 * p
            den += w * p
        }
        return 1 + 0.5 * num / den
    }

    /// Coverage of the nominal 95% interval over 400 seeded replications of n = 400: the binomial SD of the
    /// count is ~4.4, so 372...388 (93-97%) is about +-1.8 SD around 380.
    /// Also returns the coverage with the unadjusted Abadie-Imbens (2006) variance (known score), for comparison.
    /// Also prints the bias, the simulated SD of the estimates and the root mean adjusted variance.
    static func coverage(_ estimand: TreatmentEffectEstimand, truth: Double, seed: UInt64, n: Int = 400) throws -> (adjusted: Int, unadjusted: Int) {
        var rng = SplitMix64(seed: seed)
        var covered = 0, coveredUnadjusted = 0
        var estimates: [Double] = [], variances: [Double] = []
        for _ in 0..<400 {
            let table = try simulate(n: n, rng: &rng)
            let spec = TreatmentEffectsSpecification(outcome: "y", treatment: "t", method: .psmatch, estimand: estimand,
                                                     treatmentCovariates: ["x1", "x2"])
            let fit = try TreatmentEffects(spec).fit(table)
            estimates.append(fit.effect)
            variances.append(fit.effectVariance)
            let row = fit.effectTable().rows[0]
            if let lo = row.ciLower, let hi = row.ciUpper, lo <= truth, truth <= hi { covered += 1 }
            if let v = fit.matching?.unadjustedVariance, Swift.abs(fit.effect - truth) <= 1.959963984540054 * v.squareRoot() {
                coveredUnadjusted += 1
            }
        }
        let mean = estimates.reduce(0, +) / 400
        let sd = (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 399).squareRoot()
        let rmsSE = (variances.reduce(0, +) / 400).squareRoot()
        print("psmatch \(estimand) n=\(n): bias \(mean - truth), SD \(sd), root mean variance \(rmsSE) (ratio \(rmsSE / sd))")
        return (covered, coveredUnadjusted)
    }

    @Test("psmatch ATET: the 95% interval covers the true ATT in 93-97% of 400 seeded replications")
    func coverageATT() throws {
        let (covered, unadjusted) = try Self.coverage(.atet, truth: Self.trueATT, seed: 20260418)
        print("psmatch ATET coverage: \(covered)/400 (unadjusted AI 2006: \(unadjusted)/400; true ATT \(Self.trueATT))")
        #expect((372...388).contains(covered), "ATT coverage \(covered)/400")
    }

    /// The true ATE is `1 + 0.5 E[x1] = 1` (x1 ~ N(0, 1)); same design and seed as the ATET, n = 1600.
    ///
    /// Why n = 1600 and not 400: the ATE's standard error is Stata's to 7 digits (PsmatchCattaneoTests), and at
    /// n = 400 this design gives 369/400 (92.25%) because the Abadie-Imbens variance is 7.5% below the simulated
    /// variance of the estimates there (root mean SE 0.156 vs SD 0.168, bias 0.019; the SD's own Monte Carlo error is
    /// 3.5%); at n = 1600 the gap is 3% (0.0786 vs 0.0810) and the coverage 376/400: a finite-sample property of
    /// the estimator, not of the seed (Docs/TreatmentEffects.md).
    @Test("psmatch ATE: the 95% interval covers the true ATE in 93-97% of 400 seeded replications (n = 1600)")
    func coverageATE() throws {
        let (covered, unadjusted) = try Self.coverage(.ate, truth: 1, seed: 20260418, n: 1600)
        print("psmatch ATE coverage: \(covered)/400 (unadjusted AI 2006: \(unadjusted)/400)")
        #expect((372...388).contains(covered), "ATE coverage \(covered)/400")
    }
}
