import Distributions
import Estimation
import Tabular
import Testing
import TreatmentEffects

/// Bad input gives one clear sentence naming the column and what to do: never a crash, never NaN.
struct BadInputTests {
    /// `n` persons: x ~ U(-1, 1), t ~ Bernoulli(logistic(slope x)), y = 1 + 2 t + x + e.
    static func simulated(n: Int = 400, slope: Double = 1, seed: UInt64 = 7) throws -> Table {
        var rng = SplitMix64(seed: seed)
        var x: [Double] = [], t: [Double] = [], y: [Double] = [], yb: [Double] = []
        for _ in 0..<n {
            let xi = Double.random(in: -1...1, using: &rng)
            let p = 1 / (1 + Double.exp(-slope * xi))
            let ti: Double = Double.random(in: 0..<1, using: &rng) < p ? 1 : 0
            let e = Double.random(in: -1...1, using: &rng)
            x.append(xi); t.append(ti); y.append(1 + 2 * ti + xi + e)
            yb.append(Double.random(in: 0..<1, using: &rng) < 0.3 + 0.2 * ti ? 1 : 0)
        }
        return try Table(numeric: [("x", x), ("t", t), ("y", y), ("yb", yb)])
    }

    func spec(_ method: TreatmentEffectMethod, outcome: String = "y", treatment: String = "t") -> TreatmentEffectsSpecification {
        TreatmentEffectsSpecification(outcome: outcome, treatment: treatment, method: method, outcomeCovariates: ["x"],
                                      treatmentCovariates: ["x"])
    }

