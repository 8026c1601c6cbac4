extension CSVReader {
    /// A problem found in a chunk, reported in file order once every chunk is parsed.
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
            case .ragged(let found): return .raggedRow(path: "", row: row, expected: header.count, found: found)
            case .unterminatedQuote: return .unterminatedQuote(path: "", row: row)
            }
        }
    }

    /// The pools a read's chunks take their buffers from (``parseChunk(_:range:kinds:autoColumns:rowLimit:scratch:)``).
    struct ChunkScratch: Sendable {
        let numbers = ScratchPool<Double>()
        let bounds = ScratchPool<Int>()
    }

    struct ChunkResult: Sendable {
        var rows = 0
        /// The chunk's numeric columns (`nil` for the others, and for one the chunk wrote into its sink),
        /// each already in its narrowest exact form (``NumericColumn/init(compacting:)``).
        var numbers: [NumericColumn?]
        var texts: [TextColumn]
        /// A text column written to its sink: the chunk's byte count, and its bytes when they did not fit its region.
        var textBytes: [Int]
        var textOverflow: [[UInt8]?]
        var autoIsNumeric: [Bool]
        var problem: Problem?
    }

    /// Parses the rows in `range`. A non-numeric value in a numeric column is a
    /// problem, except in `autoColumns`, where it only clears `autoIsNumeric`.
    ///
    /// Numbers go into one flat column-major `Double` buffer sized by the
    /// chunk's line count (written by index: appending to nested arrays cost a
    /// uniqueness check and a retain per value), which is narrowed column by
    /// column when the chunk is done and then freed. A field that starts with
    /// a digit, `-` or `.`, has at most 15 digits, at most one point and no
    /// exponent, and ends at a separator is converted in the same scan (the
    /// register's usual fields: integers exactly; decimals by one correctly
    /// rounded division of two exact doubles, Clinger's fast path, so both
    /// equal what ``parseNumber(_:_:_:)`` gives); anything else
    /// goes through ``scanField(_:from:row:limit:)`` and ``parseNumber(_:_:_:)``.
    /// The scan keeps each numeric column's integer range, so a column that
    /// took only that path is narrowed from its range, without a pass to find
    /// its width. With `rowLimit`, at most that many rows are parsed (the
    /// sample that guesses the auto columns' kinds).
    ///
    /// With `scratch`, the chunk's `Double` and bounds buffers come from it and go back to it when the
    /// chunk is done (their stale contents are never read: every numeric and text slot of a parsed row is
    /// written, a missing number as NaN); without, they are fresh.
    ///
    /// With `sinks` (by column; `nil` for a column without one), a numeric column whose values fit its
    /// sink's form is written there at rows `rowStart...` instead of into a part of its own
    /// (`numbers[j]` stays `nil`), and a text column with a sink is written there (``TextSink/write(chunk:rows:rowStart:from:_:)``,
    /// chunk number `chunk`), and a text column without one that `runCoded` marks is stored a value per run
    /// (``TextColumn/init(runsOf:from:_:)``); `rowBound` (``rowBound(_:_:)``, when the caller has it) sizes the buffers.
    static func parseChunk(_ bytes: Span<UInt8>, range: Range<Int>, kinds: [ColumnKind], autoColumns: [Bool],
                           rowLimit: Int? = nil, scratch: ChunkScratch? = nil, rowBound: Int? = nil,
                           sinks: [NumericSink?] = [], textSinks: [TextSink?] = [], runCoded: [Bool] = [], chunk: Int = 0,
                           rowStart: Int = 0, wordRows: Bool = true) -> ChunkResult {
        let ncol = kinds.count
        let lines = rowLimit ?? rowBound ?? CSVReader.rowBound(bytes, range)
        // Each numeric or text column gets `lines` slots in its buffer.
        var slot = [Int](repeating: -1, count: ncol)
        var numericSlots = 0, textSlots = 0
        for j in 0..<ncol {
            if kinds[j] == .numeric { slot[j] = numericSlots * lines; numericSlots += 1 }
            if kinds[j] == .text { slot[j] = textSlots * lines; textSlots += 1 }
        }
        var numbers = scratch?.numbers.take(count: numericSlots * lines) ?? [Double](repeating: .nan, count: numericSlots * lines)
        var textBounds = scratch?.bounds.take(count: 2 * textSlots * lines) ?? [Int](repeating: 0, count: 2 * textSlots * lines)
        var result = ChunkResult(numbers: Array(repeating: nil, count: ncol),
                                 texts: Array(repeating: TextColumn(), count: ncol),
                                 textBytes: Array(repeating: 0, count: ncol), textOverflow: Array(repeating: nil, count: ncol),
                                 autoIsNumeric: Array(repeating: true, count: ncol), problem: nil)
        var numberSpan = numbers.mutableSpan
        var boundSpan = textBounds.mutableSpan
        var escapedTexts: [Int64: String] = [:]
        // Per numeric column: a range holding 0 and the in-scan integers, which decides the storage form
        // (the word path leaves out single digits: with 0 in the range they cannot change the form);
        // `low` is `Int64.min` once a value is not such an integer (a decimal, or one from the general
        // parser), which no in-scan integer (at most 15 digits) lowers.
        var low = [Int64](repeating: 0, count: ncol), high = low
        var lowSpan = low.mutableSpan, highSpan = high.mutableSpan
        let rows = parseRows(bytes, range: range, rowLimit: lines, kinds: kinds, autoColumns: autoColumns, slotOffset: slot,
                             numbers: &numberSpan, textBounds: &boundSpan, escapedTexts: &escapedTexts,
                             low: &lowSpan, high: &highSpan, wordRows: wordRows, result: &result)
        result.rows = rows
        for j in 0..<ncol where kinds[j] == .numeric {
            let values = numbers[slot[j]..<(slot[j] + rows)]
            let form = low[j] == .min ? NumericColumn.width(of: values) : NumericColumn.form(low: low[j], high: high[j])
            if j < sinks.count, let sink = sinks[j], form <= sink.form {
                sink.write(values, at: rowStart)
            } else {
                result.numbers[j] = NumericColumn(values, in: form)
            }
        }
        for j in 0..<ncol where kinds[j] == .text {
            let piece = { (r: Int) -> TextColumn.Piece in
                let k = 2 * (slot[j] + r)
                switch textBounds[k] {
                case -1: return .missing
                case -2: return .text(escapedTexts[Int64(j) << 32 | Int64(r)]!)
                default: return .bytes(textBounds[k]..<textBounds[k + 1])
                }
            }
            if j < textSinks.count, let sink = textSinks[j] {
                (result.textBytes[j], result.textOverflow[j]) = sink.write(chunk: chunk, rows: rows, rowStart: rowStart, from: bytes, piece)
            } else if j < runCoded.count && runCoded[j] {
                result.texts[j] = TextColumn(runsOf: rows, from: bytes, piece)
            } else {
                var text = TextColumn()
                text.append(count: rows, from: bytes, piece)
                result.texts[j] = text
            }
        }
        scratch?.numbers.give(numbers)
        scratch?.bounds.give(textBounds)
        return result
    }

    /// An upper bound on the rows in `range`, exact when it has no blank lines: its line ends (LF, CR,
    /// or CRLF as one), plus one when it does not end with one. O(bytes), 32 bytes at a time (and a byte loop
    /// when the range has a CR, to count CRLF once).
    static func rowBound(_ bytes: Span<UInt8>, _ range: Range<Int>) -> Int {
        if range.isEmpty { return 0 }
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let part = bytes.extracting(range)
        let counts = countBytes(part, equalTo: lf, and: cr)
        var ends = counts.a
        if counts.b > 0 {
            ends = 0
            for i in 0..<part.count where part[i] == lf || (part[i] == cr && (i + 1 == part.count || part[i + 1] != lf)) { ends += 1 }
        }
        let last = part[part.count - 1]
        return ends + (last == lf || last == cr ? 0 : 1)
    }

    /// The row loop of ``parseChunk(_:range:kinds:autoColumns:)``: numeric
    /// column `j`'s value in row `r` goes to `numbers[slotOffset[j] + r]`; a
    /// text column's value's bounds go to `textBounds[2 * (slotOffset[j] + r)]`
    /// and the slot after it (start -1: missing; -2: it has escaped quotes and
    /// its text is in `escapedTexts` under `j << 32 | r`, rare). An in-scan
    /// integer widens `low[j]...high[j]`; a decimal or a value from the general
    /// parser sets `low[j]` to `Int64.min`. Returns the rows parsed (up to the first problem, which
    /// is stored in `result`, or `rowLimit`). With `wordRows`, a plain row is read by
    /// ``parseWordRow(_:from:limit:row:kinds:autoColumns:slotOffset:ends:numbers:textBounds:low:high:powersOfTen:result:)``
    /// (the same values; off only to test that path against this one).
    private static func parseRows(_ bytes: Span<UInt8>, range: Range<Int>, rowLimit: Int, kinds: [ColumnKind], autoColumns: [Bool],
                                  slotOffset: [Int], numbers: inout MutableSpan<Double>, textBounds: inout MutableSpan<Int>,
                                  escapedTexts: inout [Int64: String], low: inout MutableSpan<Int64>,
                                  high: inout MutableSpan<Int64>, wordRows: Bool, result: inout ChunkResult) -> Int {
        let kindOf = kinds.span, offset = slotOffset.span
        let ncol = kinds.count
        // skipRuns[j]: the columns from j on that are skipped, up to the next stored one.
        var skipRunsArray = [Int](repeating: 0, count: ncol)
        for j in stride(from: ncol - 1, through: 0, by: -1) where kinds[j] == .skip {
            skipRunsArray[j] = 1 + (j + 1 < ncol ? skipRunsArray[j + 1] : 0)
        }
        let skipRuns = skipRunsArray.span
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"), comma = UInt8(ascii: ",")
        let tenPowers = exactPowersOfTen  // a local copy: a span of the global would outlive its access
        let powersOfTen = tenPowers.span
        let autoSpan = autoColumns.span
        var endsArray = [Int](repeating: 0, count: ncol)
        var ends = endsArray.mutableSpan
        var pos = range.lowerBound
        let end = range.upperBound
        // What the unchecked indexing of `parseWordRow` rests on, checked once per chunk: every slot a row
        // below `rowLimit` can write lies in its buffer.
        precondition(end <= bytes.count && ends.count == ncol && low.count == ncol && high.count == ncol && offset.count == ncol)
        for j in 0..<ncol where kinds[j] == .numeric || kinds[j] == .text {
            let slots = kinds[j] == .numeric ? numbers.count : textBounds.count / 2
            precondition(offset[j] >= 0 && offset[j] <= slots - rowLimit, "parseRows: a column's slots lie outside its buffer")
        }
        var row = 0
        while pos < end && row < rowLimit {
            // Skip blank lines.
            if bytes[pos] == lf || bytes[pos] == cr { pos += 1; continue }
            if wordRows && ncol > 0 {
                switch parseWordRow(bytes, from: pos, limit: end, row: row, kinds: kindOf, autoColumns: autoSpan, slotOffset: offset,
                                    ends: &ends, numbers: &numbers, textBounds: &textBounds, low: &low, high: &high,
                                    powersOfTen: powersOfTen, result: &result) {
                case .parsed(let next):
                    pos = next
                    row += 1
                    continue
                case .failed:
                    return row
                case .declined:
                    break
                }
            }
            var col = 0
            fields: while true {
                let kind = col < ncol ? kindOf[col] : .skip
                // A number read by words, or a plain decimal (at most 15 digits, no exponent) or an empty
                // (missing) field, ended by a separator.
                if kind == .numeric, let (number, stop) = wordNumber(bytes, from: pos, limit: end, powersOfTen: powersOfTen)
                    ?? plainDecimal(bytes, from: pos, limit: end, powersOfTen: powersOfTen),
                   stop == end || bytes[stop] == comma || bytes[stop] == lf || bytes[stop] == cr {
                    store(number, column: col, slot: offset[col] + row, numbers: &numbers, low: &low, high: &high)
                    col += 1
                    let (t, next) = terminator(bytes, at: stop, limit: end)
                    pos = next
                    if t == .comma { continue fields }
                    break fields
                }
                if kind == .skip && col < ncol, let skipped = skipUnquotedFields(bytes, from: pos, count: skipRuns[col], limit: end) {
                    col += skipped.ended
                    pos = skipped.next
                    if skipped.terminator == .comma { continue fields }
                    break fields
                }
                let f: Field
                do { f = try scanField(bytes, from: pos, row: row, limit: end) } catch {
                    result.problem = Problem(kind: .unterminatedQuote, localRow: row, column: col, value: "")
                    return row
                }
                if col < ncol {
                    let missing = isMissingToken(bytes, f)
                    switch kind {
                    case .skip: break
                    case .numeric:
                        let stored = storeGeneralNumber(bytes, f, column: col, row: row, autoColumns: autoSpan, slot: offset[col] + row,
                                                        numbers: &numbers, low: &low, result: &result)
                        if !stored { return row }
                    case .text:
                        // Only where the value is: the column is built once the chunk is parsed.
                        let k = 2 * (offset[col] + row)
                        if missing {
                            textBounds[k] = -1
                        } else if f.hasEscapedQuote {
                            textBounds[k] = -2
                            escapedTexts[Int64(col) << 32 | Int64(row)] = f.text(bytes)
                        } else {
                            textBounds[k] = f.start
                            textBounds[k + 1] = f.end
                        }
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
                return row
            }
            row += 1
        }
        return row
    }
}
