/// The byte scan JSON strings need both ways: where a run of bytes that stand for themselves ends.
///
/// Eight bytes at a time (SWAR). `specialMask` flags the lanes of a word that hold `"`, `\` or a byte below
/// 0x20 with the classic tests `(v - 0x0101..) & ~v & 0x8080..` (a zero lane after XOR with `"` or `\`)
/// and `(v - 0x2020..) & ~v & 0x8080..` (a lane below 0x20). Both can flag lanes above a real hit (a borrow
/// runs upward), never below it, so the lowest flagged lane is exactly the first special byte:
/// `trailingZeroBitCount / 8` of the mask of a word loaded as little-endian.
enum JSONScan {
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func specialMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word))
            & highBits
    }

    /// Lanes before the first flagged one (0-7) of a nonzero `specialMask`.
    @inline(__always)
    static func plainLanes(_ mask: UInt64) -> Int { mask.trailingZeroBitCount >> 3 }

    @inline(__always)
    static func isPlain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != 0x22 && byte != 0x5C }

    /// The first index at or after `start` holding `"`, `\` or a byte below 0x20 (what a JSON string must
    /// escape, and what ends an unescaped run when parsing), or `bytes.count`. ORs every byte passed over
    /// into `seen` (bit 7 of a lane set: non-ASCII text was seen).
    @inline(__always)
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, seen: inout UInt64) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var i = start
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let mask = specialMask(word)
            if mask != 0 {
                let lanes = plainLanes(mask)
                seen |= word & ((1 << UInt64(lanes * 8)) &- 1)
                return i + lanes
            }
            seen |= word
            i += 8
        }
        while i < bytes.count {
            let byte = base[i]
            if !isPlain(byte) { return i }
            seen |= UInt64(byte)
            i += 1
        }
        return i
    }
}
