import FerryQueue

/// What the clients saw, in Jepsen's total-queue terms (docs/simulation.md, "The queue checker"): every send
/// attempted and acknowledged, every message received (drain included), by body. Bodies are unique per
/// attempt, so a body names one logical message.
struct QueueHistory {
    /// body -> true for FIFO.
    private(set) var attempted: [String: Bool] = [:]
    private(set) var acknowledged: Set<String> = []
    /// body -> times received.
    private(set) var receivedCount: [String: Int] = [:]
    /// FIFO body -> the message id its enqueue got (a second id means it was enqueued twice).
    private var fifoMessageId: [String: String] = [:]
    var problem: QueueProblem?

    /// body -> the body digest its send carried (nil: sent without one, as a node of the version before did).
    private var carriedMD5: [String: BodyMD5?] = [:]

    mutating func attempt(_ body: String, fifo: Bool) {
        attempted[body] = fifo
        carriedMD5[body] = Self.carriedMD5(body)
    }

    /// The stand-in digest a send of `body` carries, or nil for every other send. FerryQueue treats the digest
    /// as opaque, so any function of the body checks that it travels with the message (log, snapshots,
    /// leader changes, redrive) to every receive.
    static func carriedMD5(_ body: String) -> BodyMD5? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash & 1 == 0 ? BodyMD5(high: hash, low: ~hash) : nil
    }

    mutating func acknowledge(_ body: String, messageId: String) {
        acknowledged.insert(body)
        noteFifoId(body, messageId, how: "acknowledged")
    }

    mutating func receive(_ body: String, messageId: String, bodyMD5: BodyMD5?) {
        receivedCount[body, default: 0] += 1
        noteFifoId(body, messageId, how: "received")
        if let carried = carriedMD5[body], carried != bodyMD5, problem == nil {
            problem = QueueProblem(invariant: "Q-md5", detail: "\(body) received with body digest \(String(describing: bodyMD5)), but its send carried \(String(describing: carried))")
        }
    }

    private mutating func noteFifoId(_ body: String, _ messageId: String, how: String) {
        guard attempted[body] == true else { return }
        if let first = fifoMessageId[body] {
            if first != messageId, problem == nil {
                problem = QueueProblem(invariant: "Q-dup", detail: "FIFO send \(body) (one dedup id) \(how) as \(messageId), but it was enqueued as \(first)")
            }
        } else {
            fifoMessageId[body] = messageId
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
        var standard = 0, fifo = 0
        for (body, count) in receivedCount where count > 1 {
            if attempted[body] == true { fifo += count - 1 } else { standard += count - 1 }
        }
        return Verdict(lost: lost, unexpected: unexpected, recovered: recovered,
                       standardRedeliveries: standard, fifoRedeliveries: fifo)
    }
}
