import FerryQueue
import FerryRaft

/// What the clients saw, in Jepsen's total-queue terms (docs/simulation.md, "The queue checker"): every send
/// attempted and acknowledged, every message received (drain included), by key. Keys are unique per
/// attempt, so a key names one logical message; what else the message carried (`MessagePayload`) is kept
/// beside it, so every receive is checked byte for byte against what was sent.
struct QueueHistory {
    /// What one attempted message carried besides its key.
    struct Sent {
        var fifo: Bool
        var group: String?
        var payload: MessagePayload
    }

    /// key -> what its send carried.
    private(set) var attempted: [String: Sent] = [:]
    private(set) var acknowledged: Set<String> = []
    /// Keys of sends one byte past a limit: the cluster refused them, so none may ever be received.
    private(set) var refused: Set<String> = []
    /// key -> times received.
    private(set) var receivedCount: [String: Int] = [:]
    /// key -> times a client submitted a send carrying it, and times the committed log enqueued it: a send
    /// submitted once is enqueued at most once (client sessions: a command re-sent by its node after a
    /// leader change or a lost forward applies once).
    private var submissions: [String: Int] = [:]
    private var enqueues: [String: Int] = [:]
    /// FIFO key -> the message id its enqueue got (a second id means it was enqueued twice).
    private var fifoMessageId: [String: String] = [:]
    /// Each attribute layout's attributes, built once (they do not depend on the key).
    private var attributesOfLayout: [AttributeLayout: [MessageAttribute]] = [:]
    var problem: QueueProblem?

    mutating func attempt(_ key: String, fifo: Bool, group: String?, payload: MessagePayload) {
        attempted[key] = Sent(fifo: fifo, group: group, payload: payload)
    }

    /// The cluster refused the send of `key` (over a limit): it must never be received.
    mutating func refuse(_ key: String) {
        attempted[key] = nil
        refused.insert(key)
    }

    mutating func attributes(_ layout: AttributeLayout) -> [MessageAttribute] {
        if let built = attributesOfLayout[layout] { return built }
        let built = layout.make()
        attributesOfLayout[layout] = built
        return built
    }

    /// The stand-in digest a send of `key` carries, or nil for every other send. FerryQueue treats the digest
    /// as opaque, so any function of the message checks that it travels with the message (log, snapshots,
    /// leader changes, redrive) to every receive.
    static func carriedMD5(_ key: String) -> BodyMD5? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash & 1 == 0 ? BodyMD5(high: hash, low: ~hash) : nil
    }

    mutating func submitted(_ keys: [String]) {
        for key in keys { submissions[key, default: 0] += 1 }
    }

    /// The committed log enqueued `key` (first application of its index); a problem if more often than sent.
    mutating func enqueued(_ key: String, as messageId: String, index: LogIndex) -> QueueProblem? {
        guard let sent = submissions[key] else { return nil }
        enqueues[key, default: 0] += 1
        guard enqueues[key]! > sent else { return nil }
        return QueueProblem(
            invariant: "Q-session",
            detail:
                "\(key), submitted \(sent) time(s), enqueued \(enqueues[key]!) times (the last as \(messageId) at index \(index)): a re-sent command applied twice"
        )
    }

    mutating func acknowledge(_ key: String, messageId: String) {
        acknowledged.insert(key)
        noteFifoId(key, messageId, how: "acknowledged")
    }

    mutating func receive(_ message: ReceivedMessage) {
        let key = MessagePayload.key(of: message)
        receivedCount[key, default: 0] += 1
        noteFifoId(key, message.messageId, how: "received")
        guard problem == nil else { return }
        if refused.contains(key) {
            problem = QueueProblem(
                invariant: "Q-limit",
                detail: "\(key) was received as \(message.messageId), but its send was over a limit and refused")
        } else if attempted[key] != nil, message.bodyMD5 != Self.carriedMD5(key) {
            problem = QueueProblem(
                invariant: "Q-md5",
                detail:
                    "\(key) received with body digest \(String(describing: message.bodyMD5)), but its send carried \(String(describing: Self.carriedMD5(key)))"
            )
        } else if let sent = attempted[key], let mismatch = mismatch(message, key: key, sent: sent) {
            problem = QueueProblem(
                invariant: "Q-bytes", detail: "\(key) received as \(message.messageId) with \(mismatch)")
        }
    }

    /// What differs between a received message and what its send carried, or nil when it is byte-exact.
    private mutating func mismatch(_ message: ReceivedMessage, key: String, sent: Sent) -> String? {
        let payload = sent.payload
        if !payload.bodyMatches(message.body, key: key) {
            return "a body of \(message.body.count) bytes that is not the \(payload.body(key: key).count) bytes sent"
        }
        if message.attributes != attributes(payload.attributes) {
            return
                "attributes \(message.attributes.map(\.name).map { $0.prefix(12) }) (\(message.attributes.reduce(0) { $0 + $1.sizeBytes }) bytes) that are not the \(payload.attributes.count) sent"
        }
        if message.awsTraceHeader != payload.traceHeader(key: key) {
            return
                "trace header of \(message.awsTraceHeader?.utf8.count ?? 0) bytes, not the \(payload.traceHeaderBytes) sent"
        }
        let group = sent.fifo ? sent.group.map(payload.fifoId) : nil
        let dedupId = sent.fifo ? payload.fifoId(key) : nil
        if message.messageGroupId != group || message.messageDeduplicationId != dedupId {
            return
                "group \(message.messageGroupId ?? "none") and dedup id \(message.messageDeduplicationId ?? "none"), not \(group ?? "none") and \(dedupId ?? "none")"
        }
        return nil
    }

    private mutating func noteFifoId(_ key: String, _ messageId: String, how: String) {
        guard attempted[key]?.fifo == true else { return }
        if let first = fifoMessageId[key] {
            if first != messageId, problem == nil {
                problem = QueueProblem(
                    invariant: "Q-dup",
                    detail: "FIFO send \(key) (one dedup id) \(how) as \(messageId), but it was enqueued as \(first)")
            }
        } else {
            fifoMessageId[key] = messageId
        }
    }

    struct Verdict {
        var lost: [String]
        var unexpected: [String]
        var recovered: Int
        var standardRedeliveries: Int
        var fifoRedeliveries: Int
    }

    /// The total-queue check, after the final drain.
    func verdict() -> Verdict {
        let lost = acknowledged.filter { receivedCount[$0] == nil }.sorted()
        let unexpected = receivedCount.keys.filter { attempted[$0] == nil }.sorted()
        let recovered = receivedCount.keys.filter { attempted[$0] != nil && !acknowledged.contains($0) }.count
        var standard = 0
        var fifo = 0
        for (key, count) in receivedCount where count > 1 {
            if attempted[key]?.fifo == true { fifo += count - 1 } else { standard += count - 1 }
        }
        return Verdict(
            lost: lost, unexpected: unexpected, recovered: recovered,
            standardRedeliveries: standard, fifoRedeliveries: fifo)
    }
}
