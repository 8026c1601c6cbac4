import Foundation
import Staggered
import Testing

/// R did's published ATT(g,t) on mpdta (README / "Getting Started" vignette; reg, never treated,
/// varying base, no covariates): Tests/StaggeredTests/Fixtures/expected.json, copied from
/// /work/shared/reference/did-mpdta-attgt-reg.
@Suite struct PublishedMpdtaTests {
    @Test func reproducesThePublishedTwelveATTs() throws {
        let expected = try Fixture.json("expected.json")
        let published = try req((expected["published"] as? [String: Any])?["values"] as? [[String: Any]])
        #expect(published.count == 12)
        let est = try GroupTimeATT(Fixture.panel(), options: StaggeredOptions(method: .reg))
        #expect(est.cells.count == 12)
        #expect(est.units == 500)
        for v in published {
            let key = try req(v["key"] as? String)            // "att[g=2004,t=2005]"
            let digits = key.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let (g, t) = (digits[0], digits[1])
            let value = try req(v["value"] as? Double)          // the printed value, 4 decimals
            let tol = try req(v["tolerance_abs"] as? Double)    // half a unit in the last printed digit: 5e-5
            let cell = try req(est.cells.first { $0.group == g && $0.time == t })
            #expect(Swift.abs(cell.att - value) <= tol, "ATT(\(g),\(t)) = \(cell.att), published \(value)")
        }
    }

    /// With no covariates the propensity score is the group share and the outcome model a mean, so
    /// reg, ipw, dr and drimp are the same estimator with the same influence function (DRDID's
    /// estimation-effect terms vanish): agreement to 1e-10 relative (rounding only).
    @Test func methodsCoincideWithoutCovariates() throws {
        let data = try Fixture.panel()
        let reg = try GroupTimeATT(data, options: StaggeredOptions(method: .reg))
        let regSE = reg.standardErrors
        for m in [ATTMethod.ipw, .dr, .drimp] {
            let other = try GroupTimeATT(data, options: StaggeredOptions(method: m))
            let se = other.standardErrors
            for c in reg.cells.indices {
                #expect(relativelyClose(other.cells[c].att, reg.cells[c].att, 1e-10), "\(m) ATT cell \(c)")
                #expect(relativelyClose(try req(se[c]), try req(regSE[c]), 1e-10), "\(m) SE cell \(c)")
            }
        }
    }
}
