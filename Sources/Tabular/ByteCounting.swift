/// The numbers of bytes of `bytes` equal to `a` and to `b`, counted in one pass, 32 bytes at a time.
///
/// The CSV reader counts line ends (to size a chunk's buffers) and quotes (to
/// split a file at line ends outside quotes) over the whole file; a byte loop
/// ran at about 1 byte per cycle, an 8-byte SWAR word test at about 4
/// instructions per byte (a fifth of the read of a decimal file). Here each
/// 32-byte block is compared as a `SIMD32<UInt8>`: `.==` lowers to
/// `pcmpeqb`, and a true lane of the mask is all ones (-1), so
/// subtracting the mask's bits adds one per match to a bytewise counter, one
/// per needle (`psubb`; at most 255 blocks, so no counter overflows). Only these
/// operations: the standard library's generic `^`, `&`, `pointwiseMin` and
/// `replacing(with:where:)` compile to a loop over the 32 lanes (checked in
/// the assembly; a 20x slower count). `RawSpan.unsafeLoadUnaligned` is a
/// bounds-checked load of a plain vector of bytes (every bit pattern is
/// valid), not a pointer.
func countBytes(_ bytes: Span<UInt8>, equalTo a: UInt8, and b: UInt8) -> (a: Int, b: Int) {
    typealias Block = SIMD32<UInt8>
    let raw = bytes.bytes
    let n = bytes.count
    let needleA = Block(repeating: a), needleB = Block(repeating: b)
    var countA = 0, countB = 0
    var i = 0
    while i + Block.scalarCount <= n {
        var sumsA = Block(repeating: 0), sumsB = Block(repeating: 0)
        var blocks = 0
        while blocks < 255 && i + Block.scalarCount <= n {
            let w = raw.unsafeLoadUnaligned(fromByteOffset: i, as: Block.self)
            sumsA &-= unsafeBitCast(w .== needleA, to: Block.self)
            sumsB &-= unsafeBitCast(w .== needleB, to: Block.self)
            blocks += 1
            i += Block.scalarCount
        }
        countA &+= Int(SIMD32<UInt16>(truncatingIfNeeded: sumsA).wrappedSum())
        countB &+= Int(SIMD32<UInt16>(truncatingIfNeeded: sumsB).wrappedSum())
    }
    while i < n {
        countA &+= bytes[i] == a ? 1 : 0
        countB &+= bytes[i] == b ? 1 : 0
        i += 1
    }
    return (countA, countB)
}

/// The number of bytes of `bytes` equal to `a` or to `b` (``countBytes(_:equalTo:and:)``: the reader's
/// quote count passes the same byte twice).
func countBytes(_ bytes: Span<UInt8>, equalTo a: UInt8, or b: UInt8) -> Int {
    let counts = countBytes(bytes, equalTo: a, and: b)
    return a == b ? counts.a : counts.a + counts.b
}

/// Whether any byte of `bytes` is 0x80 or above (not ASCII): eight bytes at a time, OR-ed over blocks
/// of 4 KB with one test per block (a byte loop, `contains(where:)`, ran at about a byte per cycle:
/// 26 ms of serial time on the 1.5M register's ids, which every text column's UTF-8 check passes).
func containsNonASCII(_ bytes: Span<UInt8>) -> Bool {
    let raw = bytes.bytes
    let n = bytes.count
    let high: UInt64 = 0x8080_8080_8080_8080
    var i = 0
    while i + 8 <= n {
        var any: UInt64 = 0
        let stop = Swift.min(n - 7, i + 4096)
        while i < stop {
            any |= raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        if any & high != 0 { return true }
    }
    while i < n {
        if bytes[i] >= 0x80 { return true }
        i += 1
    }
    return false
}
