import CFerryCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
/// RocksDB. Chosen over CRC-32 (IEEE) for its better error detection on the short bursts disks
/// produce. Computed with the CPU's CRC-32C instruction where there is one (x86-64 SSE4.2, AArch64
/// CRC: every node checksums every entry it stores, so this is on the replication path), else
/// slicing-by-8 in software (8 table lookups per 8 bytes), which is also the tested reference.
///
/// Check value: `CRC32C.checksum("123456789") == 0xE3069283`.
public struct CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables, flattened: `tables[k * 256 + b]` is the CRC of byte `b` followed by
    /// `k` zero bytes. Table 0 is the classic byte-at-a-time table.
    static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The running, pre-inverted register. Start with `init()`, feed with `update`, read `value`.
    private var register: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The checksum of everything fed so far.
    public var value: UInt32 { ~register }

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done = bytes.withContiguousStorageIfAvailable { buffer in
            register = Self.update(register, UnsafeRawBufferPointer(buffer))
            return true
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { register = Self.update(register, $0) }
        }
    }

    /// As if `update` had been fed bytes whose own checksum is `checksum`; `appending` is
    /// `CRC32C.zerosOperator(bytes:)` of their count (`CRC32C+Combine.swift`).
    mutating func update(checksum: UInt32, appending: UInt32) {
        register = ~Self.combine(value, checksum, appending: appending)
    }

    public mutating func update(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { register = Self.update(register, $0) }
    }

    public mutating func update(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { register = Self.update(register, $0) }
    }

    /// One-shot checksum of a byte collection.
    public static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// Whether `update` uses the CPU instruction; read once.
    static let usesHardware = ferry_crc32c_hardware_available()

    private static func update(_ start: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        guard usesHardware, let base = buffer.baseAddress else { return updateInSoftware(start, buffer) }
        return ferry_crc32c_update_hardware(start, base.assumingMemoryBound(to: UInt8.self), buffer.count)
    }

    /// Slicing-by-8 over the tables: the portable path, and the reference the hardware path is tested against.
    static func updateInSoftware(_ start: UInt32, _ buffer: UnsafeRawBufferPointer) -> UInt32 {
        var crc = start
        var position = 0
        let count = buffer.count
        tables.withUnsafeBufferPointer { all in
            let t0 = all.baseAddress!
            let t1 = t0 + 256
            let t2 = t0 + 512
            let t3 = t0 + 768
            let t4 = t0 + 1024
            let t5 = t0 + 1280
            let t6 = t0 + 1536
            let t7 = t0 + 1792
            while count - position >= 8 {
                let low =
                    crc
                    ^ (UInt32(buffer[position]) | UInt32(buffer[position + 1]) << 8
                        | UInt32(buffer[position + 2]) << 16 | UInt32(buffer[position + 3]) << 24)
                crc =
                    t7[Int(low & 0xFF)] ^ t6[Int((low >> 8) & 0xFF)]
                    ^ t5[Int((low >> 16) & 0xFF)] ^ t4[Int(low >> 24)]
                    ^ t3[Int(buffer[position + 4])] ^ t2[Int(buffer[position + 5])]
                    ^ t1[Int(buffer[position + 6])] ^ t0[Int(buffer[position + 7])]
                position += 8
            }
            while position < count {
                crc = (crc >> 8) ^ t0[Int((crc ^ UInt32(buffer[position])) & 0xFF)]
                position += 1
            }
        }
        return crc
    }
}
