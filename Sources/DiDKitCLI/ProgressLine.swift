import DiDKit
import _DiDKitParallel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr. Step lines (`[  1.23s] matching`) when stderr is a terminal or
/// `--progress` is given; a live line with the fraction done and an estimate of the time left
/// (`  IRLS pass 3  60%  about 4 s left`) only on a terminal; nothing at all with `--quiet`. So
/// pipes and tests see no change unless they ask with `--progress`.
///
/// Time left = time in the step so far x (1 - f) / f, for the fraction f the library reports
/// (``ProgressReport``); redrawn at most 10 times a second.
final class ProgressLine: @unchecked Sendable {
    let steps: Bool
    let live: Bool
    let start = Date()
    private let lock = NSLock()
    private var step = ""
    private var stepStart = Date()
    private var lastDraw = Date.distantPast
    private var showing = false
    private var lastFraction = 0.0

    init(forced: Bool, quiet: Bool) {
        let terminal = isatty(2) != 0
        steps = !quiet && (forced || terminal)
        live = !quiet && terminal
    }

    /// A step line.
    func report(_ message: String) {
        guard steps else { return }
        lock.lock(); defer { lock.unlock() }
        let t = String(format: "%6.2fs", Date().timeIntervalSince(start))
        write((showing ? "\r\u{1B}[K" : "") + "[\(t)] \(message)\n")
        showing = false
    }

    /// The library's progress (bind with ``run(_:)``).
    func update(_ name: String, _ fraction: Double?) {
        guard live else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        // A new step, or the same step started again (a second fit): the clock restarts.
        if name != step || (fraction ?? 1) < lastFraction { step = name; stepStart = now }
        lastFraction = fraction ?? 1
        guard now.timeIntervalSince(lastDraw) >= 0.1 || fraction == 1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(stepStart)
        var text = "  \(name)"
        if let f = fraction {
            text += String(format: "  %3.0f%%", 100 * f)
            if f > 0.02 && f < 1 && elapsed > 0.5 { text += "  about \(Self.duration(elapsed * (1 - f) / f)) left" }
        } else {
            text += "  (\(Self.duration(elapsed)))"
        }
        write("\r\u{1B}[K" + text)
        showing = true
    }

    /// Runs `body` with the library's progress shown on this line, and clears the line after.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        guard live else { return try body() }
        defer {
            lock.lock()
            if showing { write("\r\u{1B}[K"); showing = false }
            lock.unlock()
        }
        return try ProgressReport.$handler.withValue({ [self] in self.update($0, $1) }, operation: body)
    }

    static func duration(_ s: Double) -> String {
        s < 90 ? "\(Int(s.rounded())) s" : "\(Int((s / 60).rounded())) min"
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

/// Whether a progress listener is bound here (for tests of ``ProgressLine/run(_:)``).
enum ProgressReportProbe {
    static func bound() -> Bool { ProgressReport.current != nil }
}
