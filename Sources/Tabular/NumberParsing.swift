#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of parsing a numeric field.
enum ParsedNumber: Equatable {
    case value(Double)
    case notANumber
    /// `nan`, `inf`, `infinity` (any case) or a value that overflows to infinity.
    case nonFinite
}

/// Exact powers of ten representable as doubles (10^0 ... 10^22).
let exactPowersOfTen: [Double] = (0...22).map { k in
    var v = 1.0
    for _ in 0..<k { v *= 10 }
    return v
}

/// Parses `bytes[start..<end]` as a decimal number: `[+-]digits[.digits][(e|E)[+-]digits]`
/// (also `.5` and `5.`). See ``CSVReader`` for the exactness argument.
func parseNumber(_ bytes: Span<UInt8>, _ start: Int, _ end: Int) -> ParsedNumber {
    var i = start
    var negative = false
    if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
        negative = bytes[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa: UInt64 = 0
    var significant = 0
    var exponent = 0
    var sawDigit = false
    var truncated = false
    let zero = UInt8(ascii: "0")
    // Integer then fractional digits: up to 19 significant ones go into the
    // mantissa (a fractional digit also lowers the exponent); beyond that an
    // integer digit raises the exponent and any non-zero digit marks the value inexact.
    var fractional = false
    while i < end {
        let d = bytes[i] &- zero
        if d > 9 {
            if !fractional && bytes[i] == UInt8(ascii: ".") { fractional = true; i += 1; continue }
            break
        }
        sawDigit = true
        if significant < 19 {
            mantissa = mantissa * 10 + UInt64(d)
            if mantissa > 0 { significant += 1 }
            if fractional { exponent -= 1 }
        } else {
            if !fractional { exponent += 1 }
            if d != 0 { truncated = true }
        }
        i += 1
    }
    if !sawDigit { return nonFiniteWord(bytes, start, end) ? .nonFinite : .notANumber }
    if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
        i += 1
        var expNegative = false
        if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
            expNegative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var e = 0
        var sawExpDigit = false
        while i < end {
            let d = bytes[i] &- zero
            if d > 9 { break }
            sawExpDigit = true
            if e < 100_000 { e = e * 10 + Int(d) }
            i += 1
        }
        if !sawExpDigit { return .notANumber }
        exponent += expNegative ? -e : e
    }
    if i != end { return .notANumber }
    if mantissa == 0 { return .value(negative ? -0.0 : 0.0) }
    if !truncated && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
        let m = Double(mantissa)
        let v = exponent >= 0 ? m * exactPowersOfTen[exponent] : m / exactPowersOfTen[-exponent]
        return .value(negative ? -v : v)
    }
    // Slow path: the C library's correctly rounded strtod.
    var buffer = [CChar](repeating: 0, count: end - start + 1)
    for k in start..<end { buffer[k - start] = CChar(bitPattern: bytes[k]) }
    let v = strtod(buffer, nil)
    if !v.isFinite { return .nonFinite }
    return .value(v)
}

/// Whether the field spells nan / inf / infinity (with an optional sign), any case.
private func nonFiniteWord(_ bytes: Span<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var s = start
    if s < end && (bytes[s] == UInt8(ascii: "-") || bytes[s] == UInt8(ascii: "+")) { s += 1 }
    var word: [UInt8] = []
    for k in s..<end { word.append(bytes[k]) }
    let w = String(decoding: word, as: UTF8.self).lowercased()
    return w == "nan" || w == "inf" || w == "infinity"
}
