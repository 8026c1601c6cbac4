import Foundation
import Tabular

/// Where one variable's values go while ReadStat parses a file: a typed buffer
/// of the variable's own width (Stata's byte, int and long stay 1, 2 and 4 bytes;
/// float and double become `Double`), or a text builder.
///
/// The buffers are raw allocations written through a pointer, so that the
/// per-cell value handler does no reference counting, bounds-checked growth or
/// exclusivity check: it stores one value and widens a running integer range.
struct ColumnSink {
    enum Storage: UInt8 { case skip, int8, int16, int32, double, text }

    var storage: Storage
    /// `capacity` values of the storage's type (nil for `skip` and `text`).
    var buffer: UnsafeMutableRawPointer?
    /// The range of the non-missing integer values stored (integer storage only).
    var low: Int32 = 0
    var high: Int32 = 0
    /// The column's text (text storage only).
    var text: UnsafeMutablePointer<TextBuilder>?
    /// Whether the variable has user-defined missing values (SPSS), checked per value.
    var definedMissing = false

    static var skipped: ColumnSink { ColumnSink(storage: .skip, buffer: nil) }

    /// Frees the buffer or the text builder.
    func release() {
        buffer?.deallocate()
        if let text {
            text.deinitialize(count: 1)
            text.deallocate()
        }
    }

    /// Bytes per value in `buffer`.
    var stride: Int {
        switch storage {
        case .skip, .text: return 0
        case .int8: return 1
        case .int16: return 2
        case .int32: return 4
        case .double: return 8
        }
    }
}

/// The UTF-8 bytes, offsets and missing flags of a text column being read (see ``TextColumn``).
/// Held through a pointer in its ``ColumnSink``, so that appending is a plain mutation.
struct TextBuilder {
    var bytes: [UInt8] = []
    var offsets: [Int] = [0]
    var missing: [Bool] = []

    init(capacity: Int) {
        offsets.reserveCapacity(capacity + 1)
        missing.reserveCapacity(capacity)
    }

    /// Appends the NUL-terminated value at `value` (nil or empty: missing, as Stata's `missing(s)`).
    @inline(__always) mutating func append(_ value: UnsafePointer<CChar>?) {
        if let value, value.pointee != 0 {
            let count = strlen(value)
            value.withMemoryRebound(to: UInt8.self, capacity: count) {
                bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
            }
            missing.append(false)
        } else {
            missing.append(true)
        }
        offsets.append(bytes.count)
    }

    /// Appends missing values until `count` values are held (rows ReadStat did not deliver).
    @inline(__always) mutating func pad(to count: Int) {
        while missing.count < count { missing.append(true); offsets.append(bytes.count) }
    }

    /// Appends `other`'s values after these (a later part of a parallel read).
    mutating func append(_ other: TextBuilder) {
        let shift = bytes.count
        bytes.append(contentsOf: other.bytes)
        offsets.append(contentsOf: other.offsets.dropFirst().lazy.map { $0 + shift })
        missing.append(contentsOf: other.missing)
    }

    var column: TextColumn { TextColumn(bytes: bytes, offsets: offsets, missing: missing) }
}
