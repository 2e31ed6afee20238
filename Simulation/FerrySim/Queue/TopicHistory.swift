import FerryQueue

/// What the publishers and the consumers of subscribed queues saw, checked per subscription (Q-topic): every
/// acknowledged publish that matches a subscription's filter is in its queue (its dead-letter queue if the
/// queue is missing) exactly once for a FIFO topic (its standard queues too: the topic deduplicates), at least
/// once for a standard one; no publish that does not match is ever there; per FIFO group, publishes reach each
/// FIFO queue in publish order (a standard queue gets a FIFO topic's publishes without group). Copies are told
/// apart by the message id of the queue's message (a redelivery keeps it; a second enqueue gets a new one).
struct TopicHistory {
    struct Published {
        var topic: String
        var group: String?
        var entry: PublishEntry
        /// The publisher's running number: one group has one publisher, so this is the group's publish order.
        var number: Int
    }

    private(set) var attempted: [String: Published] = [:]
    private(set) var acknowledged: Set<String> = []
    /// queue -> key -> the message ids it was received as.
    private var idsByQueue: [String: [String: Set<String>]] = [:]
    /// "queue group" -> the number of the publish received first most recently.
    private var lastFirstReceipt: [String: Int] = [:]
    private(set) var received = 0
    var problem: QueueProblem?

    mutating func attempt(_ key: String, _ published: Published) { attempted[key] = published }

    mutating func acknowledge(_ key: String) { acknowledged.insert(key) }

    mutating func receive(queue: String, _ message: ReceivedMessage) {
        received += 1
        guard problem == nil else { return }
        guard let key = Self.key(in: message.body), let sent = attempted[key] else {
            problem = QueueProblem(
                invariant: "Q-topic", detail: "\(queue) delivered \(message.messageId), whose body no publish carried")
            return
        }
        let expectedGroup = queue.hasSuffix(".fifo") ? sent.group : nil
        if message.messageGroupId != expectedGroup {
            problem = QueueProblem(
                invariant: "Q-topic",
                detail:
                    "\(key) reached \(queue) in group \(message.messageGroupId ?? "none"), expected \(expectedGroup ?? "none")"
            )
            return
        }
        let isFirst = idsByQueue[queue, default: [:]][key, default: []].isEmpty
        idsByQueue[queue, default: [:]][key, default: []].insert(message.messageId)
        guard isFirst, let group = expectedGroup else { return }
        let slot = queue + " " + group
        if let last = lastFirstReceipt[slot], sent.number <= last {
            problem = QueueProblem(
                invariant: "Q-topic",
                detail:
                    "\(queue), group \(group): \(key) (publish \(sent.number)) first received after publish \(last) of the group"
            )
            return
        }
        lastFirstReceipt[slot] = sent.number
    }

    /// The publish key (`pub<publisher>-<n>`) inside a raw message or an envelope.
    static func key(in body: [UInt8]) -> String? {
        let p = UInt8(ascii: "p")
        let u = UInt8(ascii: "u")
        let b = UInt8(ascii: "b")
        let dash = UInt8(ascii: "-")
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var i = 0
        while i + 3 < body.count {
            defer { i += 1 }
            guard body[i] == p, body[i + 1] == u, body[i + 2] == b else { continue }
            var j = i + 3
            while j < body.count, isDigit(body[j]) { j += 1 }
            guard j > i + 3, j < body.count, body[j] == dash else { continue }
            var k = j + 1
            while k < body.count, isDigit(body[k]) { k += 1 }
            guard k > j + 1 else { continue }
            return String(decoding: body[i..<k], as: UTF8.self)
        }
        return nil
    }

    /// The per-subscription check, after the final drain of every queue.
    func verdict(_ workload: TopicWorkload) -> QueueProblem? {
        if let problem { return problem }
        for subscription in workload.subscriptions {
            guard let queue = subscription.destination else { continue }
            let isFifo = subscription.topic == TopicWorkload.fifoTopic
            let ids = idsByQueue[queue] ?? [:]
            for (key, copies) in ids where attempted[key]?.topic != subscription.topic {
                return QueueProblem(
                    invariant: "Q-topic",
                    detail:
                        "\(queue) holds \(key) (as \(copies.first!)), published to \(attempted[key]?.topic ?? "no topic")"
                )
            }
            for key in attempted.keys.sorted() {
                let sent = attempted[key]!
                guard sent.topic == subscription.topic else { continue }
                let matches =
                    subscription.filter.map {
                        subscription.bodyScope
                            ? $0.matches(body: sent.entry.message) : $0.matches(attributes: sent.entry.attributes)
                    } ?? true
                let copies = ids[key] ?? []
                if matches && acknowledged.contains(key) && copies.isEmpty {
                    return QueueProblem(
                        invariant: "Q-topic",
                        detail:
                            "acknowledged publish \(key) matches the subscription of \(subscription.queue) (\(subscription.filter?.text ?? "no filter")) but never reached \(queue)"
                    )
                }
                if !matches && !copies.isEmpty {
                    return QueueProblem(
                        invariant: "Q-topic",
                        detail:
                            "\(key) reached \(queue) as \(copies.sorted()), but the filter \(subscription.filter?.text ?? "") refuses it"
                    )
                }
                if isFifo && copies.count > 1 {
                    return QueueProblem(
                        invariant: "Q-topic",
                        detail: "FIFO publish \(key) is in \(queue) \(copies.count) times (\(copies.sorted()))")
                }
            }
        }
        return nil
    }
}
