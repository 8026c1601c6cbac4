import _DiDKitParallel
import Distributions
import Foundation
import Linalg
@testable import Regression
import Testing

/// The progress hook of IRLS fits: one report per pass to a bound listener, ending at 1 on
/// convergence; nothing without a listener, and the same estimates either way.
@Suite("Progress reports from IRLS fits")
struct ProgressReportTests {
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var events: [(String, Double?)] = []
        func add(_ s: String, _ f: Double?) { lock.lock(); events.append((s, f)); lock.unlock() }
    }

    @Test("a bound listener hears every pass, the last at fraction 1; the fit is unchanged")
    func irlsPasses() throws {
        let (x, y) = IRLSStartTests.design()
        let names = ["a", "year", "d", "count", "_cons"]
        let plain = try LogisticRegression().fit(x, y: y, names: names)
        let recorder = Recorder()
        let heard = try ProgressReport.$handler.withValue({ recorder.add($0, $1) }) {
            try LogisticRegression().fit(x, y: y, names: names)
        }
        #expect(heard.coefficients == plain.coefficients)
        #expect(recorder.events.count == plain.iterations)
        #expect(recorder.events.allSatisfy { $0.0 == "fitting the model (IRLS)" })
        #expect(recorder.events.last?.1 == 1)
        #expect(recorder.events.compactMap(\.1).allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test("the fraction guess follows Newton's quadratic convergence")
    func guess() {
        // r = 1e-4 with tol 1e-8: log2(log 1e-8 / log 1e-4) = 1 pass left, so 3 / (3 + 1).
        #expect(Swift.abs((IRLSPass.progressGuess(passes: 3, change: 1e-4, tolerance: 1e-8) ?? -1) - 0.75) < 1e-12)
        #expect(IRLSPass.progressGuess(passes: 5, change: 1e-9, tolerance: 1e-8) == 1)
        #expect(IRLSPass.progressGuess(passes: 1, change: 2, tolerance: 1e-8) == nil)
    }

    @Test("a counter made without a listener does nothing; with one it reports the running total")
    func counter() {
        ProgressCounter(step: "x", total: 4).add(1)   // no listener: no effect, no crash
        let recorder = Recorder()
        ProgressReport.$handler.withValue({ recorder.add($0, $1) }) {
            let c = ProgressCounter(step: "draws", total: 4)
            _ = parallelMap(count: 4) { _ in c.add(1) }
        }
        #expect(recorder.events.count == 4)
        #expect(recorder.events.map { $0.1 ?? -1 }.max() == 1)
    }
}
