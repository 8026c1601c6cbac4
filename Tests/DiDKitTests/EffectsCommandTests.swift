import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// `didkit effects`: the contract's flags and JSON keys, errors as one sentence with exit 1 (data) or 64 (usage).
@Suite("didkit effects")
struct EffectsCommandTests {
    /// 300 persons: x ~ U(-1, 1), t ~ Bernoulli(logistic(x)), y = 1 + 2 t + x + e, yb 0/1.
    static func csv() throws -> String {
        var rng = SplitMix64(seed: 11)
        var s = "x,t,y,yb,bad\n"
        for i in 0..<300 {
            let x = Double.random(in: -1...1, using: &rng)
            let t = Double.random(in: 0..<1, using: &rng) < 1 / (1 + Foundation.exp(-x)) ? 1 : 0
            let y = 1 + 2 * Double(t) + x + Double.random(in: -1...1, using: &rng)
            let yb = Double.random(in: 0..<1, using: &rng) < 0.3 + 0.2 * Double(t) ? 1 : 0
            s += "\(x),\(t),\(y),\(yb),\(i % 3)\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-effects-\(UUID().uuidString).csv").path
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }


    @Test("JSON has the contract's keys and matches the library", arguments: ["ra", "ipw", "aipw", "ipwra", "psmatch", "nnmatch"])
    func json(_ method: String) throws {
        let path = try Self.csv()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var args = ["effects", "--data", path, "--outcome", "y", "--treatment", "t", "--method", method, "--format", "json"]
        let outcomeCovariates = ["ra", "aipw", "ipwra", "nnmatch"].contains(method)
        let treatmentCovariates = ["ipw", "aipw", "ipwra", "psmatch"].contains(method)
        if outcomeCovariates { args += ["--outcome-covariates", "x"] }
        if treatmentCovariates { args += ["--treatment-covariates", "x"] }
        let text = try run(args)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(obj["estimator"] as? String == method)
        #expect(obj["estimand"] as? String == "ate")
        #expect(obj["observations"] as? Int == 300)
        let effect = try #require(obj["effect"] as? [String: Any])
        for key in ["estimate", "standardError", "ciLower", "ciUpper", "pValue"] { #expect(effect[key] is Double, "effect.\(key)") }
        let pom = try #require(obj["potentialOutcomeMeans"] as? [String: Any])
        #expect(pom["treated"] is Double && pom["control"] is Double)
        #expect((obj["treatmentModel"] != nil) == treatmentCovariates)
        if let tm = obj["treatmentModel"] as? [String: Any] { #expect(tm["terms"] is [Any]) }

        let table = try CSVReader.read(path: path)
        let spec = TreatmentEffectsSpecification(outcome: "y", treatment: "t", method: try TreatmentEffectMethod.parse(method),
                                                 outcomeCovariates: outcomeCovariates ? ["x"] : [],
                                                 treatmentCovariates: treatmentCovariates ? ["x"] : [])
        let fit = try TreatmentEffects(spec).fit(table)
        // The same numbers up to the JSON text round trip (1e-12 relative).
        let b = try #require(effect["estimate"] as? Double), se = try #require(effect["standardError"] as? Double)
        #expect(Swift.abs(b - fit.effect) <= 1e-12 * Swift.abs(fit.effect))
        #expect(Swift.abs(se - fit.effectVariance.squareRoot()) <= 1e-12 * fit.effectVariance.squareRoot())
    }

    @Test("a 0/1 outcome: percentage points, risk ratio and odds ratio; text output renders every table")
    func binary() throws {
        let path = try Self.csv()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let base = ["effects", "--data", path, "--outcome", "yb", "--treatment", "t", "--method", "aipw",
                    "--outcome-covariates", "x", "--treatment-covariates", "x", "--outcome-model", "logit"]
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(try run(base + ["--format", "json"]).utf8)) as? [String: Any])
        #expect(obj["scale"] as? String == "percentage-points")
        #expect((obj["riskRatio"] as? [String: Any])?["estimate"] is Double)
        #expect((obj["oddsRatio"] as? [String: Any])?["ciUpper"] is Double)
        let text = try run(base)
        #expect(text.contains("Effect (pp)"))
        #expect(text.contains("risk ratio"))
        #expect(text.contains("Treatment model (logit)"))
        #expect(!text.lowercased().contains("nan"))
    }

    @Test("usage errors exit 64, data errors are one sentence (exit 1)")
    func errors() throws {
        let path = try Self.csv()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let base = ["effects", "--data", path, "--outcome", "y", "--treatment", "t"]
        for extra in [["--method", "nnmatch"], ["--method", "ipw", "--metric", "ivariance"], ["--method", "psmatch", "--neighbors", "0"], ["--method", "ra", "--treatment-covariates", "x"], ["--method", "ipw", "--outcome-covariates", "x"],
                      ["--method", "aipw", "--estimand", "atet"], ["--method", "ra", "--wnls"], ["--method", "ra", "--level", "150"],
                      ["--method", "ipw", "--neighbors", "2"], ["--method", "bogus"]] {
            do {
                _ = try DidkitCommand.parseAsRoot(base + extra)
                Issue.record("\(extra) must be a usage error")
            } catch {
                #expect(DidkitCommand.exitCode(for: error) == ExitCode(64), "\(extra)")
            }
        }
        // Data: a treatment column that is not 0/1.
        do {
            _ = try run(["effects", "--data", path, "--outcome", "y", "--treatment", "bad", "--method", "ipw", "--treatment-covariates", "x"])
            Issue.record("a non-0/1 treatment must be an error")
        } catch let e as TreatmentEffectsError {
            #expect(String(describing: e).contains("the treatment 'bad' must be 0 or 1"))
            #expect(!String(describing: e).contains("\n"))
        }
    }
}
