import CMalloc
import Foundation
import _DiDKitParallel

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
/// The file is memory-mapped (``MappedFile``, its pages handed back as chunks are
/// parsed) and parsed in place on a `Span` of its bytes: no
/// `String` is made per field. The data rows are split into chunks at line
/// ends outside quotes (``splitIntoChunks(_:from:)``, from the quote parity of
/// equal byte ranges, in parallel); the chunks are parsed in parallel, each
/// narrowing its numeric columns to their narrowest exact form
/// (``NumericColumn``) and writing them, and its text columns, straight into
/// the table's final arrays at its own rows (``NumericSink``, ``TextSink``: in
/// the form and byte room a sample of every chunk suggests; a chunk that needs
/// more keeps a part, and that column is rebuilt). Every column ends in the
/// widest form any chunk needed, which is the whole column's narrowest form:
/// the result does not depend on the sample or the number of cores. Auto columns (numeric unless a value is
/// not a number) are guessed from a sample of every chunk's first rows and
/// read again only if the guess was numeric and a later value is not.
/// Plain decimal fields of up to 15 digits (integers, or with one point and no
/// exponent) are converted in the scan; other numbers with at most 19 significant digits and
/// a decimal exponent within +-22 are converted exactly with one
/// multiplication or division by a power of ten (Clinger's fast path: both
/// operands are exact doubles, so the result is correctly rounded); anything
/// else goes to the C library's `strtod`. Docs/Tables.md has the whole design.
///
/// ## Complexity
/// O(bytes) time: a quote count and a line count (32 bytes at a time) and
/// the parse; memory: the file, the stored columns, one chunk buffer per core.
public enum CSVReader {
    /// Rows per chunk in the sample that guesses the auto columns' kinds.
    static let sampleRows = 100

    /// Reads a CSV file.
    /// - Parameters:
    ///   - kinds: the storage kind by column name; names not in the file are an error.
    ///   - defaultKind: the kind of every other column.
    ///   - storing: when given and every name in it is a column of the file, only these columns are
    ///     stored (the others are skipped: not parsed into values, not held; a wide register read for
    ///     a few columns). When a name is not in the file, every column is stored, as without it, so
    ///     that the caller's own check names the missing column beside the file's full list.
    /// - Throws: ``DataError``.
    public static func read(path: String, kinds: [String: ColumnKind] = [:], defaultKind: ColumnKind = .auto,
                            storing: Set<String>? = nil) throws -> Table {
        if let mapped = try mappedIfRegular(path) {
            return try mapped.withSpan { span in
                try read(span: span, source: path, kinds: kinds, defaultKind: defaultKind, storing: storing,
                         release: { mapped.release($0) })
            }
        }
        let file = try contents(of: path)
        return try read(span: file.span, source: path, kinds: kinds, defaultKind: defaultKind, storing: storing)
    }

