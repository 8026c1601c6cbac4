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
    /// Index of the column's ``TextBuilder`` (text storage only).
    var text: Int = -1

    static var skipped: ColumnSink { ColumnSink(storage: .skip, buffer: nil) }

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
final class TextBuilder {
    var bytes: [UInt8] = []
    var offsets: [Int] = [0]
    var missing: [Bool] = []

    init(capacity: Int) {
        offsets.reserveCapacity(capacity + 1)
        missing.reserveCapacity(capacity)
    }

    /// Appends the NUL-terminated value at `value` (nil or empty: missing, as Stata's `missing(s)`).
    @inline(__always) func append(_ value: UnsafePointer<CChar>?) {
        if let value, value.pointee != 0 {
            value.withMemoryRebound(to: UInt8.self, capacity: 1) { p in
                var i = 0
                while p[i] != 0 { bytes.append(p[i]); i += 1 }
            }
            missing.append(false)
        } else {
            missing.append(true)
        }
        offsets.append(bytes.count)
    }

    /// Appends missing values until `count` values are held (rows ReadStat did not deliver).
    func pad(to count: Int) {
        while missing.count < count { missing.append(true); offsets.append(bytes.count) }
    }

    var column: TextColumn { TextColumn(bytes: bytes, offsets: offsets, missing: missing) }
}
