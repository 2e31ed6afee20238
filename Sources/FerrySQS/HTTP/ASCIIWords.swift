/// Eight bytes at a time over a request head: finding where it ends (`HTTPReadBuffer.findHead`) and the
/// ASCII head parser's loops. Byte by byte, finding line ends and checking names and values cost ~15
/// instructions per byte of an ~800-byte head.
///
/// Words are read unaligned and little-endian, so byte `i` of a word is bits `8i..<8i+8`; the lowest flagged
/// byte of each test below is always the first byte that matches, whatever the bytes above it.
enum ASCIIWords {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    static func word(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        var seen: UInt64 = 0
        while i + 8 <= bytes.count {
            seen |= word(bytes, i)
            i += 8
        }
        var tail: UInt8 = 0
        while i < bytes.count {
            tail |= bytes[i]
            i += 1
        }
        return seen & highBits == 0 && tail < 0x80
    }

    /// The index of the first `byte` in `bytes[start..<end]`, or nil; any bytes. A zero byte of
    /// `y = w ^ pattern` borrows in `y - ones` and sets its high bit; no byte below it does, and `& ~y` drops
    /// the bytes whose own high bit was set.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
        let pattern = UInt64(byte) &* ones
        var i = start
        while i + 8 <= end {
            let y = word(bytes, i) ^ pattern
            let found = (y &- ones) & ~y & highBits
            if found != 0 { return i + found.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < end {
            if bytes[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Whether `bytes[start..<end]` (ASCII) are all field-value bytes (RFC 9110 §5.5): 0x20-0x7E, or tab.
    /// A word with a byte below 0x20 or a DEL is looked at byte by byte (a tab is allowed).
    static func isFieldValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Bool {
        let space = 0x20 &* ones
        let del = 0x7F &* ones
        var i = start
        while i + 8 <= end {
            let w = word(bytes, i)
            if ((w &- space) | ((w ^ del) &- ones)) & highBits != 0 {
                for j in i..<(i + 8) where !isFieldValueByte(bytes[j]) { return false }
            }
            i += 8
        }
        while i < end {
            if !isFieldValueByte(bytes[i]) { return false }
            i += 1
        }
        return true
    }

    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != 0x7F || byte == 0x09 }

    /// RFC 9110 §5.6.2 tchar, as two 64-bit sets (bytes 0x00-0x3F and 0x40-0x7F); false for 0x80 and up.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<64: return (0x03FF_6CFA_0000_0000 as UInt64) >> UInt64(byte) & 1 == 1
        case 64..<128: return (0x57FF_FFFF_C7FF_FFFE as UInt64) >> UInt64(byte - 64) & 1 == 1
        default: return false
        }
    }
}
