import Foundation

/// Progress of a long step (generating, reading, an IRLS pass, bootstrap draws, matching),
/// reported from the library to whoever listens (the CLI's progress line on a terminal).
///
/// The listener is a task-local value (``ProgressReport/$handler``): the CLI binds it around a
/// command with `ProgressReport.$handler.withValue(...)`; library code calls
/// ``ProgressReport/report(_:done:total:)`` where it already has phases (per chunk of persons,
/// per IRLS pass, per chunk of bootstrap draws, per chunk of treated units), never per row, so
/// a hot loop pays one task-local read per chunk. Without a listener (tests, pipes, library use)
/// nothing happens. Work that runs on other threads (``parallelMap``) captures
/// ``ProgressReport/current`` first and calls it; the handler must be thread-safe.
public enum ProgressReport {
    /// The listener: (step, fraction done in 0...1, or nil when the step's length is unknown).
    public typealias Handler = @Sendable (_ step: String, _ fraction: Double?) -> Void

    @TaskLocal public static var handler: Handler?

    /// The listener bound here, to pass into work on other threads.
    public static var current: Handler? { handler }

    /// Reports that `done` of `total` units of `step` are finished (nothing without a listener).
    @inlinable
    public static func report(_ step: String, done: Int, total: Int) {
        guard let h = handler, total > 0 else { return }
        h(step, Swift.min(1, Double(done) / Double(total)))
    }

    /// Reports a step whose length is not known in advance (e.g. an IRLS pass), with a guess
    /// of the fraction done (nil: none).
    @inlinable
    public static func report(_ step: String, fraction: Double?) {
        handler?(step, fraction.map { Swift.min(1, Swift.max(0, $0)) })
    }
}

/// A thread-safe count of finished units for work spread over threads: each worker adds what
/// it finished (per chunk), and the listener captured on the calling thread hears the total.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let step: String
    private let handler: ProgressReport.Handler?

    /// A counter reporting to the listener bound where it is made (none: adding does nothing).
    public init(step: String, total: Int) {
        self.step = step
        self.total = total
        handler = ProgressReport.current
    }

    /// Adds `n` finished units and reports the fraction.
    public func add(_ n: Int) {
        guard let handler, total > 0 else { return }
        lock.lock()
        done += n
        let f = Swift.min(1, Double(done) / Double(total))
        lock.unlock()
        handler(step, f)
    }
}
