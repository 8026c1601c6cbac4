import Dispatch

// Non-API support: the one concurrency helper that both the numeric core
// (Linalg's row-block reductions) and the CSV reader (Tabular) need. It lives
// below both so that Tabular does not depend on Linalg for it.

/// Runs `body(i)` for `i` in `0..<count` on all cores and returns the results in index order.
public func parallelMap<T: Sendable>(count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if count == 0 { return [] }
    if count == 1 { return [body(0)] }
    let box = ResultBox<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        box.set(i, body(i))
    }
    return box.values()
}

/// Write-once slots filled from `concurrentPerform`; each index is written by exactly one iteration.
private final class ResultBox<T>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    func set(_ i: Int, _ v: T) { slots[i] = v }
    func values() -> [T] { (0..<count).map { slots[$0]! } }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}
