/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator.
///
/// Output `k` (0-based) is `mix(seed + (k + 1) * 0x9E3779B97F4A7C15)`, so the
/// stream is counter-based: scripts in other languages (the test fixtures'
/// NumPy generators) reproduce it exactly, vectorised. Not cryptographic.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The step added to the state before each output (the golden ratio's 64 fractional bits).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The output function: output `k` (0-based) of `SplitMix64(seed: s)` is `mix(s + (k + 1) * increment)`,
    /// so any output can be formed without the ones before it (the multiplier bootstrap's draws).
    @inlinable @inline(__always)
    public static func mix(_ state: UInt64) -> UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in `[0, 1)` with 53 random bits: `(next() >> 11) * 2^-53`.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
