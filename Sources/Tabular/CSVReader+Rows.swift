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
        // Unchecked indexing below rests on what ``parseRows`` checked once per chunk (its preconditions):
        // `end <= bytes.count`, `ends`, `low`, `high`, `kinds` and `offset` hold a slot per column, and
        // every numeric (text) column's slots for the chunk's rows lie in `numbers` (`textBounds`).
        // The checks per field were a fifth of the instructions of a register read.
        let ncol = kinds.count
        guard let next = plainFieldEnds(bytes, from: pos, limit: end, columns: ncol, into: &ends) else { return .declined }
        let raw = bytes.bytes
        var start = pos
        for col in 0..<ncol {
            let fieldEnd = ends[unchecked: col]
            switch kinds[unchecked: col] {
            case .skip:
                break
            case .numeric:
                let slot = offset[unchecked: col] &+ row
                let length = fieldEnd &- start
                // One digit (the registers' flags and small counts) or nothing (a missing value), told
                // by the field's length alone. A digit leaves the column's range alone: the range starts
                // at 0...0 and only decides the storage form, which no value in 0...127 can change.
                if length == 1 {
                    let d = bytes[unchecked: start] &- UInt8(ascii: "0")
                    if d <= 9 {
                        numbers[unchecked: slot] = Double(d)
                        break
                    }
                } else if length == 0 {
                    numbers[unchecked: slot] = .nan
                    break
                }
                // The registers' other usual field, a non-negative integer of 2 to 7 digits, written out
                // here: through `wordNumber` alone (its sign test and optional result) the 1.5M study's
                // CPU time rose from 7.8 to 9.0 s.
                if length < 8 && start &+ 8 <= end {
                    let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: start, as: UInt64.self))
                    if leadingDigitCount(w) == length {
                        storeNonNegative(Int64(digitsValue(w, count: length)), column: col, slot: slot,
                                         numbers: &numbers, high: &high)
                        break
                    }
                }
                if let (number, stop) = wordNumber(bytes, from: start, limit: end, powersOfTen: powersOfTen)
                    ?? plainDecimal(bytes, from: start, limit: fieldEnd, powersOfTen: powersOfTen), stop == fieldEnd {
                    store(number, column: col, slot: slot, numbers: &numbers, low: &low, high: &high)
                } else {
                    let f = Field(start: start, end: fieldEnd, hasEscapedQuote: false, next: 0, terminator: .comma)
                    let stored = storeGeneralNumber(bytes, f, column: col, row: row, autoColumns: autoColumns, slot: slot,
                                                    numbers: &numbers, low: &low, result: &result)
                    if !stored { return .failed }
                }
            case .text:
                let k = 2 &* (offset[unchecked: col] &+ row)
                if isMissingToken(bytes, Field(start: start, end: fieldEnd, hasEscapedQuote: false, next: 0, terminator: .comma)) {
                    textBounds[unchecked: k] = -1
                } else {
                    textBounds[unchecked: k] = start
                    textBounds[unchecked: k &+ 1] = fieldEnd
                }
            case .auto:
                preconditionFailure("parseChunk: auto columns are parsed as numeric")
            }
            start = fieldEnd &+ 1
        }
        return .parsed(next: next)
    }

    /// Stores a non-negative in-scan integer at `slot` and raises the column's `high`: the
    /// ``store(_:column:slot:numbers:low:high:)`` `.integer` case for `x >= 0`, whose `low` (which
    /// starts at 0) it could not lower; unchecked, for ``parseWordRow``, whose caller checked the slots.
    @inline(__always)
    static func storeNonNegative(_ x: Int64, column col: Int, slot: Int, numbers: inout MutableSpan<Double>,
                                 high: inout MutableSpan<Int64>) {
        numbers[unchecked: slot] = Double(x)
        if x > high[unchecked: col] { high[unchecked: col] = x }
    }

    /// The ends of the `columns` fields of the row at `pos` (each field's comma, the last one's line
    /// end) into `ends[0..<columns]`, and where the next row begins (after LF, CR or CRLF, as
    /// ``terminator(_:at:limit:)`` has it); `nil` when the row has a quote or a space before its line
    /// end, a number of fields other than `columns`, or no line end in the words that fit before
    /// `limit`. Byte tests as ``skipUnquotedFields(_:from:count:limit:)``'s (exact, a word at a time).
    /// - Precondition: `columns >= 1`, `columns <= ends.count`, `limit <= bytes.count` (checked by ``parseRows``).
    @inline(__always)
    static func plainFieldEnds(_ bytes: Span<UInt8>, from pos: Int, limit end: Int, columns: Int,
                               into ends: inout MutableSpan<Int>) -> Int? {
        let raw = bytes.bytes
        var found = 0
        var i = pos
        while i &+ 8 <= end {
            let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self))
            var commas = bytesEqual(w, UInt8(ascii: ","))
            var stop = UInt64(0), lineEnd = UInt64(0)
            // LF, CR, the quote and the space are all below the comma: most words have none of them.
            if anyByteBelowComma(w) {
                lineEnd = bytesEqual(w, UInt8(ascii: "\n")) | bytesEqual(w, UInt8(ascii: "\r"))
                stop = lineEnd | bytesEqual(w, UInt8(ascii: "\"")) | bytesEqual(w, UInt8(ascii: " "))
                if stop != 0 { commas &= (UInt64(1) << UInt64(stop.trailingZeroBitCount)) &- 1 }
            }
            while commas != 0 {
                if found == columns &- 1 { return nil }
                ends[unchecked: found] = i &+ commas.trailingZeroBitCount / 8
                found &+= 1
                commas &= commas &- 1
            }
            if stop != 0 {
                let first = stop & (~stop &+ 1)
                guard lineEnd & first != 0, found == columns &- 1 else { return nil }
                let at = i &+ first.trailingZeroBitCount / 8
                ends[unchecked: found] = at
                let crlf = bytes[unchecked: at] == UInt8(ascii: "\r") && at &+ 1 < end && bytes[unchecked: at &+ 1] == UInt8(ascii: "\n")
                return crlf ? at &+ 2 : at &+ 1
            }
            i &+= 8
        }
        return nil
    }

    /// `[-]d` with 1 to 7 digits, or `[-]d.f` with up to 7 digits on each side, at `start`, read eight
    /// bytes at a time with no loop per digit (the registers' integers, a one-digit one without a
    /// multiplication; decimals as statistical software writes them), and the index after it; `nil` for
    /// anything else (8 or more digits on a side, "-0", a point without digits after it, a field too close
    /// to `limit` for the loads), which ``plainDecimal(_:from:limit:powersOfTen:)`` or the general parser
    /// takes. Where both take a field they stop at the same index with the same value (integers exactly;
    /// a decimal `v / 10^f`, one correctly rounded division of two exact doubles). The caller checks that
    /// the index ends the field.
    @inline(__always)
    static func wordNumber(_ bytes: Span<UInt8>, from start: Int, limit end: Int, powersOfTen: Span<Double>) -> (PlainNumber, Int)? {
        guard start < end else { return nil }
        let raw = bytes.bytes
        let negative = bytes[start] == UInt8(ascii: "-")
        let i = negative ? start + 1 : start
        guard i + 8 <= end else { return nil }
        let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self))
        let digits = leadingDigitCount(w)
        guard digits < 8 else { return nil }
        let stop = i + digits   // < end: at most 7 digits of a word that ends by `end`
        if bytes[stop] == UInt8(ascii: ".") {
            // With 8 fraction digits the field may run to the end of the input: the byte after them is
            // read by the caller only when it lies inside the second word.
            guard stop + 9 <= end else { return nil }
            let w2 = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: stop + 1, as: UInt64.self))
            let fraction = leadingDigitCount(w2)
            guard fraction > 0 && fraction < 8 else { return nil }
            let whole = digits > 0 ? Int64(digitsValue(w, count: digits)) : 0
            let v = whole * Int64(powersOfTen[fraction]) + Int64(digitsValue(w2, count: fraction))
            let x = Double(v) / powersOfTen[fraction]
            return (.decimal(negative ? -x : x), stop + 1 + fraction)
        }
        guard digits > 0 else { return nil }
        let v = digits == 1 ? Int64(w & 0x0F) : Int64(digitsValue(w, count: digits))
        // "-0" is -0.0, which no integer form holds: the general path decides.
        if negative && v == 0 { return nil }
        return (.integer(negative ? -v : v), stop)
    }

    /// A plain decimal field's value: an integer, a decimal, or missing (an empty field).
    enum PlainNumber {
        case integer(Int64)
        case decimal(Double)
        case missing
    }

    /// The plain decimal at `start` (digits, at most one point, at most 15 digits, no exponent; or
    /// nothing, a missing value) and the index where it stops, or `nil` when the general path must
    /// decide: "." (a missing token), "-." (no digits), "-" alone, and "-0", which is -0.0, a value
    /// no integer form holds. The caller checks that the stop ends the field. Integers are exact; a
    /// decimal is `v / 10^f` with `v < 10^15 < 2^53` and `10^f` exact doubles, one correctly rounded
    /// division: what ``parseNumber(_:_:_:)`` and `strtod` give.
    @inline(__always)
    static func plainDecimal(_ bytes: Span<UInt8>, from start: Int, limit end: Int, powersOfTen: Span<Double>) -> (PlainNumber, Int)? {
        let zero = UInt8(ascii: "0")
        var i = start
        let negative = i < end && bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digitsStart = i
        var v: Int64 = 0
        // Integer digits, then (after a point) fraction digits: two plain loops. One loop
        // that also accepts the point cost 9% more instructions on the integer register.
        while i < end {
            let d = bytes[i] &- zero
            if d > 9 { break }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        var digits = i - digitsStart
        var fraction = 0, point = false
        if i < end && bytes[i] == UInt8(ascii: ".") {
            point = true
            i += 1
            let fractionStart = i
            while i < end {
                let d = bytes[i] &- zero
                if d > 9 { break }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            fraction = i - fractionStart
            digits += fraction
        }
        guard digits <= 15 && (point ? digits > 0 : (digits > 0 ? !(negative && v == 0) : !negative)) else { return nil }
        if point {
            let x = Double(v) / powersOfTen[fraction]
            return (.decimal(negative ? -x : x), i)
        }
        return (digits > 0 ? .integer(negative ? -v : v) : .missing, i)
    }

    /// Stores a plain number at `slot`: an integer widens the column's in-scan range, a decimal sets
    /// `low` to `Int64.min` (the column is narrowed by a scan of its values), a missing value is NaN.
    @inline(__always)
    static func store(_ number: PlainNumber, column col: Int, slot: Int, numbers: inout MutableSpan<Double>,
                      low: inout MutableSpan<Int64>, high: inout MutableSpan<Int64>) {
        switch number {
        case .integer(let x):
            numbers[slot] = Double(x)
            if x < low[col] { low[col] = x }
            if x > high[col] { high[col] = x }
        case .decimal(let x):
            numbers[slot] = x
            low[col] = .min
        case .missing:
            numbers[slot] = .nan
        }
    }

    /// Stores a numeric field that is not plain: a missing token is NaN; a number from the general
    /// parser sets `low` to `Int64.min`; a non-number is a problem (`false`), except in an auto column,
    /// where it clears `autoIsNumeric` (the column is read again as text; its numbers are never used).
    static func storeGeneralNumber(_ bytes: Span<UInt8>, _ f: Field, column col: Int, row: Int, autoColumns: Span<Bool>,
                                   slot: Int, numbers: inout MutableSpan<Double>, low: inout MutableSpan<Int64>,
                                   result: inout ChunkResult) -> Bool {
        // A missing value is NaN, written (the buffer may hold another chunk's values).
        if isMissingToken(bytes, f) {
            numbers[slot] = .nan
            return true
        }
        switch parseNumber(bytes, f.start, f.end) {
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
