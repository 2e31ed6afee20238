/// Joining checksums without the bytes (zlib's `crc32_combine`, for the Castagnoli polynomial): the checksum of
/// `a` followed by `b` from `checksum(a)`, `checksum(b)` and `b.count`. A snapshot's data is checksummed block by
/// block at start (`SnapshotBlockChecksums`); the whole file's checksum is then joined from those blocks' checksums
/// instead of a second pass over a gigabyte.
extension CRC32C {
    /// `checksum(a + b)`, where `appending` is `zerosOperator(bytes: b.count)`.
    static func combine(_ first: UInt32, _ second: UInt32, appending: UInt32) -> UInt32 {
        multiplyModP(appending, first) ^ second
    }

    /// x^(8 * bytes) modulo the polynomial: what `bytes` more bytes do to the checksum before them.
    static func zerosOperator(bytes: Int) -> UInt32 {
        precondition(bytes >= 0, "a length is not negative")
        var result: UInt32 = 1 << 31  // x^0, reflected
        var remaining = UInt64(bytes)
        var power = 3  // x^(2^3): one byte
        while remaining != 0 {
            if remaining & 1 != 0 { result = multiplyModP(powersOfXSquared[power], result) }
            remaining >>= 1
            power += 1
        }
        return result
    }

    /// x^(2^k) modulo the polynomial, for k in 0..<64.
    private static let powersOfXSquared: [UInt32] = {
        var powers: [UInt32] = [1 << 30]  // x^1, reflected
        for k in 1..<64 { powers.append(multiplyModP(powers[k - 1], powers[k - 1])) }
        return powers
    }()

    /// a(x) * b(x) modulo the polynomial, both reflected (bit 31 is x^0).
    static func multiplyModP(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var product: UInt32 = 0
        var multiplier = b
        var bit: UInt32 = 1 << 31
        while bit != 0 {
            if a & bit != 0 { product ^= multiplier }
            multiplier = multiplier & 1 != 0 ? (multiplier >> 1) ^ polynomial : multiplier >> 1
            bit >>= 1
        }
        return product
    }
}
