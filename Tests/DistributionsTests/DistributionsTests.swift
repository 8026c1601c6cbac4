import Foundation
import Testing
@testable import Distributions

/// One reference value from `Fixtures/distributions.csv` (made by
/// `Fixtures/make_distribution_fixtures.py` with SciPy; versions in its header).
struct ReferenceValue {
    let function: String
    let p1: Double
    let p2: Double
    let argument: Double
    let value: Double
}

func loadReferenceValues() throws -> [ReferenceValue] {
    let url = try #require(Bundle.module.url(forResource: "distributions", withExtension: "csv", subdirectory: "Fixtures"))
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").dropFirst(2).map { line in
        let f = line.split(separator: ",").map(String.init)
        return ReferenceValue(function: f[0], p1: Double(f[1])!, p2: Double(f[2])!, argument: Double(f[3])!, value: Double(f[4])!)
    }
}

/// Relative agreement required with SciPy over the whole grid (issue: 1e-12).
let relativeTolerance = 1e-12

func relativeError(_ a: Double, _ b: Double) -> Double {
    if a == b { return 0 }
    return Swift.abs(a - b) / Swift.max(Swift.abs(b), Double.leastNormalMagnitude)
}

@Suite("Distributions agree with SciPy")
struct DistributionAgreementTests {
    func evaluate(_ r: ReferenceValue) -> Double {
        switch r.function {
        case "normal_cdf": return Normal.cdf(r.argument)
        case "normal_sf": return Normal.sf(r.argument)
        case "normal_ppf": return Normal.quantile(r.argument)
        case "t_cdf": return StudentT(degreesOfFreedom: r.p1).cdf(r.argument)
        case "t_sf": return StudentT(degreesOfFreedom: r.p1).sf(r.argument)
        case "t_ppf": return StudentT(degreesOfFreedom: r.p1).quantile(r.argument)
        case "chi2_cdf": return ChiSquared(degreesOfFreedom: r.p1).cdf(r.argument)
        case "chi2_sf": return ChiSquared(degreesOfFreedom: r.p1).sf(r.argument)
        case "f_cdf": return FDistribution(d1: r.p1, d2: r.p2).cdf(r.argument)
        case "f_sf": return FDistribution(d1: r.p1, d2: r.p2).sf(r.argument)
        case "f_ppf": return FDistribution(d1: r.p1, d2: r.p2).quantile(r.argument)
        default: Issue.record("unknown function \(r.function)"); return .nan
        }
    }

    @Test("every fixture value within 1e-12 relative", arguments: ["normal", "t_", "chi2", "f_"])
    func agreesWithScipy(prefix: String) throws {
        let refs = try loadReferenceValues().filter { $0.function.hasPrefix(prefix) }
        #expect(refs.count > 20)
        var worst = (0.0, "")
        for r in refs {
            let got = evaluate(r)
            let err = relativeError(got, r.value)
            if err > worst.0 { worst = (err, "\(r.function)(\(r.p1), \(r.p2); \(r.argument)) = \(got), scipy \(r.value)") }
            #expect(err <= relativeTolerance, "\(r.function)(\(r.p1), \(r.p2); \(r.argument)): \(got) vs scipy \(r.value), rel. error \(err)")
        }
        print("worst relative error for \(prefix): \(worst.0) at \(worst.1)")
    }
}

@Suite("Distribution identities")
struct DistributionIdentityTests {
    @Test("cdf + sf = 1 and quantile inverts cdf")
    func complementsAndInverse() {
        for z in stride(from: -6.0, through: 6.0, by: 0.37) {
            #expect(Swift.abs(Normal.cdf(z) + Normal.sf(z) - 1) < 1e-15)
            #expect(relativeError(Normal.cdf(Normal.quantile(Normal.cdf(z))), Normal.cdf(z)) < 1e-13)
        }
        for df in [1.0, 3.0, 7.5, 40.0, 5000.0] {
            let t = StudentT(degreesOfFreedom: df)
            for p in [1e-8, 0.01, 0.3, 0.5, 0.8, 0.999] {
                #expect(relativeError(t.cdf(t.quantile(p)), p) < 1e-12)
            }
            #expect(relativeError(t.twoSidedPValue(2.5), 2 * t.sf(2.5)) < 1e-14)
        }
    }

    @Test("large-df t approaches the normal; chi2(1) is a squared normal")
    func limits() {
        // F_t(z) - Phi(z) ~ -phi(z) (z^3 + z) / (4 df) (Abramowitz & Stegun 26.7.5): about 1.4e-10 at z = -1.96, df = 1e9.
        #expect(Swift.abs(StudentT(degreesOfFreedom: 1e9).cdf(-1.96) - Normal.cdf(-1.96)) < 1e-9)
        for x in [0.1, 1.0, 3.84, 10.0] {
            #expect(relativeError(ChiSquared(degreesOfFreedom: 1).sf(x), Normal.twoSidedPValue(x.squareRoot())) < 1e-12)
        }
    }

    @Test("edge arguments give exact limits")
    func edges() {
        #expect(Normal.quantile(0) == -.infinity)
        #expect(Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(0.5) == 0)
        #expect(StudentT(degreesOfFreedom: 4).cdf(.infinity) == 1)
        #expect(ChiSquared(degreesOfFreedom: 3).sf(0) == 1)
        #expect(Normal.quantile(1.5).isNaN)
    }
}
