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

    /// Minted on every receive by every replica, so written straight into the string: no arrays.
    public var text: String {
        let check = Self.check(queue: UInt64(queue), seq: seq, epoch: UInt64(epoch))
        return String(unsafeUninitializedCapacity: Self.textBytes) { out in
            out[0] = UInt8(ascii: "F")
            out[1] = UInt8(ascii: "R")
            out[2] = UInt8(ascii: "1")
            var i = 3
            Hex.write(UInt64(queue), digits: 8, into: out, at: &i)
            Hex.write(seq, digits: 16, into: out, at: &i)
            Hex.write(UInt64(epoch), digits: 8, into: out, at: &i)
            Hex.write(UInt64(check), digits: 8, into: out, at: &i)
            return i
        }
    }

    /// FNV-1a over the three fields' big-endian bytes (4, 8 and 4 of them), in that order.
    private static func check(queue: UInt64, seq: UInt64, epoch: UInt64) -> UInt32 {
        let afterQueue = fnv1a32BigEndian(queue, bytes: 4)
        return fnv1a32BigEndian(epoch, bytes: 4, fnv1a32BigEndian(seq, bytes: 8, afterQueue))
    }

    /// "FR1" and 40 hex digits.
    static let textBytes = 43

    /// Decodes a handle; nil when it is malformed (SQS answers ReceiptHandleIsInvalid).
    public init?(text: String) {
        var text = text
        let fields: (UInt64, UInt64, UInt64, UInt64)? = text.withUTF8 { utf8 in
            guard utf8.count == Self.textBytes, utf8[0] == UInt8(ascii: "F"), utf8[1] == UInt8(ascii: "R"),
                utf8[2] == UInt8(ascii: "1")
            else { return nil }
            var i = 3
            guard let queue = Hex.read(utf8, digits: 8, at: &i), let seq = Hex.read(utf8, digits: 16, at: &i),
                let epoch = Hex.read(utf8, digits: 8, at: &i), let check = Hex.read(utf8, digits: 8, at: &i)
            else { return nil }
            return (queue, seq, epoch, check)
        }
        guard let (queue, seq, epoch, check) = fields,
            check == UInt64(Self.check(queue: queue, seq: seq, epoch: epoch))
        else { return nil }
        self.queue = QueueID(queue)
        self.seq = seq
        self.epoch = UInt32(epoch)
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
        // As 128 bits, big-endian: bytes 0-7 in `high`, 8-15 in `low`.
        let high =
            UInt64(q) << 32  // bytes 0-3: the queue
            | (s >> 48) << 16  // bytes 4-5: s[63..48]
            | (0x40 | (s >> 44) & 0x0f) << 8  // byte 6: version 4 + s[47..44]
            | (s >> 36) & 0xff  // byte 7: s[43..36]
        // byte 8: variant 10 + s[35..30]; bytes 9-12: s[29..0] (30 bits, padded with 2 queue bits)
        let lowBits = (s & 0x3fff_ffff) << 2 | UInt64(q & 0x3)
        let filler = UInt64(mix32(q ^ 0x9e37_79b9) & 0x00ff_ffff)
        let low = (0x80 | (s >> 30) & 0x3f) << 56 | lowBits << 24 | filler
        // UUID layout: 8-4-4-4-12 hex digits. Minted on every send and receive by every replica, so written
        // straight into the string.
        return String(unsafeUninitializedCapacity: 36) { out in
            var i = 0
            Hex.write(high >> 32, digits: 8, into: out, at: &i)
            out[i] = UInt8(ascii: "-")
            i += 1
            Hex.write(high >> 16, digits: 4, into: out, at: &i)
            out[i] = UInt8(ascii: "-")
            i += 1
            Hex.write(high, digits: 4, into: out, at: &i)
            out[i] = UInt8(ascii: "-")
            i += 1
            Hex.write(low >> 48, digits: 4, into: out, at: &i)
            out[i] = UInt8(ascii: "-")
            i += 1
            Hex.write(low, digits: 12, into: out, at: &i)
            return i
        }
    }

    /// FIFO SequenceNumber: the slot number as a zero-padded 20-digit decimal, so it grows within a group
    /// (and the whole queue) and compares as text the way it compares as a number.
    /// Written digit by digit into the string (every FIFO send and receive mints one; UInt64.max has 20 digits).
    static func sequenceNumber(_ seq: UInt64) -> String {
        String(unsafeUninitializedCapacity: 20) { out in
            var rest = seq
            for i in stride(from: 19, through: 0, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return 20
        }
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
        h ^= h >> 16
        h &*= 0x85eb_ca6b
        h ^= h >> 13
        h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }
}

/// `arn:aws:sqs:{region}:{account}:{name}` (docs/sqs-wire.md, "Queue URLs").
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
        if let parsed = Self.parseASCII(text) {
            guard let arn = parsed else { return nil }
            self = arn
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sqs",
            !parts[5].isEmpty
        else { return nil }
        region = String(parts[3])
        accountId = String(parts[4])
        queueName = String(parts[5])
    }

    /// The same parse over UTF-8 bytes when `text` is ASCII (every ARN Ferry writes): there a byte is a
    /// Character and String equality is byte equality, so the answer is the Character path's, without its
    /// grapheme breaking (the machine resolves a redrive target's ARN on every receive). nil: not ASCII;
    /// .some(nil): ASCII, and not a queue ARN.
    private static func parseASCII(_ text: String) -> QueueARN?? {
        var utf8 = text
        return utf8.withUTF8 { bytes -> QueueARN?? in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 5) { colons in
                var count = 0
                for (offset, byte) in bytes.enumerated() {
                    guard byte < 0x80 else { return nil }
                    guard byte == UInt8(ascii: ":") else { continue }
                    if count < 5 { colons[count] = offset }
                    count += 1
                }
                guard count == 5 else { return .some(nil) }
                func part(_ n: Int) -> UnsafeBufferPointer<UInt8> {
                    let start = n == 0 ? 0 : colons[n - 1] + 1
                    let end = n == 5 ? bytes.count : colons[n]
                    return UnsafeBufferPointer(rebasing: bytes[start..<end])
                }
                guard part(0).elementsEqual("arn".utf8), part(1).starts(with: "aws".utf8),
                    part(2).elementsEqual("sqs".utf8),
                    !part(5).isEmpty
                else { return .some(nil) }
                return QueueARN(
                    region: String(decoding: part(3), as: UTF8.self),
                    accountId: String(decoding: part(4), as: UTF8.self),
                    queueName: String(decoding: part(5), as: UTF8.self))
            }
        }
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
            UInt32(readBigEndian(payload, at: 12, bytes: 4)) == fnv1a32(Array(payload[0..<12]))
        else { return nil }
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

/// `fnv1a32` continued over the low `bytes` bytes of `value`, big-endian, from state `h`: the same result
/// as appending those bytes to an array and hashing it, without the array.
func fnv1a32BigEndian(_ value: UInt64, bytes: Int, _ h: UInt32 = 0x811c_9dc5) -> UInt32 {
    var h = h
    for i in stride(from: bytes - 1, through: 0, by: -1) {
        h ^= UInt32(truncatingIfNeeded: value >> UInt64(8 * i)) & 0xff
        h &*= 0x0100_0193
    }
    return h
}

func appendBigEndian(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
    for i in stride(from: bytes - 1, through: 0, by: -1) {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * i)))
    }
}

func readBigEndian(_ data: [UInt8], at offset: Int, bytes: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<bytes { value = value << 8 | UInt64(data[offset + i]) }
    return value
}
