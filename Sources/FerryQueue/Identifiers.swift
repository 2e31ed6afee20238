/// Identifiers minted by the machine. None uses a random source: each is a pure function of replicated state,
/// so every replica mints the same one, and any node can decode them without a shared key.

/// Names one queue for the machine's lifetime. Never reused, so a handle for a deleted queue stays invalid
/// when a queue of the same name is created again.
public typealias QueueID = UInt32

/// A receipt handle's content: which queue, which message slot, and which receive of it (the receive count at
/// that receive, which only grows while the message sits in one queue; a move gives it a new slot).
public struct ReceiptHandle: Equatable, Sendable, CustomStringConvertible {
    public var queue: QueueID
    public var seq: UInt64
    public var epoch: UInt32

    /// "FR1" + 42 hex digits: version, fields, and a 32-bit check that catches typos and truncation.
    static let prefix = "FR1"

    public var description: String { text }

    public var text: String {
        var payload: [UInt8] = []
        payload.reserveCapacity(20)
        appendBigEndian(&payload, UInt64(queue), bytes: 4)
        appendBigEndian(&payload, seq, bytes: 8)
        appendBigEndian(&payload, UInt64(epoch), bytes: 4)
        appendBigEndian(&payload, UInt64(fnv1a32(payload)), bytes: 4)
        return ReceiptHandle.prefix + Hex.encode(payload)
    }

    /// Decodes a handle; nil when it is malformed (SQS answers ReceiptHandleIsInvalid).
    public init?(text: String) {
        guard text.hasPrefix(ReceiptHandle.prefix),
              let payload = Hex.decode(String(text.dropFirst(ReceiptHandle.prefix.count))),
              payload.count == 20 else { return nil }
        let check = readBigEndian(payload, at: 16, bytes: 4)
        guard UInt32(check) == fnv1a32(Array(payload[0..<16])) else { return nil }
        queue = QueueID(readBigEndian(payload, at: 0, bytes: 4))
        seq = readBigEndian(payload, at: 4, bytes: 8)
        epoch = UInt32(readBigEndian(payload, at: 12, bytes: 4))
    }

    public init(queue: QueueID, seq: UInt64, epoch: UInt32) {
        self.queue = queue
        self.seq = seq
        self.epoch = epoch
    }
}

/// Message ids are UUID-formatted (version 4 layout) and derived from the queue the message was first sent to
/// and its slot there; a message keeps its id when it moves to a dead-letter queue or back.
enum MessageIdentity {
    static func messageId(queue: QueueID, seq: UInt64) -> String {
        let q = mix32(queue)
        let s = mix64(seq)
        // 32 bits of queue | 64 bits of slot | version and variant bits | 26 filler bits from the queue mix.
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: q >> UInt32(24 - 8 * i)) }
        // bytes 4-5: s[63..48]; byte 6: version 4 + s[47..44]; byte 7: s[43..36]
        bytes[4] = UInt8(truncatingIfNeeded: s >> 56)
        bytes[5] = UInt8(truncatingIfNeeded: s >> 48)
        bytes[6] = 0x40 | UInt8(truncatingIfNeeded: (s >> 44) & 0x0f)
        bytes[7] = UInt8(truncatingIfNeeded: s >> 36)
        // byte 8: variant 10 + s[35..30]; bytes 9-12: s[29..0] (30 bits, padded with filler)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (s >> 30) & 0x3f)
        let low = (s & 0x3fff_ffff) << 2 | UInt64(q & 0x3)
        for i in 0..<4 { bytes[9 + i] = UInt8(truncatingIfNeeded: low >> UInt64(24 - 8 * i)) }
        let filler = mix32(q ^ 0x9e37_79b9)
        for i in 0..<3 { bytes[13 + i] = UInt8(truncatingIfNeeded: filler >> UInt32(16 - 8 * i)) }
        return Hex.encode(bytes, dashesBefore: [8, 12, 16, 20])
    }

    /// FIFO SequenceNumber: the slot number as a zero-padded 20-digit decimal, so it grows within a group
    /// (and the whole queue) and compares as text the way it compares as a number.
    static func sequenceNumber(_ seq: UInt64) -> String {
        let digits = String(seq)
        return String(repeating: "0", count: 20 - digits.count) + digits
    }

    /// A bijection on 64 bits (the splitmix64 finalizer), so distinct slots give distinct ids.
    static func mix64(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A bijection on 32 bits (the murmur3 finalizer).
    static func mix32(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16; h &*= 0x85eb_ca6b
        h ^= h >> 13; h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}

/// `arn:aws:sqs:{region}:{account}:{name}` (SQS-API.md summary, point 3).
public struct QueueARN: Equatable, Sendable {
    public var region: String
    public var accountId: String
    public var queueName: String

    public init(region: String, accountId: String, queueName: String) {
        self.region = region
        self.accountId = accountId
        self.queueName = queueName
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sqs",
              !parts[5].isEmpty else { return nil }
        region = String(parts[3])
        accountId = String(parts[4])
        queueName = String(parts[5])
    }

    public var text: String { "arn:aws:sqs:\(region):\(accountId):\(queueName)" }
}

/// A move task's handle: the source queue and the task's number, hex with a check like receipt handles.
struct MoveTaskHandle: Equatable {
    var queue: QueueID
    var number: UInt64

    static let prefix = "FMT1"

    var text: String {
        var payload: [UInt8] = []
        appendBigEndian(&payload, UInt64(queue), bytes: 4)
        appendBigEndian(&payload, number, bytes: 8)
        appendBigEndian(&payload, UInt64(fnv1a32(payload)), bytes: 4)
        return MoveTaskHandle.prefix + Hex.encode(payload)
    }

    init(queue: QueueID, number: UInt64) {
        self.queue = queue
        self.number = number
    }

    init?(text: String) {
        guard text.hasPrefix(MoveTaskHandle.prefix),
              let payload = Hex.decode(String(text.dropFirst(MoveTaskHandle.prefix.count))),
              payload.count == 16,
              UInt32(readBigEndian(payload, at: 12, bytes: 4)) == fnv1a32(Array(payload[0..<12])) else { return nil }
        queue = QueueID(readBigEndian(payload, at: 0, bytes: 4))
        number = readBigEndian(payload, at: 4, bytes: 8)
    }
}

func fnv1a32(_ bytes: [UInt8]) -> UInt32 {
    var h: UInt32 = 0x811c_9dc5
    for b in bytes {
        h ^= UInt32(b)
        h &*= 0x0100_0193
    }
    return h
}

func appendBigEndian(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
    for i in stride(from: bytes - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i))) }
}

func readBigEndian(_ data: [UInt8], at offset: Int, bytes: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<bytes { value = value << 8 | UInt64(data[offset + i]) }
    return value
}
