extension CSVReader {
    /// What ``parseWordRow(_:from:limit:row:kinds:autoColumns:slotOffset:ends:numbers:textBounds:low:high:powersOfTen:result:)``
    /// made of a row.
    enum RowOutcome {
        /// The row is not plain (a quote or a space before its line end, another number of fields, or its
        /// line end too close to the end of the range): nothing was written; the field scan reads it.
        case declined
        /// The row is stored; the next row begins at `next`.
        case parsed(next: Int)
        /// A value is not a number; the problem is in `result.problem`.
        case failed
    }

    /// Reads a plain row (no quote and no space before its line end, as register rows are) in two
    /// steps: its separators first, then its fields, each from its known bounds.
    ///
    /// The field scan finds where a field ends by parsing it, so every field's start waits for the
    /// previous field's digits to be counted: a chain of about 18 cycles per field. Here the commas and
    /// the line end are found eight bytes at a time, independently of the values
    /// (``plainFieldEnds(_:from:limit:columns:into:)``), and the fields are then converted from their
    /// bounds, independently of each other, which the processor overlaps. The values, their storage
    /// and every problem are those of the field scan (``parseRows``), which reads every row this
    /// declines; a differential test and the CSV fuzz target read with and without this path.
    /// - Complexity: O(row bytes).
    @inline(__always)
    static func parseWordRow(_ bytes: Span<UInt8>, from pos: Int, limit end: Int, row: Int, kinds: Span<ColumnKind>,
                             autoColumns: Span<Bool>, slotOffset offset: Span<Int>, ends: inout MutableSpan<Int>,
                             numbers: inout MutableSpan<Double>, textBounds: inout MutableSpan<Int>,
                             low: inout MutableSpan<Int64>, high: inout MutableSpan<Int64>,
                             powersOfTen: Span<Double>, result: inout ChunkResult) -> RowOutcome {
        let ncol = kinds.count
        guard let next = plainFieldEnds(bytes, from: pos, limit: end, columns: ncol, into: &ends) else { return .declined }
        let raw = bytes.bytes
        var start = pos
        for col in 0..<ncol {
            let fieldEnd = ends[col]
            switch kinds[col] {
            case .skip:
                break
            case .numeric:
                // The registers' usual field, a plain integer of 1 to 7 digits, without a call.
                let fieldStart = start
                if fieldStart + 8 <= end {
                    let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: fieldStart, as: UInt64.self))
                    let digits = leadingDigitCount(w)
                    if digits > 0 && digits < 8 && fieldStart + digits == fieldEnd {
                        // One digit (most of a register's fields: flags, counts, codes) needs no multiplication.
                        let x = digits == 1 ? Int64(w & 0x0F) : Int64(digitsValue(w, count: digits))
                        numbers[offset[col] + row] = Double(x)
                        if x < low[col] { low[col] = x }
                        if x > high[col] { high[col] = x }
                        break
                    }
                }
                let stored = storeNumber(bytes, start, fieldEnd, limit: end, column: col, row: row, autoColumns: autoColumns,
                                         slot: offset[col] + row, numbers: &numbers, low: &low, high: &high,
                                         powersOfTen: powersOfTen, result: &result)
                if !stored { return .failed }
            case .text:
                let k = 2 * (offset[col] + row)
                if isMissingToken(bytes, Field(start: start, end: fieldEnd, hasEscapedQuote: false, next: 0, terminator: .comma)) {
                    textBounds[k] = -1
                } else {
                    textBounds[k] = start
                    textBounds[k + 1] = fieldEnd
                }
            case .auto:
                preconditionFailure("parseChunk: auto columns are parsed as numeric")
            }
            start = fieldEnd + 1
        }
        return .parsed(next: next)
    }

    /// The ends of the `columns` fields of the row at `pos` (each field's comma, the last one's line
    /// end) into `ends[0..<columns]`, and where the next row begins (after LF, CR or CRLF, as
    /// ``terminator(_:at:limit:)`` has it); `nil` when the row has a quote or a space before its line
    /// end, a number of fields other than `columns`, or no line end in the words that fit before
    /// `limit`. Byte tests as ``skipUnquotedFields(_:from:count:limit:)``'s (exact, a word at a time).
    /// - Precondition: `columns >= 1`.
    @inline(__always)
    static func plainFieldEnds(_ bytes: Span<UInt8>, from pos: Int, limit end: Int, columns: Int,
                               into ends: inout MutableSpan<Int>) -> Int? {
        let raw = bytes.bytes
        var found = 0
        var i = pos
        while i + 8 <= end {
            let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self))
            var commas = bytesEqual(w, UInt8(ascii: ","))
            var stop = UInt64(0), lineEnd = UInt64(0)
            // LF, CR, the quote and the space are all below the comma: most words have none of them.
            if anyByteBelowComma(w) {
                lineEnd = bytesEqual(w, UInt8(ascii: "\n")) | bytesEqual(w, UInt8(ascii: "\r"))
                stop = lineEnd | bytesEqual(w, UInt8(ascii: "\"")) | bytesEqual(w, UInt8(ascii: " "))
                if stop != 0 { commas &= (UInt64(1) << UInt64(stop.trailingZeroBitCount)) &- 1 }
            }
            while commas != 0 {
                if found == columns - 1 { return nil }
                ends[found] = i + commas.trailingZeroBitCount / 8
                found += 1
                commas &= commas &- 1
            }
            if stop != 0 {
                let first = stop & (~stop &+ 1)
                guard lineEnd & first != 0, found == columns - 1 else { return nil }
                let at = i + first.trailingZeroBitCount / 8
                ends[found] = at
                let crlf = bytes[at] == UInt8(ascii: "\r") && at + 1 < end && bytes[at + 1] == UInt8(ascii: "\n")
                return crlf ? at + 2 : at + 1
            }
            i += 8
        }
        return nil
    }

    /// Stores the number in `bytes[start..<fieldEnd]` (a plain field: no quote, no space) at `slot`,
    /// exactly as the field scan stores it: an in-scan integer widens `low...high`, a decimal or a
    /// value from the general parser sets `low` to `Int64.min`, a missing token is NaN, and a
    /// non-number is a problem (or, in an auto column, clears its `autoIsNumeric`). Returns `false`
    /// on a problem.
    @inline(__always)
    static func storeNumber(_ bytes: Span<UInt8>, _ start: Int, _ fieldEnd: Int, limit end: Int, column col: Int, row: Int,
                            autoColumns: Span<Bool>, slot: Int, numbers: inout MutableSpan<Double>,
                            low: inout MutableSpan<Int64>, high: inout MutableSpan<Int64>, powersOfTen: Span<Double>,
                            result: inout ChunkResult) -> Bool {
        let raw = bytes.bytes
        let negative = start < fieldEnd && bytes[start] == UInt8(ascii: "-")
        let i = negative ? start + 1 : start
        // `[-]d` with 1 to 7 digits, or `[-]d.f` with up to 7 digits on each side, read by words.
        if i + 8 <= end {
            let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self))
            let digits = leadingDigitCount(w)
            if digits > 0 && digits < 8 && i + digits == fieldEnd {
                let v = Int64(digitsValue(w, count: digits))
                // "-0" is -0.0, which no integer form holds: the general path decides.
                if !(negative && v == 0) {
                    let x = negative ? -v : v
                    numbers[slot] = Double(x)
                    if x < low[col] { low[col] = x }
                    if x > high[col] { high[col] = x }
                    return true
                }
            } else if digits < 8 && i + digits < fieldEnd && bytes[i + digits] == UInt8(ascii: ".") && i + digits + 9 <= end {
                let w2 = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: i + digits + 1, as: UInt64.self))
                let fraction = leadingDigitCount(w2)
                if fraction > 0 && fraction < 8 && i + digits + 1 + fraction == fieldEnd {
                    let whole = digits > 0 ? Int64(digitsValue(w, count: digits)) : 0
                    let scale = powersOfTen[fraction]
                    let v = whole * Int64(scale) + Int64(digitsValue(w2, count: fraction))
                    let x = Double(v) / scale
                    numbers[slot] = negative ? -x : x
                    low[col] = .min
                    return true
                }
            }
        }
        return storeOtherNumber(bytes, start, fieldEnd, column: col, row: row, autoColumns: autoColumns, slot: slot,
                                numbers: &numbers, low: &low, high: &high, powersOfTen: powersOfTen, result: &result)
    }

    /// ``storeNumber(_:_:_:limit:column:row:autoColumns:slot:numbers:low:high:powersOfTen:result:)`` for the fields
    /// its word reads do not take: the field scan's plain-decimal loop (up to 15 digits), then the
    /// missing tokens, then the general parser.
    static func storeOtherNumber(_ bytes: Span<UInt8>, _ start: Int, _ fieldEnd: Int, column col: Int, row: Int,
                                 autoColumns: Span<Bool>, slot: Int, numbers: inout MutableSpan<Double>,
                                 low: inout MutableSpan<Int64>, high: inout MutableSpan<Int64>, powersOfTen: Span<Double>,
                                 result: inout ChunkResult) -> Bool {
        let zero = UInt8(ascii: "0")
        var i = start
        let negative = i < fieldEnd && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digitsStart = i
        var v: Int64 = 0
        while i < fieldEnd {
            let d = bytes[i] &- zero
            if d > 9 { break }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        var digits = i - digitsStart
        var fraction = 0, point = false
        if i < fieldEnd && bytes[i] == UInt8(ascii: ".") {
            point = true
            i += 1
            let fractionStart = i
            while i < fieldEnd {
                let d = bytes[i] &- zero
                if d > 9 { break }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            fraction = i - fractionStart
            digits += fraction
        }
        if digits <= 15 && i == fieldEnd && (point ? digits > 0 : (digits > 0 ? !(negative && v == 0) : !negative)) {
            if point {
                let x = Double(v) / powersOfTen[fraction]
                numbers[slot] = negative ? -x : x
                low[col] = .min
            } else if digits > 0 {
                let x = negative ? -v : v
                numbers[slot] = Double(x)
                if x < low[col] { low[col] = x }
                if x > high[col] { high[col] = x }
            } else {
                numbers[slot] = .nan  // an empty field: missing
            }
            return true
        }
        let f = Field(start: start, end: fieldEnd, hasEscapedQuote: false, next: 0, terminator: .comma)
        if isMissingToken(bytes, f) {
            numbers[slot] = .nan
            return true
        }
        switch parseNumber(bytes, start, fieldEnd) {
        case .value(let x):
            numbers[slot] = x
            low[col] = .min
        case .notANumber where autoColumns[col], .nonFinite where autoColumns[col]:
            numbers[slot] = .nan
            result.autoIsNumeric[col] = false
        case .notANumber:
            result.problem = Problem(kind: .nonNumeric, localRow: row, column: col, value: f.text(bytes))
            return false
        case .nonFinite:
            result.problem = Problem(kind: .nonFinite, localRow: row, column: col, value: f.text(bytes))
            return false
        }
        return true
    }
}
