extension CSVReader {
    /// Skips up to `count` unquoted fields starting at `p` (the start of a field), eight bytes at a
    /// time: the register's columns that a command does not need (most of them) cost one word test
    /// per eight bytes instead of a ``scanField(_:from:row:limit:)`` call per field, which was a
    /// sixth of a whole `etwfe` run at 1.5M persons.
    ///
    /// Returns the number of fields ended (each by a comma, the last possibly by a line end or the
    /// end of the input), the terminator of the last one and where the next field or row begins;
    /// or `nil` when a double quote lies before the end of the skipped fields, so that the caller
    /// scans them one by one as before (a quoted field may hold commas and line ends). Spaces need
    /// no care: a skipped field's content is not read.
    ///
    /// The byte tests are exact (no false positives from borrows): for a word `w` and a byte `c`,
    /// `v = w ^ (c * 0x01..01)` is zero exactly in the bytes equal to `c`, and
    /// `~(((v & 0x7f..7f) + 0x7f..7f) | v) & 0x80..80` has the high bit set exactly in those bytes.
    /// - Precondition: `count >= 1`.
    /// - Complexity: O(bytes skipped / 8).
    @inline(__always)
    static func skipUnquotedFields(_ bytes: Span<UInt8>, from p: Int, count: Int, limit n: Int)
        -> (ended: Int, terminator: Terminator, next: Int)? {
        let raw = bytes.bytes
        var ended = 0
        var i = p
        while i + 8 <= n {
            let w = UInt64(littleEndian: raw.unsafeLoadUnaligned(fromByteOffset: i, as: UInt64.self))
            let commas = bytesEqual(w, UInt8(ascii: ","))
            // The stop bytes (0x0A, 0x0D, 0x22) are all below the comma (0x2C): a word with no byte below it, as
            // most words of numeric fields, has none, and the three exact tests are made only for the others.
            let stops = anyByteBelowComma(w)
                ? bytesEqual(w, UInt8(ascii: "\n")) | bytesEqual(w, UInt8(ascii: "\r")) | bytesEqual(w, UInt8(ascii: "\""))
                : 0
            // Only the bytes before the first stop byte count.
            let beforeStop = stops == 0 ? ~UInt64(0) : (UInt64(1) << UInt64(stops.trailingZeroBitCount)) &- 1
            var found = commas & beforeStop
            let available = found.nonzeroBitCount
            if ended + available >= count {
                // The `count - ended`-th comma of this word ends the last field.
                for _ in 0..<(count - ended - 1) { found &= found &- 1 }
                return (count, .comma, i + found.trailingZeroBitCount / 8 + 1)
            }
            ended += available
            if stops != 0 {
                let at = i + stops.trailingZeroBitCount / 8
                if bytes[at] == UInt8(ascii: "\"") { return nil }
                let (t, next) = terminator(bytes, at: at, limit: n)
                return (ended + 1, t, next)
            }
            i += 8
        }
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { return nil }
            if b == UInt8(ascii: ",") {
                ended += 1
                if ended == count { return (count, .comma, i + 1) }
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                let (t, next) = terminator(bytes, at: i, limit: n)
                return (ended + 1, t, next)
            }
            i += 1
        }
        return (ended + 1, .endOfInput, n)
    }

    /// Whether some byte of `w` is below 0x2C (`,`). `(w - 0x2C..2C) & ~w & 0x80..80` is non-zero exactly
    /// then: the lowest byte below 0x2C (an ASCII byte, high bit clear) borrows into its own high bit, and
    /// without such a byte no subtraction borrows, so no byte below 0x80 gets its high bit set (borrows
    /// above the first such byte may flag others, which does not change the answer). `O(1)`.
    @inline(__always)
    static func anyByteBelowComma(_ w: UInt64) -> Bool {
        (w &- 0x2C2C_2C2C_2C2C_2C2C) & ~w & 0x8080_8080_8080_8080 != 0
    }

    /// The high bit of every byte of `w` equal to `c`, and no other bit.
    @inline(__always)
    static func bytesEqual(_ w: UInt64, _ c: UInt8) -> UInt64 {
        let low7: UInt64 = 0x7f7f_7f7f_7f7f_7f7f
        let v = w ^ (UInt64(c) &* 0x0101_0101_0101_0101)
        return ~(((v & low7) &+ low7) | v) & ~low7
    }
}

extension CSVReader {
    /// The number of leading ASCII digits of the eight bytes `w` (first byte lowest), 0 through 8.
    ///
    /// A byte `b` is a digit exactly when its high nibble is 3 and that of `b + 6` is too (0x30-0x39).
    /// The word-wide `w + 0x06..06` carries out of a byte only when the byte is at least 0xFA, a
    /// non-digit, so the carry can only mislabel bytes after the first non-digit: the count is exact.
    @inline(__always)
    static func leadingDigitCount(_ w: UInt64) -> Int {
        let high: UInt64 = 0xf0f0_f0f0_f0f0_f0f0, threes: UInt64 = 0x3030_3030_3030_3030
        let nonDigit = ((w & high) ^ threes) | (((w &+ 0x0606_0606_0606_0606) & high) ^ threes)
        return nonDigit.trailingZeroBitCount / 8
    }

    /// The value of the first `count` bytes of `w` (ASCII digits, the first the most significant),
    /// `1 <= count <= 8`: shifted so that the digits fill the word's last bytes (the bytes before
    /// them become zeros, that is leading zeros), then pairs, quads and octets of digits are
    /// combined by three multiplications (each lane's product cannot overflow into its neighbour:
    /// 10a + b <= 99, 100c + d <= 9999, 10000e + f <= 99999999).
    @inline(__always)
    static func digitsValue(_ w: UInt64, count: Int) -> UInt64 {
        var v = w << UInt64(8 * (8 - count))
        v = ((v & 0x0f0f_0f0f_0f0f_0f0f) &* (1 + (10 << 8))) >> 8
        v = ((v & 0x00ff_00ff_00ff_00ff) &* (1 + (100 << 16))) >> 16
        return ((v & 0x0000_ffff_0000_ffff) &* (1 + (10000 << 32))) >> 32
    }
}
