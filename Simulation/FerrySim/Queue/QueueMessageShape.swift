import FerryNode
import FerryQueue
import FerryQueueReplica

/// The shape of one simulated send, at or one byte past SQS's size limits (issues 17 and 18: the workload
/// never sent a maximum-size message, so nothing could catch a 1 MiB SendMessage taking the leader down).
/// Every limit comes from `QueueLimits` (and `ReplicaNode.commandBodyBytesMax`) by name.
enum MessageShape: String, CaseIterable, Sendable {
    /// The body is the message's key ("p0-17"), nothing else: the workload before size boundaries.
    case plain
    /// A 1-byte body; the key travels in a trace header.
    case oneByte = "1B"
    /// A 16 B-8 KiB body with 0-3 short attributes (String, Binary, Number).
    case typical
    /// FIFO group and deduplication ids and the trace header at their maximum lengths.
    case longIds = "long-ids"
    /// A SendMessageBatch of 2-10 typical entries.
    case batch
    /// A body of exactly `messageBytesMax`, no attributes.
    case maxBody = "max-body"
    /// Ten attributes with names and types of maximum length; body and attributes add up to exactly
    /// `messageBytesMax`.
    case maxAttributes = "max-attributes"
    /// `batchEntriesMax` entries adding up to exactly `batchBytesMax`.
    case fullBatch = "full-batch"

    // One past a limit: the edge's validation and the cluster must both refuse it, and nothing is enqueued.
    case overBody = "over-body"
    case overAttributes = "over-attributes"
    case overBatchBytes = "over-batch-bytes"
    case overBatchEntries = "over-batch-entries"
    case overAttributeCount = "over-attribute-count"
    case overAttributeName = "over-attribute-name"
    case overAttributeType = "over-attribute-type"
    case overFifoId = "over-fifo-id"
    case overTraceHeader = "over-trace-header"
    /// An encoded command one byte past `ReplicaNode.commandBodyBytesMax`: `submit` answers `.tooLarge`.
    case overCommand = "over-command"

    static let small: [MessageShape] = [.oneByte, .typical, .longIds, .batch]
    /// Requests of about 1 MiB, at a limit or one byte past it: drawn rarely, so a seed stays fast.
    static let large: [MessageShape] = [
        .maxBody, .maxAttributes, .fullBatch, .overBody, .overAttributes,
        .overBatchBytes, .overCommand,
    ]
    /// Small requests one byte past a limit.
    static let over: [MessageShape] = [
        .overBatchEntries, .overAttributeCount, .overAttributeName,
        .overAttributeType, .overFifoId, .overTraceHeader,
    ]

    var isOverLimit: Bool { rawValue.hasPrefix("over-") }
    var isBatch: Bool { [.batch, .fullBatch, .overBatchBytes, .overBatchEntries].contains(self) }
    /// Shapes that only make sense on the FIFO queue (its ids are what they test).
    var isFifoOnly: Bool { self == .overFifoId }
}