    /// The file at `path` mapped, when it is a regular file; `nil` for anything else (a pipe or
    /// a device, which ``contents(of:)`` reads; a missing path or a folder, which it reports).
    static func mappedIfRegular(_ path: String) throws -> MappedFile? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        return try MappedFile(path: path)
    }

    /// The bytes of the file at `path`. A regular file is mapped, not copied:
    /// the parse reads the page cache's own pages (a copy into fresh memory cost
    /// the kernel's zeroing and copying, a fifth of the read). A pipe or device
    /// (`--data /dev/stdin`) cannot be mapped and is read to its end; a folder
    /// is an error that says so, and so is a path that names nothing.
    /// - Throws: ``DataError/fileNotFound(path:)``, ``DataError/unreadableFile(path:reason:)``.
    static func contents(of path: String) throws -> Data {
        // One query of the file system: whether the path names anything, and what.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw DataError.fileNotFound(path: path)
        }
        do {
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular:
                return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            case .typeDirectory:
                throw DataError.unreadableFile(path: path, reason: "it is a folder; give the path of the CSV file in it")
            default:
                break
            }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw DataError.unreadableFile(path: path, reason: "it cannot be opened for reading")
            }
            return try handle.readToEnd() ?? Data()
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// Parses CSV text held in memory (`source` names it in error messages).
    public static func read(bytes: [UInt8], source: String = "<memory>", kinds: [String: ColumnKind] = [:],
                            defaultKind: ColumnKind = .auto) throws -> Table {
        try read(span: bytes.span, source: source, kinds: kinds, defaultKind: defaultKind)
    }

    /// Parses `bytes` split into `chunks` parts whatever their size (the split a large file
    /// gets), for the differential fuzz target and tests: the result must equal an unsplit read.
    /// With `wordRows: false`, every row goes through the field scan (no plain row is read by words):
    /// the result must equal the default read.
    @_spi(Testing)
    public static func read(bytes: [UInt8], source: String = "<memory>", kinds: [String: ColumnKind] = [:],
                            defaultKind: ColumnKind = .auto, splittingInto chunks: Int, wordRows: Bool = true) throws -> Table {
        try read(span: bytes.span, source: source, kinds: kinds, defaultKind: defaultKind, forcedChunks: chunks, wordRows: wordRows)
    }

    /// Parses CSV text in `bytes` (a file's mapping or an array's storage).
    /// `release`, when given, is told each byte range the reader no longer needs (a mapped
    /// file's pages then leave the resident set: ``MappedFile/release(_:)``); touching such a
    /// range again must still give the same bytes.
    /// A ragged row or an unterminated quote is reported with `source` (the file), which the parse below them
    /// does not know.
    static func read(span bytes: Span<UInt8>, source: String, kinds: [String: ColumnKind],
                     defaultKind: ColumnKind, storing: Set<String>? = nil, forcedChunks: Int? = nil,
                     release: (@Sendable (Range<Int>) -> Void)? = nil,
                     wordRows: Bool = true) throws -> Table {
        do {
            return try parseTable(span: bytes, source: source, kinds: kinds, defaultKind: defaultKind, storing: storing,
                                  forcedChunks: forcedChunks, release: release, wordRows: wordRows)
        } catch DataError.raggedRow(_, let row, let expected, let found) {
            throw DataError.raggedRow(path: source, row: row, expected: expected, found: found)
        } catch DataError.unterminatedQuote(_, let row) {
            throw DataError.unterminatedQuote(path: source, row: row)
        }
    }

    private static func parseTable(span bytes: Span<UInt8>, source: String, kinds: [String: ColumnKind],
                                   defaultKind: ColumnKind, storing: Set<String>?, forcedChunks: Int?,
                                   release: (@Sendable (Range<Int>) -> Void)?, wordRows: Bool) throws -> Table {
        var start = 0
        // UTF-16 (a byte-order mark, or NUL bytes in the first line) is not CSV as DiDKit reads it.
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            throw DataError.unsupportedEncoding(path: source, encoding: "UTF-16")
        }
        for i in 0..<Swift.min(bytes.count, 4096) where bytes[i] == 0 { throw DataError.unsupportedEncoding(path: source, encoding: "UTF-16 or binary") }
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
            let f = try scanField(bytes, from: pos, row: 1, limit: bytes.count)
            header.append(f.text(bytes))
            pos = f.next
            headerDone = f.terminator != .comma
        }
        for (i, name) in header.enumerated() where name.isEmpty { throw DataError.emptyColumnName(position: i + 1) }
        var seen = Set<String>()
        for name in header { if !seen.insert(name).inserted { throw DataError.duplicateColumnName(name) } }
        // One header field holding another separator: the file is not comma-separated (refused whether or not the
        // caller names columns: `didkit read` names none and would show one column named 'pnr;year;...').
        if header.count == 1, let d = [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")].first(where: { header[0].contains($0.0) }) {
            throw DataError.wrongDelimiter(path: source, delimiter: d.1)
        }
        for name in kinds.keys.sorted() where !seen.contains(name) { throw DataError.unknownColumn(name, available: header) }
        for (i, name) in header.enumerated() where String(validating: Array(name.utf8), as: UTF8.self) == nil || name.contains("\u{FFFD}") {
            throw DataError.notUTF8(column: "header field \(i + 1)", row: 1)
        }
        var columnKinds = header.map { kinds[$0] ?? defaultKind }
        if let storing, storing.isSubset(of: seen) {
            columnKinds = header.indices.map { storing.contains(header[$0]) ? columnKinds[$0] : .skip }
        }

        // The split finds line ends outside quotes by quote parity, which a stray quote inside
        // an unquoted field (read as a literal character, as in a small file) can invert. A
        // structural problem in a split file is therefore checked by one serial parse, which
        // is what a small file gets: the same rows read the same at any size.
        let split = splitIntoChunks(bytes, from: pos, forcedChunks: forcedChunks)
        // The split read every page (its quote count); they stay mapped for the parse, which
        // hands each chunk's pages back once it is parsed. (Handing all back here and faulting
        // them in again for the parse cost 1.6 s of the 6M register's read.)
        do {
            return try parseBody(bytes, chunks: split, header: header, columnKinds: columnKinds, source: source, release: release,
                                 wordRows: wordRows)
        } catch let e as DataError where split.count > 1 && e.isStructural {
            return try parseBody(bytes, chunks: [pos..<bytes.count], header: header, columnKinds: columnKinds, source: source,
                                 wordRows: wordRows)
        }
    }

    /// The most arrays the chunks write in place per read (one per numeric column, three per text
    /// column: ``NumericSink``, ``TextSink``); other columns are joined from per-chunk parts. The arrays
    /// are opened one inside another (``withUninitializedArrays(_:_:)``), so this bounds that recursion.
    static let maxSinkArrays = 256

    static func parseBody(_ bytes: Span<UInt8>, chunks: [Range<Int>], header: [String], columnKinds: [ColumnKind],
                          source: String, release: (@Sendable (Range<Int>) -> Void)? = nil, wordRows: Bool = true) throws -> Table {
        // Auto columns: a sample (the first rows of every chunk) guesses their kinds, as
        // fread does. One with a non-number in the sample is text and is parsed as text; the
        // others are parsed as numbers, and one that then turns out to hold text anywhere
        // (a "bump") is read again, as text, from every chunk. Either way the result is what
        // a full scan would decide: text as soon as one value is not a number.
        // On a split file the same sample gives every numeric column's storage form so far, the form
        // its sink is opened in (a chunk that needs a wider form keeps a part of its own: see
        // closeSinks), and every text column's bytes per value, which sizes its sink's byte regions.
        let isAuto = columnKinds.map { $0 == .auto }
        let useSinks = chunks.count > 1
        var sampledText = Set<Int>()
        var sampleForms = [NumericColumn.Form](repeating: .int8, count: columnKinds.count)
        var sampleBytes = [Int](repeating: 0, count: columnKinds.count), sampleValues = sampleBytes
        var sampleTexts = [[TextColumn]](repeating: [], count: columnKinds.count)
        if isAuto.contains(true) || (useSinks && columnKinds.contains { $0 != .skip }) {
            let sampleKinds = columnKinds.map { kind -> ColumnKind in
                kind == .auto ? .numeric : (useSinks ? kind : .skip)
            }
            let samples: [ChunkResult] = parallelMap(count: chunks.count) { c in
                parseChunk(bytes, range: chunks[c], kinds: sampleKinds, autoColumns: isAuto, rowLimit: sampleRows, wordRows: wordRows)
            }
            sampledText = Set(columnKinds.indices.filter { j in isAuto[j] && samples.contains { !$0.autoIsNumeric[j] } })
            for sample in samples {
                for j in columnKinds.indices {
                    if let f = sample.numbers[j]?.form { sampleForms[j] = Swift.max(sampleForms[j], f) }
                    sampleBytes[j] += sample.texts[j].bytes.count
                    sampleValues[j] += sample.texts[j].count
                    if sampleKinds[j] == .text { sampleTexts[j].append(sample.texts[j]) }
                }
            }
        }
        let parseKinds = columnKinds.indices.map { j in
            isAuto[j] ? (sampledText.contains(j) ? ColumnKind.text : .numeric) : columnKinds[j]
        }
        // An auto column the sample found to be text (an id read as auto) was sampled as numbers: its
        // bytes per value come from the same rows read again as text.
        if useSinks && !sampledText.isEmpty {
            let textKinds = columnKinds.indices.map { sampledText.contains($0) ? ColumnKind.text : .skip }
            let samples: [[TextColumn]] = parallelMap(count: chunks.count) { c in
                parseChunk(bytes, range: chunks[c], kinds: textKinds, autoColumns: isAuto, rowLimit: sampleRows, wordRows: wordRows).texts
            }
            for sample in samples {
                for j in sampledText {
                    sampleBytes[j] += sample[j].bytes.count
                    sampleValues[j] += sample[j].count
                    sampleTexts[j].append(sample[j])
                }
            }
        }
        // Each chunk's rows start at the rows its predecessors can hold (their bounds, exact for a file
        // without blank lines); the sinks are closed up afterwards where a chunk held fewer.
        let bounds: [Int] = useSinks ? parallelMap(count: chunks.count) { rowBound(bytes, chunks[$0]) } : []
        var rowStarts = [0]
        for b in bounds { rowStarts.append(rowStarts[rowStarts.count - 1] + b) }
        let boundRows = rowStarts[rowStarts.count - 1]
        // A text column whose sample comes in runs of equal values (a register's person id) is stored a value
        // per run, each chunk coding its own rows (``TextColumn/init(runsOf:from:_:)``), instead of in a sink:
        // 0.9 GB less to write and fault in at 54M person-years.
        let runCoded = columnKinds.indices.map { j in useSinks && parseKinds[j] == .text && TextColumn.prefersRuns(sampleTexts[j]) }
        var sinkColumns: [Int] = [], textSinkColumns: [Int] = [], arrays = 0
        for j in columnKinds.indices where useSinks {
            if parseKinds[j] == .numeric && arrays + 1 <= maxSinkArrays { sinkColumns.append(j); arrays += 1 }
            if parseKinds[j] == .text && !runCoded[j] && arrays + 3 <= maxSinkArrays { textSinkColumns.append(j); arrays += 3 }
        }
        let regions = textSinkColumns.map { j in
            TextSink.regionStarts(bounds: bounds, bytesPerValue: sampleValues[j] > 0 ? Double(sampleBytes[j]) / Double(sampleValues[j]) : 16)
        }
        var specs: [(element: SinkElement, capacity: Int)] = sinkColumns.map { j in
            switch sampleForms[j] {
            case .int8: return (.int8, boundRows)
            case .int16: return (.int16, boundRows)
            case .int32: return (.int32, boundRows)
            case .double: return (.double, boundRows)
            }
        }
        for r in regions { specs += [(.bytes, r[r.count - 1]), (.offsets, boundRows + 1), (.flags, boundRows)] }

        var parsed: [ChunkResult] = []
        var texts: [[TextColumn]] = []
        var bumped = Set<Int>()
        var rebuilt: [Int: NumericColumn] = [:]
        var rebuiltBytes: [Int: [UInt8]] = [:]
        let opened = try withUninitializedArrays(specs) { bases in
            let sinkList = sinkColumns.indices.map { s in NumericSink(form: sampleForms[sinkColumns[s]], base: bases[s]) }
            let textSinkList = textSinkColumns.indices.map { t in
                let k = sinkColumns.count + 3 * t
                return TextSink(bytes: bases[k], offsets: bases[k + 1], missing: bases[k + 2], regionStarts: regions[t])
            }
            var numericSinks = [NumericSink?](repeating: nil, count: columnKinds.count)
            var textSinks = [TextSink?](repeating: nil, count: columnKinds.count)
            for (s, j) in sinkColumns.enumerated() { numericSinks[j] = sinkList[s] }
            for (t, j) in textSinkColumns.enumerated() { textSinks[j] = textSinkList[t] }
            let sinkOf = numericSinks, textSinkOf = textSinks, starts = rowStarts
            let progress = ProgressCounter(step: "reading the CSV file", total: chunks.count)
            let scratch = ChunkScratch()
            parsed = parallelMap(count: chunks.count) { c in
                let r = parseChunk(bytes, range: chunks[c], kinds: parseKinds, autoColumns: isAuto, scratch: scratch,
                                   rowBound: useSinks ? bounds[c] : nil, sinks: sinkOf, textSinks: textSinkOf, runCoded: runCoded,
                                   chunk: c, rowStart: starts[c], wordRows: wordRows)
                release?(chunks[c])
                progress.add(1)
                return r
            }
            bumped = Set(columnKinds.indices.filter { j in
                isAuto[j] && parseKinds[j] == .numeric && parsed.contains { !$0.autoIsNumeric[j] }
            })
            if !bumped.isEmpty {
                let kinds = columnKinds.indices.map { bumped.contains($0) ? ColumnKind.text : .skip }
                texts = parallelMap(count: chunks.count) { c in
                    parseChunk(bytes, range: chunks[c], kinds: kinds, autoColumns: [Bool](repeating: false, count: kinds.count),
                               wordRows: wordRows).texts
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
            var counts = closeSinks(sinkColumns, sinkList, rowStarts: rowStarts, parsed: &parsed,
                                    bumped: bumped, rebuilt: &rebuilt)
            var rowsBefore = [0]
            for chunk in parsed { rowsBefore.append(rowsBefore[rowsBefore.count - 1] + chunk.rows) }
            for (t, j) in textSinkColumns.enumerated() {
                let closed = textSinkList[t].close(rows: parsed.map(\.rows), rowStarts: rowStarts, rowsBefore: rowsBefore,
                                                  byteCounts: parsed.map { $0.textBytes[j] }, overflow: parsed.map { $0.textOverflow[j] })
                for c in parsed.indices { parsed[c].textOverflow[j] = nil }
                if let b = closed.bytes { rebuiltBytes[j] = b }
                counts += [closed.bytes == nil ? closed.total : 0, rowsBefore[rowsBefore.count - 1] + 1, rowsBefore[rowsBefore.count - 1]]
            }
            return counts
        }
        let totalRows = parsed.reduce(0) { $0 + $1.rows }
        if totalRows == 0 { throw DataError.noDataRows(path: source) }

        // Each other column is joined from its chunks' parts, the parts copied into place on all
        // cores (the copies into fresh memory are mostly the kernel zeroing pages, which one
        // core does at a few GB/s, and the text column is the largest by far), one column at
        // a time, its parts freed as soon as it is joined, so the peak is the stored columns
        // plus one column's copy.
        let stored = header.indices.filter { columnKinds[$0] != .skip }
        let sinkIndex = Dictionary(uniqueKeysWithValues: sinkColumns.enumerated().map { ($1, $0) })
        let textSinkIndex = Dictionary(uniqueKeysWithValues: textSinkColumns.enumerated().map { ($1, $0) })
        var parts = parsed
        var textParts = texts
        var joined: [Column] = []
        for j in stored {
            if bumped.contains(j) {
                joined.append(.text(TextColumn.concatenating(textParts.map { $0[j] })))
            } else if let t = textSinkIndex[j] {
                let k = sinkColumns.count + 3 * t
                guard case .bytes(let sunkBytes) = opened[k], case .offsets(let offsets) = opened[k + 1],
                      case .flags(let missing) = opened[k + 2] else { preconditionFailure("CSVReader: a text sink opens bytes, offsets and flags") }
                joined.append(.text(TextColumn(unchecked: rebuiltBytes.removeValue(forKey: j) ?? sunkBytes, offsets: offsets, missing: missing)))
            } else if parseKinds[j] == .text {
                joined.append(.text(TextColumn.concatenating(parts.map { $0.texts[j] })))
            } else if let column = rebuilt.removeValue(forKey: j) {
                joined.append(.numeric(column))
            } else if let s = sinkIndex[j] {
                joined.append(.numeric(NumericColumn(opened[s])))
            } else {
                joined.append(.numeric(NumericColumn.concatenating(parts.map { $0.numbers[j]! })))
            }
            for c in parts.indices {
                parts[c].numbers[j] = nil
                parts[c].texts[j] = TextColumn()
            }
            for c in textParts.indices { textParts[c][j] = TextColumn() }
        }
        let columns = zip(stored, joined).map { (header[$0], $1) }
        for (name, column) in columns {
            if case .text(let t) = column, let i = t.firstInvalidUTF8() { throw DataError.notUTF8(column: name, row: i + 2) }
        }
        // Every value is finite: the parse refuses infinities with the row's number.
        let table = try Table(columns, checkingFinite: false)
        releaseFreedMemory()
        return table
    }

    /// The sinks' final lengths, once every chunk is parsed without a problem: a sink every chunk wrote
    /// to keeps all rows, closed up where a chunk held fewer rows than its bound (blank lines); a sink
    /// some chunk could not write to (a value wider than the sample's form) is rebuilt in the widest
    /// form into `rebuilt`, from its own rows and those chunks' parts, and is not kept; a bumped auto
    /// column's sink is not kept either (the column is text).
    private static func closeSinks(_ sinkColumns: [Int], _ sinks: [NumericSink], rowStarts: [Int], parsed: inout [ChunkResult],
                                   bumped: Set<Int>, rebuilt: inout [Int: NumericColumn]) -> [Int] {
        var rowsBefore = [0]
        for chunk in parsed { rowsBefore.append(rowsBefore[rowsBefore.count - 1] + chunk.rows) }
        let total = rowsBefore[rowsBefore.count - 1]
        let closeUp = rowsBefore != rowStarts
        var counts: [Int] = []
        var whole: [Int] = []
        for (s, j) in sinkColumns.enumerated() {
            if bumped.contains(j) {
                counts.append(0)
            } else if parsed.allSatisfy({ $0.numbers[j] == nil }) {   // every chunk wrote its sink
                counts.append(total)
                if closeUp { whole.append(s) }
            } else {
                let sources: [NumericColumn.PartSource] = parsed.indices.map { c in
                    parsed[c].numbers[j].map { .column($0) } ?? .sink(sinks[s], start: rowStarts[c], count: parsed[c].rows)
                }
                let form = parsed.compactMap { $0.numbers[j]?.form }.reduce(sinks[s].form, Swift.max)
                rebuilt[j] = NumericColumn.joining(sources, in: form)
                for c in parsed.indices { parsed[c].numbers[j] = nil }
                counts.append(0)
            }
        }
        // Each chunk's rows move down to where the rows before them end (in chunk order: a destination
        // never overlaps rows not yet moved), one sink per core.
        let rows = parsed.map(\.rows), closing = whole, before = rowsBefore
        _ = parallelMap(count: closing.count) { k in
            for c in rows.indices { sinks[closing[k]].move(from: rowStarts[c], to: before[c], count: rows[c]) }
        }
        return counts
    }
}

/// Hands memory the program freed back to the system (glibc's `malloc_trim`; nothing elsewhere).
/// Many allocations of a few hundred kilobytes (a stage's per-block buffers) are served from glibc's
/// arenas, which keep them when they are freed: after reading the 1.5M register the process held 0.6 GB
/// it no longer used, counted in its resident set through every later stage. The reader calls this when
/// it is done, and the study between its stages, so that the peak is the largest stage, not the sum.
/// Costs a walk over the arenas (milliseconds).
///
/// Not when the process asked glibc to keep freed memory (a `glibc.malloc.trim_threshold` tunable, as
/// the command-line tool sets: `MallocTunables`): every allocation then comes from the heap, where the
/// next stage reuses what this one freed, and trimming would hand it back only for the next stage to
/// fault it in afresh.
public func releaseFreedMemory() {
    #if os(Linux)
    if processKeepsFreedMemory { return }
    _ = malloc_trim(0)
    #endif
}

/// Whether the process started with a `glibc.malloc.trim_threshold` tunable (read once).
private let processKeepsFreedMemory: Bool = {
    #if os(Linux)
    return getenv("GLIBC_TUNABLES").map { String(cString: $0).contains("glibc.malloc.trim_threshold") } ?? false
    #else
    return false
    #endif
}()
