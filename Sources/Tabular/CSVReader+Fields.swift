extension CSVReader {
    enum Terminator { case comma, lineEnd, endOfInput }

    /// One field's place in the input: content `start..<end` (inside the
    /// quotes, spaces around it trimmed), `next` = where the next field or row begins.
    struct Field {
        var start: Int
        var end: Int
        var hasEscapedQuote: Bool
        var next: Int
        var terminator: Terminator

        /// The content with `""` turned into `"`.
        func content(_ bytes: Span<UInt8>) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(end - start)
            var i = start
            while i < end {
                out.append(bytes[i])
                if hasEscapedQuote && bytes[i] == UInt8(ascii: "\"") { i += 1 }
                i += 1
            }
            return out
        }

        func text(_ bytes: Span<UInt8>) -> String { String(decoding: content(bytes), as: UTF8.self) }
    }

    /// Scans one field starting at `p`, reading no further than `limit`.
    /// - Throws: ``DataError/unterminatedQuote(path:row:)`` (with `row` as given; the path is filled in by the reader's
    ///   entry point).
    static func scanField(_ bytes: Span<UInt8>, from p: Int, row: Int, limit n: Int) throws -> Field {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let space = UInt8(ascii: " ")
        var i = p
        while i < n && bytes[i] == space { i += 1 }
        var field = Field(start: i, end: i, hasEscapedQuote: false, next: i, terminator: .endOfInput)
        if i < n && bytes[i] == quote {
            i += 1
            field.start = i
            while true {
                if i >= n { throw DataError.unterminatedQuote(path: "", row: row) }
                if bytes[i] == quote {
                    if i + 1 < n && bytes[i + 1] == quote { field.hasEscapedQuote = true; i += 2; continue }
                    break
                }
                i += 1
            }
            field.end = i
            i += 1
            while i < n && bytes[i] == space { i += 1 }
            if i < n && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr {
                // Text after a closing quote: the rest up to the separator belongs to a malformed field.
                while i < n && bytes[i] != comma && bytes[i] != lf && bytes[i] != cr { i += 1 }
                field.end = i
                field.hasEscapedQuote = false
            }
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
        (field.terminator, field.next) = terminator(bytes, at: i, limit: n)
        return field
    }

    /// The terminator at `i` (a comma, a line end or the end of the input) and where the next field begins.
    @inline(__always)
    static func terminator(_ bytes: Span<UInt8>, at i: Int, limit n: Int) -> (Terminator, Int) {
        if i >= n { return (.endOfInput, n) }
        if bytes[i] == UInt8(ascii: ",") { return (.comma, i + 1) }
        if bytes[i] == UInt8(ascii: "\r") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n") { return (.lineEnd, i + 2) }
        return (.lineEnd, i + 1)
    }

    /// Whether the field is a missing-value token: empty, `.` or `NA`.
    @inline(__always)
    static func isMissingToken(_ bytes: Span<UInt8>, _ f: Field) -> Bool {
        let len = f.end - f.start
        if len == 0 { return true }
        if len == 1 { return bytes[f.start] == UInt8(ascii: ".") }
        if len == 2 { return bytes[f.start] == UInt8(ascii: "N") && bytes[f.start + 1] == UInt8(ascii: "A") }
        return false
    }
}