extension MessageShape {
    /// The payload of each entry of one request of this shape. `overCommand` is sized by the caller, which
    /// encodes the command (`QueueSimulation.sizedPastCommandLimit`).
    func payloads(random: inout Xoshiro256StarStar) -> [MessagePayload] {
        func maximal() -> AttributeLayout {
            AttributeLayout(
                count: QueueLimits.messageAttributesMax,
                nameBytes: QueueLimits.messageAttributeNameCharactersMax,
                typeBytes: QueueLimits.messageAttributeTypeCharactersMax,
                valueBytes: random.int(in: 1...8_192))
        }
        let fullBatch: [MessagePayload] = (0..<QueueLimits.batchEntriesMax).map { i in
            let share = QueueLimits.batchBytesMax / QueueLimits.batchEntriesMax
            let last = i == QueueLimits.batchEntriesMax - 1
            return MessagePayload(
                bodyBytes: last ? QueueLimits.batchBytesMax - share * i : share,
                traceHeaderBytes: i == 0 ? QueueLimits.traceHeaderBytesMax : 0,
                fifoIdBytes: QueueLimits.fifoIdCharactersMax)
        }
        switch self {
        case .plain:
            return [MessagePayload()]
        case .oneByte:
            return [MessagePayload(bodyBytes: 1, traceHeaderBytes: 1)]
        case .typical:
            return [Self.typical(&random)]
        case .longIds:
            return [
                MessagePayload(
                    traceHeaderBytes: QueueLimits.traceHeaderBytesMax, fifoIdBytes: QueueLimits.fifoIdCharactersMax)
            ]
        case .batch:
            return (0..<random.int(in: 2...QueueLimits.batchEntriesMax)).map { _ in Self.typical(&random) }
        case .maxBody:
            return [MessagePayload(bodyBytes: QueueLimits.messageBytesMax)]
        case .maxAttributes:
            let attributes = maximal()
            return [
                MessagePayload(bodyBytes: QueueLimits.messageBytesMax - attributes.sizeBytes, attributes: attributes)
            ]
        case .fullBatch:
            return fullBatch
        case .overBody:
            return [MessagePayload(bodyBytes: QueueLimits.messageBytesMax + 1)]
        case .overAttributes:
            let attributes = maximal()
            return [
                MessagePayload(
                    bodyBytes: QueueLimits.messageBytesMax - attributes.sizeBytes + 1, attributes: attributes)
            ]
        case .overBatchBytes:
            var entries = fullBatch
            entries[entries.count - 1].bodyBytes += 1
            return entries
        case .overBatchEntries:
            return Array(repeating: MessagePayload(), count: QueueLimits.batchEntriesMax + 1)
        case .overAttributeCount:
            return [
                MessagePayload(attributes: AttributeLayout(count: QueueLimits.messageAttributesMax + 1, valueBytes: 8))
            ]
        case .overAttributeName:
            return [
                MessagePayload(
                    attributes: AttributeLayout(
                        count: 1, nameBytes: QueueLimits.messageAttributeNameCharactersMax + 1, valueBytes: 8))
            ]
        case .overAttributeType:
            return [
                MessagePayload(
                    attributes: AttributeLayout(
                        count: 1, typeBytes: QueueLimits.messageAttributeTypeCharactersMax + 1, valueBytes: 8))
            ]
        case .overFifoId:
            return [MessagePayload(fifoIdBytes: QueueLimits.fifoIdCharactersMax + 1)]
        case .overTraceHeader:
            return [MessagePayload(traceHeaderBytes: QueueLimits.traceHeaderBytesMax + 1)]
        case .overCommand:
            return [MessagePayload(bodyBytes: QueueLimits.messageBytesMax)]
        }
    }

    private static func typical(_ random: inout Xoshiro256StarStar) -> MessagePayload {
        MessagePayload(
            bodyBytes: Int(random.logUniform(in: 16...8_192)),
            attributes: AttributeLayout(count: random.int(in: 0...3), valueBytes: random.int(in: 1...64)))
    }
}

/// What one message carries besides its key: small enough to keep per send, so the checker can rebuild the
/// expected bytes and compare a receive byte for byte.
struct MessagePayload: Hashable {
    /// The body's length, key included; 0: the body is exactly the key.
    var bodyBytes = 0
    var attributes = AttributeLayout()
    /// 0: no trace header. Otherwise the key travels in the header (a 1-byte body cannot carry it).
    var traceHeaderBytes = 0
    /// FIFO group and deduplication ids padded to this length; 0: the group's name and the key as they are.
    var fifoIdBytes = 0

    /// Whatever counts against `messageBytesMax` (`SendEntry.sizeBytes`) for a key of `keyBytes`.
    func sizeBytes(keyBytes: Int) -> Int {
        (bodyBytes == 0 ? keyBytes : bodyBytes) + attributes.sizeBytes
    }
}

/// `count` attributes, the i-th named `a<i>` padded with letters to `nameBytes` (0: unpadded), typed String,
/// Binary or Number (typed `<base>.<letters>` padded to `typeBytes` when that is longer than the base), with
/// a value of `valueBytes` (Number only for values of at most 16 digits).
struct AttributeLayout: Hashable {
    var count = 0
    var nameBytes = 0
    var typeBytes = 0
    var valueBytes = 0

    func name(_ i: Int) -> String { PayloadBytes.letters(prefix: "a\(i)", to: nameBytes) }
    func base(_ i: Int) -> String {
        i % 3 == 2 && valueBytes <= 16 ? "Number" : (i % 2 == 0 ? "String" : "Binary")
    }
    func type(_ i: Int) -> String {
        let base = base(i)
        return typeBytes > base.utf8.count + 1 ? PayloadBytes.letters(prefix: base + ".", to: typeBytes) : base
    }
    var sizeBytes: Int { (0..<count).reduce(0) { $0 + name($1).utf8.count + type($1).utf8.count + valueBytes } }

