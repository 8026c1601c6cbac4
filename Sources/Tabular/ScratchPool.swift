import Foundation

/// Buffers handed from one parsed chunk to the next (the reader's per-chunk `Double` and bounds
/// buffers, tens of megabytes each): a chunk takes one that is large enough, or gets a new one, and
/// gives it back when it is done, so a file of hundreds of chunks touches a core's worth of fresh
/// pages instead of every chunk's (the kernel zeroing fresh pages was a fifth of a whole-country
/// read). The buffers' contents are stale: a taker writes every element it later reads.
///
/// Written here because the buffers' lifetime is one read; a lock, not a lock-free structure, since
/// it is taken twice per chunk of megabytes.
final class ScratchPool<Element: BitwiseCopyable>: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[Element]] = []

    init() {}

    /// A buffer of at least `count` elements (its contents unspecified), taken from the pool when one is
    /// large enough, else made (uninitialised: `Element` is a plain value, so no element holds a reference)
    /// with an eighth to spare: chunks of equal bytes hold a few rows more or fewer each, and a buffer made
    /// exactly to size made every chunk with more rows than any before it touch tens of megabytes of fresh
    /// pages (0.2 s of kernel zeroing in a 1.5M-person register's read). A buffer too small for the chunk
    /// that finds none large enough is dropped, not kept for one that may never come.
    func take(count: Int) -> [Element] {
        lock.lock()
        let found = free.firstIndex { $0.count >= count }.map { free.remove(at: $0) }
        if found == nil, let smallest = free.indices.min(by: { free[$0].count < free[$1].count }) { free.remove(at: smallest) }
        lock.unlock()
        if let found { return found }
        let capacity = count + count / 8
        return [Element](unsafeUninitializedCapacity: capacity) { _, initialized in initialized = capacity }
    }

    /// Gives a buffer back for a later chunk.
    func give(_ buffer: [Element]) {
        lock.lock()
        free.append(buffer)
        lock.unlock()
    }
}
