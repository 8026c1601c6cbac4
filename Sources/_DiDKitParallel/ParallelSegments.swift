import Dispatch

/// An array of `segments * length` elements whose segment `k` (elements `k * length ..< (k + 1) * length`)
/// is written by `fill(k, &segment)`, the segments on all cores.
///
/// For a column-major matrix built column by column: each column is written once, straight into its
/// place, and the fresh pages of each column are faulted in (zeroed by the kernel) by the core that
/// writes them, where building each column in its own array and copying it in cost two more passes
/// and twice the memory. `fill` must write every element of its segment (the array starts
/// uninitialised; `T` is a plain value type, so an unwritten element would hold stale bits, never an
/// invalid reference). Each segment is handed out as its own span: a task cannot touch another's.
/// - Complexity: O(segments x length) work, spread over the cores.
public func parallelSegments<T: BitwiseCopyable & Sendable>(
    segments: Int, length: Int, fill: @Sendable (Int, inout MutableSpan<T>) -> Void
) -> [T] {
    precondition(segments >= 0 && length >= 0, "parallelSegments: negative size")
    return parallelParts(starts: (0...segments).map { $0 * length }, fill: fill)
}

/// The array's base address, handed to the concurrent tasks; each task forms only its own segment.
private struct SegmentBase<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>?
}

/// An array of `starts.last` elements whose part `k` (elements `starts[k] ..< starts[k + 1]`) is written by
/// `fill(k, &part)`, the parts on all cores (``parallelSegments(segments:length:fill:)`` is the case of equal
/// lengths): parts of any lengths (a column joined from the chunks a reader parsed, each chunk's values copied straight into
/// place, the fresh pages faulted in by the cores that write them).
///
/// `fill` must write every element of its part (the array starts uninitialised).
/// - Precondition: `starts` is non-empty, starts at 0 and never decreases.
/// - Complexity: O(`starts.last`) work, spread over the cores.
public func parallelParts<T: BitwiseCopyable & Sendable>(
    starts: [Int], fill: @Sendable (Int, inout MutableSpan<T>) -> Void
) -> [T] {
    precondition(starts.first == 0 && zip(starts, starts.dropFirst()).allSatisfy { $0 <= $1 },
                 "parallelParts: starts must begin at 0 and never decrease")
    let total = starts.last ?? 0
    return [T](unsafeUninitializedCapacity: total) { buffer, initialized in
        let base = SegmentBase(pointer: buffer.baseAddress)
        DispatchQueue.concurrentPerform(iterations: starts.count - 1) { k in
            guard let start = base.pointer else { return }
            let part = UnsafeMutableBufferPointer(start: start + starts[k], count: starts[k + 1] - starts[k])
            var span = part.mutableSpan
            fill(k, &span)
        }
        initialized = total
    }
}