    func make() -> [MessageAttribute] {
        (0..<count).map { i in
            let value: MessageAttribute.Value
            switch base(i) {
            case "Binary": value = .binary(Array(PayloadBytes.binary[i..<(i + valueBytes)]))
            case "Number": value = .string("1" + String(repeating: "0", count: valueBytes - 1))
            default: value = .string(String(decoding: PayloadBytes.text[1..<(1 + valueBytes)], as: UTF8.self))
            }
            return MessageAttribute(name: name(i), dataType: type(i), value: value)
        }
    }
}

/// The filler every payload is cut from: one shared buffer per alphabet, so a 1 MiB body costs one copy.
enum PayloadBytes {
    /// Ends a key in a body, trace header or FIFO id: never a key character.
    static let separator = UInt8(ascii: "|")
    /// Printable ASCII 0x21-0x7E (valid message text and valid FIFO id characters), the separator first,
    /// varied so a shifted or truncated copy does not match. One past the largest command.
    static let text: [UInt8] = {
        let count = ReplicaNode<QueueReplica>.commandBodyBytesMax + 2
        var bytes = [UInt8](repeating: 0, count: count)
        bytes[0] = separator
        for i in 1..<count { bytes[i] = 0x21 + UInt8((i &* 7 &+ i / 94) % 94) }
        return bytes
    }()
    /// Every byte value, for Binary attributes.
    static let binary: [UInt8] = (0..<(QueueLimits.messageBytesMax + 64)).map {
        UInt8(truncatingIfNeeded: $0 &* 31 &+ 7)
    }

    static func text(prefix: String, to length: Int) -> String {
        let prefixBytes = prefix.utf8.count
        guard length > prefixBytes else { return prefix }
        return prefix + String(decoding: text[0..<(length - prefixBytes)], as: UTF8.self)
    }

    /// `prefix` padded with `_` and letters (attribute names, type labels).
    static func letters(prefix: String, to length: Int) -> String {
        let prefixBytes = prefix.utf8.count
        guard length > prefixBytes else { return prefix }
        let letters = (0..<(length - prefixBytes)).map {
            $0 == 0 ? UInt8(ascii: "_") : UInt8(ascii: "a") + UInt8($0 % 26)
        }
        return prefix + String(decoding: letters, as: UTF8.self)
    }
}

extension MessagePayload {
    /// The key a received message carries: the trace header's prefix if it has one, else the body's.
    static func key(of message: ReceivedMessage) -> String {
        key(traceHeader: message.awsTraceHeader, body: message.body)
    }

    static func key(of entry: SendEntry) -> String { key(traceHeader: entry.awsTraceHeader, body: entry.body) }

    private static func key(traceHeader: String?, body: [UInt8]) -> String {
        if let trace = traceHeader {
            return String(decoding: trace.utf8.prefix { $0 != PayloadBytes.separator }, as: UTF8.self)
        }
        return String(decoding: body.prefix { $0 != PayloadBytes.separator }, as: UTF8.self)
    }

    func body(key: String) -> [UInt8] {
        guard bodyBytes > 0 else { return Array(key.utf8) }
        let keyBytes = traceHeaderBytes > 0 ? [] : Array(key.utf8.prefix(bodyBytes))
        return keyBytes + PayloadBytes.text[0..<(bodyBytes - keyBytes.count)]
    }

    func traceHeader(key: String) -> String? {
        traceHeaderBytes > 0 ? PayloadBytes.text(prefix: key, to: traceHeaderBytes) : nil
    }

    func fifoId(_ id: String) -> String { PayloadBytes.text(prefix: id, to: fifoIdBytes) }

    func entry(key: String, id: String, group: String?, attributes: [MessageAttribute]) -> SendEntry {
        SendEntry(
            id: id, body: body(key: key), attributes: attributes, awsTraceHeader: traceHeader(key: key),
            messageGroupId: group.map(fifoId), messageDeduplicationId: group == nil ? nil : fifoId(key),
            bodyMD5: QueueHistory.carriedMD5(key))
    }

    /// Whether `body` is byte for byte what `body(key:)` builds, without building it.
    func bodyMatches(_ body: [UInt8], key: String) -> Bool {
        guard bodyBytes > 0 else { return body.elementsEqual(key.utf8) }
        guard body.count == bodyBytes else { return false }
        let keyBytes = traceHeaderBytes > 0 ? 0 : min(key.utf8.count, bodyBytes)
        guard body.prefix(keyBytes).elementsEqual(key.utf8.prefix(keyBytes)) else { return false }
        return body.withUnsafeBytes { received in
            PayloadBytes.text.withUnsafeBytes { filler in
                memcmp(received.baseAddress! + keyBytes, filler.baseAddress!, bodyBytes - keyBytes) == 0
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
