import FerryQueue

/// A seed's pub/sub workload (issue 23): a standard and a FIFO topic, a few queues subscribed to each with
/// simple filters (`TopicFilterModel`), raw or enveloped, on message attributes or the message body; now and
/// then a standard queue subscribed to the FIFO topic, and a subscription whose queue does not exist, with a
/// dead-letter queue or without; and publishers.
public struct TopicWorkload: CustomStringConvertible, Sendable {
    struct Subscription: Sendable {
        var topic: String
        var queue: String
        /// False: the queue is never created, so deliveries go to `deadLetterQueue`, or are counted.
        var queueExists: Bool
        var raw: Bool
        var bodyScope: Bool
        var filter: TopicFilterModel?
        var deadLetterQueue: String?

        /// Where the subscription's messages end up, if anywhere.
        var destination: String? { queueExists ? queue : deadLetterQueue }
    }

    static let standardTopic = "t-std"
    static let fifoTopic = "t-fifo.fifo"
    /// Every queue of the pub/sub workload starts so (and no other queue does).
    static let queuePrefix = "t-"
    /// The cluster's advertised URL as the publish commands carry it (for the envelope's URLs).
    static let endpointBase = "http://ferry.sim:9324"

    /// The filters a subscription draws from (nil: no filter policy).
    static let filters: [TopicFilterModel?] = [
        nil,
        TopicFilterModel(keys: [.init(name: "color", conditions: [.exact("red")])]),
        TopicFilterModel(keys: [.init(name: "color", conditions: [.exact("red"), .exact("blue")])]),
        TopicFilterModel(keys: [.init(name: "color", conditions: [.prefix("gr")])]),
        TopicFilterModel(keys: [.init(name: "color", conditions: [.anythingBut(["red"])])]),
        TopicFilterModel(keys: [.init(name: "size", conditions: [.atLeast(5)])]),
        TopicFilterModel(keys: [.init(name: "size", conditions: [.number(3), .number(7)])]),
        TopicFilterModel(keys: [
            .init(name: "color", conditions: [.exact("blue")]), .init(name: "size", conditions: [.below(3)]),
        ]),
    ]

    public var publisherCount: Int
    var contentBasedDeduplication: Bool
    var subscriptions: [Subscription]
    /// A publish is a PublishBatch of 2-3 entries with this chance.
    var batchChance: Double
    /// A publish omits each of its two attributes (and body fields) with this chance.
    var omitChance: Double

    static func draw(seed: UInt64) -> TopicWorkload {
        var random = Xoshiro256StarStar(seed: seed ^ 0x5_7095_1C5)
        var subscriptions: [Subscription] = []
        for (topic, suffix) in [(standardTopic, ""), (fifoTopic, ".fifo")] {
            for n in 0..<random.int(in: 1...3) {
                subscriptions.append(
                    Subscription(
                        topic: topic, queue: "t-\(suffix.isEmpty ? "s" : "f")\(n)\(suffix)", queueExists: true,
                        raw: random.chance(0.5), bodyScope: random.chance(0.3),
                        filter: random.pick(filters), deadLetterQueue: nil))
            }
            if !suffix.isEmpty && random.chance(0.5) {
                subscriptions.append(
                    Subscription(
                        topic: topic, queue: "t-fs", queueExists: true, raw: random.chance(0.5),
                        bodyScope: random.chance(0.3), filter: random.pick(filters), deadLetterQueue: nil))
            }
            if random.chance(0.4) {
                subscriptions.append(
                    Subscription(
                        topic: topic, queue: "t-gone\(suffix)", queueExists: false, raw: random.chance(0.5),
                        bodyScope: false, filter: random.pick(filters),
                        deadLetterQueue: random.chance(0.7) ? "t-dlq\(suffix)" : nil))
            }
        }
        return TopicWorkload(
            publisherCount: random.int(in: 1...2), contentBasedDeduplication: random.chance(0.5),
            subscriptions: subscriptions, batchChance: random.chance(0.5) ? random.logUniform(in: 0.05...0.5) : 0,
            omitChance: random.logUniform(in: 0.02...0.3))
    }

    /// The queues the workload creates: subscribed queues that exist, and dead-letter queues.
    var queues: [String] {
        var names: [String] = []
        for subscription in subscriptions {
            for name in [subscription.queueExists ? subscription.queue : nil, subscription.deadLetterQueue].compactMap({
                $0
            })
            where !names.contains(name) { names.append(name) }
        }
        return names
    }

    public var description: String {
        let parts = subscriptions.map { s in
            "\(s.queueExists ? s.queue : "\(s.queue)(missing, dlq \(s.deadLetterQueue ?? "none"))")\(s.raw ? " raw" : "")\(s.bodyScope ? " body" : "") \(s.filter?.text ?? "all")"
        }
        return
            "\(publisherCount) publishers, batch \(batchChance), omit \(omitChance), content dedup \(contentBasedDeduplication ? "on" : "off"); subscriptions: \(parts.joined(separator: "; "))"
    }
}
