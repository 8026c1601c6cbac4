import Foundation
import Linalg

/// How the CSV reader stores a column.
public enum ColumnKind: Sendable, Equatable {
    /// Numbers; any other non-missing text is an error naming column, row and value.
    case numeric
    /// Text (ids, text factors); never parsed as numbers.
    case text
    /// Numeric when every non-missing value is a number, text otherwise (factor columns).
    case auto
    /// Not stored (saves memory and time on wide registers).
    case skip
}

/// A CSV reader for register extracts, following the CLI contract
/// (`../shared/cli-contract.md`): a header row, comma separators, optional
/// double quotes (`""` inside quotes is a quote), UTF-8; missing values are an
/// empty field, `NA` or `.` (Stata's export); numbers are integers or decimals
/// with an optional exponent.
///
/// ## Detailed design
/// The file is read into memory once and parsed byte by byte: no `String` is
/// made per field. The data rows are split into chunks at line ends that are
/// outside quotes (one linear scan tracks quote parity) and the chunks are
/// parsed in parallel, each into its own column buffers, which are then
/// concatenated in order: the result does not depend on the number of cores.
/// Numbers with at most 19 significant digits and a decimal exponent within
/// +-22 are converted exactly with one multiplication or division by a power
/// of ten (Clinger's fast path: both operands are exact doubles, so the result
/// is correctly rounded); anything else goes to the C library's `strtod`.
///
/// ## Complexity
/// O(bytes) time, two passes; memory: the file plus the stored columns.
public enum CSVReader {
    /// Reads a CSV file.
    /// - Parameters:
    ///   - kinds: the storage kind by column name; names not in the file are an error.
    ///   - defaultKind: the kind of every other column.
    /// - Throws: ``DataError``.
    public static func read(path: String, kinds: [String: ColumnKind] = [:], defaultKind: ColumnKind = .auto) throws -> Table {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError.fileNotFound(path: path) }
        return try read(bytes: readFileBytes(path), source: path, kinds: kinds, defaultKind: defaultKind)
    }

    /// Parses CSV text held in memory (`source` names it in error messages).
    public static func read(bytes: [UInt8], source: String = "<memory>", kinds: [String: ColumnKind] = [:],
                            defaultKind: ColumnKind = .auto) throws -> Table {
        var start = 0
        // Skip a UTF-8 byte-order mark.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        // Skip leading blank lines.
        while start < bytes.count && (bytes[start] == UInt8(ascii: "\n") || bytes[start] == UInt8(ascii: "\r")) { start += 1 }
        if start >= bytes.count { throw DataError.emptyFile(path: source) }

        // Header.
        var header: [String] = []
        var pos = start
        var headerDone = false
        while !headerDone {
            let f = try scanField(bytes, from: pos, row: 1)
            header.append(String(decoding: f.content(bytes), as: UTF8.self))
            pos = f.next
            headerDone = f.terminator != .comma
        }
        for (i, name) in header.enumerated() where name.isEmpty { throw DataError.emptyColumnName(position: i + 1) }
        var seen = Set<String>()
        for name in header { if !seen.insert(name).inserted { throw DataError.duplicateColumnName(name) } }
        for name in kinds.keys where !seen.contains(name) { throw DataError.unknownColumn(name, available: header) }
        let columnKinds = header.map { kinds[$0] ?? defaultKind }

        let chunks = splitIntoChunks(bytes, from: pos)
        // Auto columns are parsed as numbers; only those that turn out to hold text are read again, as text.
        let isAuto = columnKinds.map { $0 == .auto }
        let parsed: [ChunkResult] = parallelMap(count: chunks.count) { c in
            parseChunk(bytes, range: chunks[c], kinds: columnKinds.map { $0 == .auto ? .numeric : $0 }, autoColumns: isAuto)
        }
        let textual = Set(columnKinds.indices.filter { j in isAuto[j] && parsed.contains { !$0.autoIsNumeric[j] } })
        var texts: [[TextColumn]] = []
        if !textual.isEmpty {
            let kinds = columnKinds.indices.map { textual.contains($0) ? ColumnKind.text : .skip }
            texts = parallelMap(count: chunks.count) { c in
                parseChunk(bytes, range: chunks[c], kinds: kinds, autoColumns: [Bool](repeating: false, count: kinds.count)).texts
            }
        }
        // Report the first problem in file order, with its file row number.
        var rowOffset = 2
        for chunk in parsed {
            if let problem = chunk.problem {
                throw problem.error(header: header, firstRow: rowOffset)
            }
            rowOffset += chunk.rows
        }
        let totalRows = parsed.reduce(0) { $0 + $1.rows }
        if totalRows == 0 { throw DataError.noDataRows(path: source) }

        // Numeric columns are assembled chunk by chunk and each chunk's buffer is freed
        // once copied, so the peak is about one copy of the data (not two).
        var parts = parsed
        var numeric: [Int: [Double]] = [:]
        for j in header.indices where columnKinds[j] == .numeric || (columnKinds[j] == .auto && !textual.contains(j)) {
            numeric[j] = []
            numeric[j]!.reserveCapacity(totalRows)
        }
        for c in parts.indices {
            let part = parts[c]
            for j in numeric.keys.sorted() {
                let base = part.slot[j] * part.capacity
                numeric[j]!.append(contentsOf: part.numbers[base..<(base + part.rows)])
            }
            parts[c].numbers = []
        }
        var columns: [(String, Column)] = []
        for (j, name) in header.enumerated() {
            switch columnKinds[j] {
            case .skip: continue
            case .text:
                columns.append((name, .text(concatenate(parts.map { $0.texts[j] }))))
            case .auto where textual.contains(j):
                columns.append((name, .text(concatenate(texts.map { $0[j] }))))
            case .numeric, .auto:
                columns.append((name, .numeric(numeric.removeValue(forKey: j)!)))
            }
        }
        return try Table(columns)
    }

    // MARK: - Chunking

    /// Splits `bytes[from...]` into about `4 x cores` chunks (one for small
    /// inputs) at line ends outside quotes.
    static func splitIntoChunks(_ bytes: [UInt8], from: Int) -> [Range<Int>] {
        let n = bytes.count
        let size = n - from
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let wanted = size < (4 << 20) ? 1 : Swift.min(256, Swift.max(1, cores * 4))
        if wanted == 1 { return [from..<n] }
        var bounds = [from]
        var inQuotes = false
        var target = from + size / wanted
        var i = from
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n")
        while i < n {
            let b = bytes[i]
            if b == quote { inQuotes.toggle() } else if b == newline && !inQuotes && i >= target {
                bounds.append(i + 1)
                target = from + size * bounds.count / wanted
                if bounds.count == wanted { break }
            }
            i += 1
        }
        bounds.append(n)
        var ranges: [Range<Int>] = []
        for k in 0..<(bounds.count - 1) where bounds[k] < bounds[k + 1] { ranges.append(bounds[k]..<bounds[k + 1]) }
        return ranges.isEmpty ? [from..<n] : ranges
    }

    // MARK: - Fields

    enum Terminator { case comma, lineEnd, endOfInput }

    struct Field {
        var start: Int
        var end: Int
        var quoted: Bool
        var hasEscapedQuote: Bool
        var next: Int
        var terminator: Terminator

        func content(_ bytes: [UInt8]) -> [UInt8] {
            if !hasEscapedQuote { return Array(bytes[start..<end]) }
            var out: [UInt8] = []
            var i = start
            while i < end {
                out.append(bytes[i])
                if bytes[i] == UInt8(ascii: "\"") { i += 1 }
                i += 1
            }
            return out
        }
    }

    struct FieldError: Error { let unterminatedQuote: Bool }

    /// Scans one field starting at `p`.
    @inline(__always)
    static func scanField(_ bytes: [UInt8], from p: Int, row: Int, limit: Int? = nil) throws -> Field {
        let n = limit ?? bytes.count
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let space = UInt8(ascii: " ")
        var i = p
        while i < n && bytes[i] == space { i += 1 }
        var field = Field(start: i, end: i, quoted: false, hasEscapedQuote: false, next: i, terminator: .endOfInput)
        if i < n && bytes[i] == quote {
            field.quoted = true
            i += 1
            field.start = i
            while true {
                if i >= n { throw DataError.unterminatedQuote(row: row) }
                if bytes[i] == quote {
                    if i + 1 < n && bytes[i + 1] == quote { field.hasEscapedQuote = true; i += 2; continue }
                    break
                }
                i += 1
            }
            field.end = i
            i += 1
            while i < n && bytes[i] == space { i += 1 }
        } else {
            while i < n {
                let b = bytes[i]
                if b == comma || b == lf || b == cr { break }
                i += 1
            }
            var e = i
            while e > field.start && bytes[e - 1] == space { e -= 1 }
            field.end = e
        }
        if i >= n {
            field.terminator = .endOfInput
            field.next = n
        } else if bytes[i] == comma {
            field.terminator = .comma
            field.next = i + 1
        } else if bytes[i] == cr || bytes[i] == lf {
            field.terminator = .lineEnd
            if bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
            field.next = i + 1
        } else {
            // Text after a closing quote: treat the rest up to the separator as part of a malformed row.
            var j = i
            while j < n && bytes[j] != comma && bytes[j] != lf && bytes[j] != cr { j += 1 }
            field.end = j
            field.quoted = false
            return try scanFieldTail(bytes, field: field, at: j, n: n)
        }
        return field
    }

    static func scanFieldTail(_ bytes: [UInt8], field: Field, at j: Int, n: Int) throws -> Field {
        var f = field
        if j >= n { f.terminator = .endOfInput; f.next = n } else if bytes[j] == UInt8(ascii: ",") {
            f.terminator = .comma; f.next = j + 1
        } else {
            var k = j
            if bytes[k] == UInt8(ascii: "\r") && k + 1 < n && bytes[k + 1] == UInt8(ascii: "\n") { k += 1 }
            f.terminator = .lineEnd; f.next = k + 1
        }
        return f
    }

    @inline(__always)
    static func isMissingToken(_ bytes: [UInt8], _ f: Field) -> Bool {
        let len = f.end - f.start
        if len == 0 { return true }
        if len == 1 { return bytes[f.start] == UInt8(ascii: ".") }
        if len == 2 { return bytes[f.start] == UInt8(ascii: "N") && bytes[f.start + 1] == UInt8(ascii: "A") }
        return false
    }

    // MARK: - Chunk parsing

    struct Problem {
        enum Kind { case nonNumeric, nonFinite, ragged(found: Int), unterminatedQuote }
        let kind: Kind
        let localRow: Int
        let column: Int
        let value: String

        func error(header: [String], firstRow: Int) -> DataError {
            let row = firstRow + localRow
            switch kind {
            case .nonNumeric: return .nonNumeric(column: header[column], row: row, value: value)
            case .nonFinite: return .nonFinite(column: header[column], row: row, value: value)
            case .ragged(let found): return .raggedRow(row: row, expected: header.count, found: found)
            case .unterminatedQuote: return .unterminatedQuote(row: row)
            }
        }
    }

    struct ChunkResult: Sendable {
        var rows = 0
        /// The numeric columns, column-major in one buffer: column `j` (slot `slot[j]`)
        /// holds its rows at `numbers[slot[j] * capacity ..< slot[j] * capacity + rows]`.
        /// One flat buffer written by index: appending to nested arrays cost a
        /// uniqueness check and a retain per value.
        var numbers: [Double]
        var slot: [Int]
        var capacity: Int
        var texts: [TextColumn]
        var autoIsNumeric: [Bool]
        var problem: Problem?
    }

    /// Parses the rows in `range`. A non-numeric value in a numeric column is a
    /// problem, except in `autoColumns`, where it only clears `autoIsNumeric`.
    static func parseChunk(_ bytes: [UInt8], range: Range<Int>, kinds: [ColumnKind], autoColumns: [Bool]) -> ChunkResult {
        let ncol = kinds.count
        // Room for every line of the chunk (an upper bound on its rows): no regrowth, no copies.
        // A line ends in LF, CRLF or a lone CR (the scanner accepts all three).
        var lines = 1
        for i in range {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") || (b == UInt8(ascii: "\r") && (i + 1 == range.upperBound || bytes[i + 1] != UInt8(ascii: "\n"))) {
                lines += 1
            }
        }
        var slot = [Int](repeating: -1, count: ncol)
        var slots = 0
        for j in 0..<ncol where kinds[j] == .numeric { slot[j] = slots; slots += 1 }
        var result = ChunkResult(numbers: [Double](repeating: .nan, count: slots * lines), slot: slot, capacity: lines,
                                 texts: Array(repeating: TextColumn(), count: ncol),
                                 autoIsNumeric: Array(repeating: true, count: ncol), problem: nil)
        var pos = range.lowerBound
        let end = range.upperBound
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var row = 0
        while pos < end {
            // Skip blank lines.
            if bytes[pos] == lf || bytes[pos] == cr { pos += 1; continue }
            var col = 0
            while true {
                let f: Field
                do { f = try scanField(bytes, from: pos, row: row, limit: end) } catch {
                    result.problem = Problem(kind: .unterminatedQuote, localRow: row, column: col, value: "")
                    result.rows = row
                    return result
                }
                if col < ncol {
                    let missing = isMissingToken(bytes, f)
                    switch kinds[col] {
                    case .skip: break
                    case .numeric:
                        // Missing values stay NaN (the buffer starts so).
                        if !missing {
                            switch parseNumber(bytes, f.start, f.end) {
                            case .value(let v): result.numbers[slot[col] * lines + row] = v
                            case .notANumber where autoColumns[col], .nonFinite where autoColumns[col]:
                                result.autoIsNumeric[col] = false
                            case .notANumber:
                                result.problem = Problem(kind: .nonNumeric, localRow: row, column: col,
                                                         value: String(decoding: f.content(bytes), as: UTF8.self))
                                result.rows = row
                                return result
                            case .nonFinite:
                                result.problem = Problem(kind: .nonFinite, localRow: row, column: col,
                                                         value: String(decoding: f.content(bytes), as: UTF8.self))
                                result.rows = row
                                return result
                            }
                        }
                    case .text:
                        appendText(&result.texts[col], bytes, f, missing: missing)
                    case .auto:
                        preconditionFailure("parseChunk: auto columns are parsed as numeric")
                    }
                }
                col += 1
                pos = f.next
                if f.terminator != .comma { break }
            }
            if col != ncol {
                result.problem = Problem(kind: .ragged(found: col), localRow: row, column: 0, value: "")
                result.rows = row
                return result
            }
            row += 1
        }
        result.rows = row
        return result
    }

    @inline(__always)
    static func appendText(_ column: inout TextColumn, _ bytes: [UInt8], _ f: Field, missing: Bool) {
        if missing { column.append(nil); return }
        if f.hasEscapedQuote {
            column.append(String(decoding: f.content(bytes), as: UTF8.self))
        } else {
            column.append(bytes: bytes[f.start..<f.end], missing: false)
        }
    }

    static func concatenate(_ parts: [TextColumn]) -> TextColumn {
        if parts.count == 1 { return parts[0] }
        var out = TextColumn()
        for p in parts { out.append(contentsOf: p) }
        return out
    }
}

/// The whole file as bytes, read straight into the array's storage (one copy
/// of the file in memory; `Data` then `[UInt8](data)` would hold two).
/// - Throws: ``DataError/unreadableFile(path:reason:)``.
func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        throw DataError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var size = 0
    if fseeko(file, 0, SEEK_END) == 0 { size = Int(ftello(file)) }
    rewind(file)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: Swift.max(size, 1)) { buffer, count in
        count = size == 0 ? 0 : fread(buffer.baseAddress, 1, size, file)
        failed = count != size
    }
    if failed { throw DataError.unreadableFile(path: path, reason: "read \(bytes.count) of \(size) bytes") }
    return bytes
}
