import Foundation

/// Writes a ``Table`` as CSV (header row, comma separators, `NA` for missing,
/// text quoted only when it needs to be), the format ``CSVReader`` reads.
///
/// Built for register-sized tables: rows are formatted into one byte buffer
/// per chunk of rows; whole numbers (most register values) take an integer
/// fast path, other numbers Swift's shortest round-tripping representation.
public enum CSVWriter {
    /// Writes `table` to `path`.
    /// - Throws: ``DataError/cannotWrite(path:reason:)`` when the file cannot be created or written (a
    ///   folder, a missing folder, no permission, a full disk).
    public static func write(_ table: Table, to path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw DataError.cannotWrite(path: path, reason: "it is a folder; give a file name")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw DataError.cannotWrite(path: path, reason: "the file cannot be created")
        }
        defer { try? handle.close() }
        do { try writeRows(table, to: handle) } catch {
            throw DataError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// The header and the rows, a chunk of rows per write (`FileHandle.write(contentsOf:)` throws where
    /// `write(_:)` would stop the process, on a full disk for one).
    private static func writeRows(_ table: Table, to handle: FileHandle) throws {
        let columns = try table.columnNames.map { try table.column($0) }
        var header: [UInt8] = []
        for (k, name) in table.columnNames.enumerated() {
            if k > 0 { header.append(UInt8(ascii: ",")) }
            appendText(name, to: &header)
        }
        header.append(UInt8(ascii: "\n"))
        try handle.write(contentsOf: header)
        let chunk = 65_536
        var start = 0
        while start < table.rowCount {
            let end = Swift.min(table.rowCount, start + chunk)
            var buffer: [UInt8] = []
            buffer.reserveCapacity((end - start) * columns.count * 6)
            for i in start..<end {
                for (k, c) in columns.enumerated() {
                    if k > 0 { buffer.append(UInt8(ascii: ",")) }
                    switch c {
                    case .numeric(let v): appendNumber(v[i], to: &buffer)
                    case .text(let t):
                        if t.isMissing(i) { buffer.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "A")]) } else {
                            let bytes = t.valueBytes(i)
                            if bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) {
                                appendText(String(decoding: bytes, as: UTF8.self), to: &buffer)
                            } else {
                                buffer.append(contentsOf: bytes)
                            }
                        }
                    }
                }
                buffer.append(UInt8(ascii: "\n"))
            }
            try handle.write(contentsOf: buffer)
            start = end
        }
    }

    /// Whether a text field needs quotes (RFC 4180: a comma, a quote or a line end in it).
    static func needsQuotes(_ s: String) -> Bool { s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" } }

    /// A text field as it stands in a CSV file: quoted, with quotes doubled, when it needs it.
    /// The one quoting rule of every CSV DiDKit writes (tables, pairs, report data).
    public static func field(_ s: String) -> String {
        needsQuotes(s) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func appendText(_ s: String, to buffer: inout [UInt8]) {
        if needsQuotes(s) {
            buffer.append(UInt8(ascii: "\""))
            for b in s.utf8 {
                if b == UInt8(ascii: "\"") { buffer.append(b) }
                buffer.append(b)
            }
            buffer.append(UInt8(ascii: "\""))
        } else {
            buffer.append(contentsOf: s.utf8)
        }
    }

    @inline(__always)
    static func appendNumber(_ v: Double, to buffer: inout [UInt8]) {
        if v.isNaN { buffer.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "A")]); return }
        if v == v.rounded(), Swift.abs(v) < 1e15 {
            var n = Int64(v)
            if n < 0 { buffer.append(UInt8(ascii: "-")); n = -n }
            if n == 0 { buffer.append(UInt8(ascii: "0")); return }
            var p: Int64 = 1
            while p <= n / 10 { p *= 10 }
            while p > 0 {
                buffer.append(UInt8(ascii: "0") + UInt8(n / p))
                n %= p
                p /= 10
            }
            return
        }
        buffer.append(contentsOf: "\(v)".utf8)
    }
}