    /// The error's message: one sentence (no line breaks, no trailing period chains), never "nan".
    func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return String(describing: error) }
        return nil
    }

    /// A covariate in kroner (x 1e6) made A hold ~1e12 beside ~1 and the LU's test relative to the largest entry
    /// called a well-posed model singular (the second hostile-input sweep). The fit is invariant to the units: the
    /// effect, its SE and the other parameters are those of x itself.
    @Test("the estimating equations' singularity test does not depend on a covariate's units")
    func covariateUnitsDoNotMakeTheJacobianSingular() throws {
        let table = try Self.simulated(n: 400)
        let x = try table.numeric("x").doubles
        let scaled = try Table(numeric: [("x", x.map { 1e6 * $0 + 2e6 }), ("t", try table.numeric("t").doubles),
                                         ("y", try table.numeric("y").doubles)])
        for method in [TreatmentEffectMethod.ra, .ipw, .aipw, .ipwra] {
            let a = try TreatmentEffects(spec(method)).fit(table)
            let b = try TreatmentEffects(spec(method)).fit(scaled)
            // The potential-outcome means and their SEs, and the effect's variance.
            for name in ["POmean:0", "POmean:1"] {
                let k = try #require(a.parameterNames.firstIndex(of: name))
                #expect(b.parameterNames[k] == name)
                #expect(Swift.abs(a.parameters[k] - b.parameters[k]) < 1e-9, "\(method) \(name)")
                let seA = a.covariance[k, k].squareRoot(), seB = b.covariance[k, k].squareRoot()
                #expect(Swift.abs(seA - seB) < 1e-8 * seA, "\(method) \(name): SE \(seA) vs \(seB)")
            }
            #expect(Swift.abs(a.effectVariance - b.effectVariance) < 1e-8 * a.effectVariance, "\(method)")
        }
    }

    @Test("a treatment that is not 0/1 names the column and the count")
    func treatmentNotBinary() throws {
        let m = message { _ = try TreatmentEffects(cattaneoSpecification(.ipw).with { $0.treatment = "medu" }).fit(cattaneo2) }
        let text = try #require(m)
        #expect(text.contains("'medu' must be 0 or 1"))
        #expect(!text.contains("\n"))
    }

    @Test("propensity scores at 0 or 1: Stata's overlap error, with counts")
    func noOverlap() throws {
        let table = try Self.simulated(n: 400, slope: 40)
        for method in [TreatmentEffectMethod.ipw, .aipw, .ipwra] {
            do {
                _ = try TreatmentEffects(spec(method)).fit(table)
                Issue.record("\(method): no overlap error")
            } catch let e as TreatmentEffectsError {
                guard case .overlapViolated(let column, let below, let above, let tol) = e else {
                    Issue.record("\(method): \(e)"); continue
                }
                #expect(column == "t")
                #expect(below + above > 0)
                #expect(tol == 1e-5)
                #expect(e.description.hasPrefix("treatment overlap assumption has been violated"))
                #expect(e.description.contains("1.00e-05"))
            }
        }
        // Complete separation (a threshold on x) is an overlap failure too.
        let x = (0..<100).map { Double($0) }
        let sep = try Table(numeric: [("x", x), ("t", x.map { $0 < 50 ? 0 : 1 }), ("y", x)])
        #expect(throws: TreatmentEffectsError.self) { _ = try TreatmentEffects(spec(.ipw)).fit(sep) }
        let m = message { _ = try TreatmentEffects(spec(.ipw)).fit(sep) }
        #expect(m?.contains("overlap") == true)
    }

    @Test("an outcome model that cannot be estimated in one arm names the arm")
    func outcomeModelFails() throws {
        // Logit outcome that is 1 for every treated person.
        let base = try Self.simulated()
        let t = try base.numeric("t").doubles
        let yb = try base.numeric("yb").doubles
        let constantInTreated = zip(t, yb).map { $0 == 1 ? 1.0 : $1 }
        let table = try Table(numeric: [("x", try base.numeric("x").doubles), ("t", t), ("yb", constantInTreated)])
        var s = spec(.ra, outcome: "yb")
        s.outcomeModel = .logit
        do {
            _ = try TreatmentEffects(s).fit(table)
            Issue.record("no error")
        } catch let e as TreatmentEffectsError {
            guard case .outcomeModel(let column, _, let arm, _) = e else { Issue.record("\(e)"); return }
            #expect(column == "yb")
            #expect(arm == 1)
            #expect(e.description.contains("among persons with 't' = 1"))
        }
        // Too few persons in an arm for a linear outcome model.
        var rows = Array(0..<100)
        rows += t.indices.filter { t[$0] == 1 }.prefix(2)
        let bx = try base.numeric("x"), by = try base.numeric("y")
        let small = try Table(numeric: [("x", rows.map { bx[$0] }), ("t", rows.indices.map { $0 >= 100 ? 1.0 : 0.0 }),
                                        ("y", rows.map { by[$0] }), ("z", rows.map { Double($0 % 7) })])
        var s2 = spec(.ra)
        s2.outcomeCovariates = ["x", "z"]
        let m = message { _ = try TreatmentEffects(s2).fit(small) }
        #expect(m?.contains("cannot be estimated among persons with 't' = 1") == true, "\(m ?? "no error")")
    }

    @Test("a logit outcome model needs a 0/1 outcome")
    func outcomeNotBinary() throws {
        var s = spec(.ra)
        s.outcomeModel = .logit
        let m = message { _ = try TreatmentEffects(s).fit(try Self.simulated()) }
        #expect(m?.contains("the outcome 'y' must be 0 or 1 for --outcome-model logit") == true)
    }

    @Test("estimator choices that cannot work are errors, not approximations")
    func notSupported() throws {
        let table = try Self.simulated()
        var nn = spec(.nnmatch)
        nn.outcomeCovariates = []
        let m0 = message { _ = try TreatmentEffects(nn).fit(table) }
        #expect(m0?.contains("--method nnmatch matches on --outcome-covariates") == true)
        var s = spec(.aipw)
        s.estimand = .atet
        let m = message { _ = try TreatmentEffects(s).fit(table) }
        #expect(m?.contains("ATE only") == true)
    }

    @Test("psmatch: a person without a match within the caliper is Stata's error, with the count")
    func caliper() throws {
        var s = spec(.psmatch)
        s.caliper = 1e-9
        let m = message { _ = try TreatmentEffects(s).fit(try Self.simulated()) }
        #expect(m?.contains("have no propensity-score match within the caliper") == true, "\(m ?? "no error")")
        s.caliper = 0.5
        let fit = try TreatmentEffects(s).fit(try Self.simulated())
        #expect(fit.effectVariance > 0)
        #expect(fit.matching?.neighbors == 1)
    }

    @Test("an unknown column is named")
    func unknownColumn() throws {
        let m = message { _ = try TreatmentEffects(spec(.ra, outcome: "nope")).fit(try Self.simulated()) }
        #expect(m?.contains("nope") == true)
    }

    @Test("rows with missing values are dropped and counted")
    func listwiseDeletion() throws {
        let base = try Self.simulated()
        var x = try base.numeric("x").doubles
        x[0] = .nan
        x[5] = .nan
        let table = try Table(numeric: [("x", x), ("t", try base.numeric("t").doubles), ("y", try base.numeric("y").doubles)])
        let fit = try TreatmentEffects(spec(.aipw)).fit(table)
        #expect(fit.observations == 398)
        #expect(fit.droppedRows == 2)
        #expect(fit.notes.contains { $0.contains("2 rows dropped for a missing value of 'x'") })
    }

    @Test("every number in every table is finite on a well-posed problem", arguments: [TreatmentEffectMethod.ra, .ipw, .aipw, .ipwra])
    func finiteOutput(_ method: TreatmentEffectMethod) throws {
        let fit = try TreatmentEffects(spec(method)).fit(try Self.simulated())
        for table in [fit.effectTable(), fit.potentialOutcomeMeanTable()] {
            for r in table.rows {
                for v in [r.estimate, r.standardError, r.ciLower, r.ciUpper, r.pValue] {
                    #expect(v?.isFinite == true)
                }
            }
        }
        // The simulated effect is 2: the estimate is within 4 SEs of it.
        let se = fit.effectVariance.squareRoot()
        #expect(Swift.abs(fit.effect - 2) < 4 * se, "\(method): \(fit.effect) +- \(se)")
    }
}

extension TreatmentEffectsSpecification {
    func with(_ change: (inout TreatmentEffectsSpecification) -> Void) -> TreatmentEffectsSpecification {
        var s = self
        change(&s)
        return s
    }
}
