// Bulk copies into a `MutableSpan` (the readers' and joins' parts copied into place): a span offers no
// bulk copy from an array, so these go through the buffers' base addresses, once per part.

/// Copies `source` into `out` (the same count), as one bulk copy.
func copy<T: BitwiseCopyable>(_ source: ArraySlice<T>, into out: inout MutableSpan<T>) {
    source.withUnsafeBufferPointer { copy($0, into: &out) }
}

/// Copies `source` into `out` (the same count), as one bulk copy.
func copy<T: BitwiseCopyable>(_ source: UnsafeBufferPointer<T>, into out: inout MutableSpan<T>) {
    precondition(source.count == out.count, "copy(_:into:): counts differ")
    out.withUnsafeMutableBufferPointer { dst in
        guard let s = source.baseAddress, let d = dst.baseAddress else { return }
        d.update(from: s, count: source.count)
    }
}
