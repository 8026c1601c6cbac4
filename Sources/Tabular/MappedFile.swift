#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory, whose pages the reader hands back as it goes.
///
/// A mapped file's pages count in the process's resident set once touched: reading the 4.3 GB
/// whole-country register kept all 4.3 GB resident until the read ended, on top of the columns
/// being built (a third of the study's peak). ``release(_:)`` tells the kernel that a range is
/// no longer needed (`madvise(MADV_DONTNEED)`): the pages leave the resident set and stay in the
/// page cache, so touching them again (a column read a second time as text) costs a minor
/// fault, never another read of the disk, and sees the same bytes (the mapping is private and
/// read-only, so there is nothing to lose). Foundation's `Data(contentsOf:options: .alwaysMapped)`
/// gives no such control and may fall back to a heap copy, where the same call would discard the
/// contents; hence this small wrapper of `mmap`.
/// `@unchecked Sendable`: nothing changes after `init`, and `madvise` on disjoint ranges may run on any thread.
final class MappedFile: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer?
    let count: Int
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps the regular file at `path`.
    /// - Throws: ``DataError/unreadableFile(path:reason:)`` when it cannot be opened or mapped.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError.unreadableFile(path: path, reason: "it cannot be opened for reading") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError.unreadableFile(path: path, reason: "its size cannot be read") }
        count = Int(info.st_size)
        if count == 0 { base = nil; return }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DataError.unreadableFile(path: path, reason: "it cannot be mapped into memory")
        }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// Calls `body` with the file's bytes. The span must not escape `body`.
    func withSpan<R>(_ body: (Span<UInt8>) throws -> R) rethrows -> R {
        guard let base else { return try body([UInt8]().span) }
        let buffer = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count)
        return try body(unsafe buffer.span)
    }

    /// Drops the whole pages inside `range` from the resident set (they are read again from the
    /// page cache if touched). Complexity: O(1) here; the kernel's work is proportional to the pages.
    func release(_ range: Range<Int>) {
        guard let base else { return }
        let page = Self.pageSize
        let lower = (range.lowerBound + page - 1) / page * page
        let upper = Swift.min(range.upperBound, count) / page * page
        guard lower < upper else { return }
        _ = madvise(base + lower, upper - lower, MADV_DONTNEED)
    }
}
