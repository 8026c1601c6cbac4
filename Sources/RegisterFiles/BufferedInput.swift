#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CReadStat

// The C calls under names that the handlers' own names do not shadow.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32) -> Int32 { open(path, flags) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
private func systemPread(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, _ at: off_t) -> Int { pread(fd, into, count, at) }

/// ReadStat's file access through one large read buffer.
///
/// ReadStat's own (unistd) input issues one `read(2)` per request, and its
/// Stata reader requests one row at a time: a system call per row (a third of
/// the read time on a register of short rows). These handlers serve requests
/// from a `bufferSize` buffer filled by `pread(2)`, so a row costs a copy;
/// requests of a buffer or more go straight to the caller's memory. Seeks move
/// a logical position and keep the buffer when the new position is inside it.
///
/// Contract: the handlers behave as ReadStat's unistd ones (read returns the
/// bytes read, 0 at the end, -1 on error; seek returns the new position or -1);
/// the progress handler, when one is set, gets position / file size.
///
/// Complexity: O(1) system calls per `bufferSize` bytes read; memory `bufferSize`.
struct BufferedInput {
    /// 1 MiB: large enough that system calls vanish from the profile, small enough to stay in L2/L3.
    static let bufferSize = 1 << 20

    var fd: Int32 = -1
    let buffer: UnsafeMutableRawPointer
    /// File offset of `buffer[0]` and the valid bytes from there.
    var start: Int64 = 0
    var filled = 0
    /// The logical file position (where the next read starts).
    var position: Int64 = 0

    init() { buffer = .allocate(byteCount: BufferedInput.bufferSize, alignment: 64) }

    /// Installs the handlers and a fresh input as `parser`'s I/O; the returned
    /// pointer must outlive the parse and be released with ``release(_:)``.
    static func install(on parser: UnsafeMutablePointer<readstat_parser_t>) -> UnsafeMutablePointer<BufferedInput> {
        let input = UnsafeMutablePointer<BufferedInput>.allocate(capacity: 1)
        input.initialize(to: BufferedInput())
        readstat_set_open_handler(parser, openHandler)
        readstat_set_close_handler(parser, closeHandler)
        readstat_set_seek_handler(parser, seekHandler)
        readstat_set_read_handler(parser, readHandler)
        readstat_set_update_handler(parser, updateHandler)
        readstat_set_io_ctx(parser, input)  // frees ReadStat's own unistd context
        return input
    }

    /// Closes the file if ReadStat left it open and frees the buffer.
    static func release(_ input: UnsafeMutablePointer<BufferedInput>) {
        if input.pointee.fd >= 0 { _ = systemClose(input.pointee.fd) }
        input.pointee.buffer.deallocate()
        input.deinitialize(count: 1)
        input.deallocate()
    }

    static func input(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<BufferedInput>? {
        ctx?.assumingMemoryBound(to: BufferedInput.self)
    }

    static let openHandler: readstat_open_handler = { path, ctx in
        guard let io = input(ctx), let path else { return -1 }
        let fd = systemOpen(path, O_RDONLY)
        io.pointee.fd = fd
        io.pointee.start = 0
        io.pointee.filled = 0
        io.pointee.position = 0
        return fd
    }

    static let closeHandler: readstat_close_handler = { ctx in
        guard let io = input(ctx), io.pointee.fd >= 0 else { return 0 }
        let status = systemClose(io.pointee.fd)
        io.pointee.fd = -1
        return status
    }

    static let seekHandler: readstat_seek_handler = { offset, whence, ctx in
        guard let io = input(ctx), io.pointee.fd >= 0 else { return -1 }
        let base: Int64
        switch whence {
        case READSTAT_SEEK_SET: base = 0
        case READSTAT_SEEK_CUR: base = io.pointee.position
        case READSTAT_SEEK_END:
            var info = stat()
            guard fstat(io.pointee.fd, &info) == 0 else { return -1 }
            base = Int64(info.st_size)
        default: return -1
        }
        let (target, overflow) = base.addingReportingOverflow(Int64(offset))
        guard !overflow, target >= 0 else { return -1 }
        io.pointee.position = target
        return readstat_off_t(target)
    }

    static let readHandler: readstat_read_handler = { destination, count, ctx in
        guard let io = input(ctx), io.pointee.fd >= 0 else { return -1 }
        guard count > 0 else { return 0 }
        guard let destination else { return -1 }
        return io.pointee.read(into: destination, count: Int(count))
    }

    static let updateHandler: readstat_update_handler = { fileSize, progress, userCtx, ctx in
        guard let progress else { return READSTAT_OK }
        guard let io = input(ctx), fileSize > 0 else { return READSTAT_ERROR_SEEK }
        if progress(Double(io.pointee.position) / Double(fileSize), userCtx) != 0 { return READSTAT_ERROR_USER_ABORT }
        return READSTAT_OK
    }

    /// Copies up to `count` bytes from the logical position; returns the bytes
    /// copied (fewer only at the end of the file) or -1 when nothing could be read.
    mutating func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        var copied = 0
        while copied < count {
            let offset = position - start
            if offset >= 0 && offset < Int64(filled) {
                let n = min(filled - Int(offset), count - copied)
                (destination + copied).copyMemory(from: buffer + Int(offset), byteCount: n)
                copied += n
                position += Int64(n)
                continue
            }
            let wanted = count - copied
            let direct = wanted >= BufferedInput.bufferSize
            let got = Self.preadRetrying(fd, direct ? destination + copied : buffer, direct ? wanted : BufferedInput.bufferSize, position)
            if got < 0 { return copied > 0 ? copied : -1 }
            if got == 0 { break }
            if direct {
                copied += got
                position += Int64(got)
            } else {
                start = position
                filled = got
            }
        }
        return copied
    }

    /// `pread(2)`, retried when interrupted.
    static func preadRetrying(_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, _ at: Int64) -> Int {
        while true {
            let got = systemPread(fd, into, count, off_t(at))
            if got >= 0 || errno != EINTR { return got }
        }
    }
}
