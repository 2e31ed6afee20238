/// Deterministic randomness for the simulator. Every random choice of a run comes from generators
/// derived from the one seed, so a seed replays exactly. Never use SystemRandomNumberGenerator here.

import FerryRaft

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// xoshiro256** (Blackman, Vigna 2018): the simulator's workhorse generator. Fast, 256 bits of state,
/// and fully determined by its seed.
public struct Xoshiro256StarStar: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from SplitMix64 so that nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        precondition(s0 | s1 | s2 | s3 != 0, "xoshiro state must not be all zero")
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// A new generator whose stream is independent of this one's future output (for handing one
    /// generator to each Raft node, so a node's draws do not shift when another node draws more).
    public mutating func fork() -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: next())
    }
}

extension Xoshiro256StarStar {
    /// Uniform in `range` (closed), without modulo bias.
    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// Uniform in `range` (closed) for unsigned values such as microseconds.
    @inline(__always)
    public mutating func uint64(in range: ClosedRange<UInt64>) -> UInt64 {
        UInt64.random(in: range, using: &self)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `probability` (0 never draws; keeps the stream position stable by
    /// always consuming one word, so enabling a fault does not shift unrelated draws more than needed).
    @inline(__always)
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// One element of a non-empty array, uniformly.
    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "cannot pick from an empty array")
        return items[int(in: 0...(items.count - 1))]
    }

    /// Log-uniform in `range`: as likely to land in 1–10 ms as in 10–100 ms. Swarm intensities use it
    /// so that both gentle and brutal settings are common.
    public mutating func logUniform(in range: ClosedRange<Double>) -> Double {
        precondition(range.lowerBound > 0)
        let low = log2(range.lowerBound)
        let high = log2(range.upperBound)
        return exp2(low + (high - low) * unit())
    }
}
