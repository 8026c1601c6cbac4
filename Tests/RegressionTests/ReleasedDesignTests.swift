import Linalg
@testable import Regression
import Testing

@Suite("Released design")
struct ReleasedDesignTests {
    @Test("a fit without its design keeps its estimates and OIM table, and robust or clustered SEs say why they cannot be had")
    func releasedDesign() throws {
        let (x, y) = IRLSStartTests.design()
        let names = ["x0", "year", "d", "count", "_cons"]
        let fit = try LogisticRegression().fit(x, y: y, names: names)
        let released = fit.releasingDesign()
        #expect(!fit.isDesignReleased && released.isDesignReleased)
        #expect(released.coefficients == fit.coefficients)
        #expect(released.linearPredictor == fit.linearPredictor)
        #expect(released.oimTable.rows.map(\.standardError) == fit.oimTable.rows.map(\.standardError))
        #expect(try released.covariance(.oim) == fit.covariance(.oim))
        // The original still gives robust SEs; the released one throws the named error, not a trap.
        _ = try fit.covariance(.robust)
        #expect(throws: RegressionError.designReleased) { _ = try released.covariance(.robust) }
        let clusters = ClusterIDs(labels: (0..<y.count).map { $0 % 7 })
        #expect(throws: RegressionError.designReleased) { _ = try released.covariance(.cluster(clusters)) }
    }
}
