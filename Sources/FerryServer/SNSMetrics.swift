import FerryQueue
import Prometheus

/// SNS figures (docs/metrics.md, "SNS topics"): publishes by topic kind and outcome, and what became of each
/// subscription's copy. Counted from commands as this node applies them, by the difference of the machine's
/// `publishTally` around each publish, so every replica reports the same counts. Label values come from
/// closed sets only. Loop thread only.
final class SNSMetrics {
    private struct Kind {
        let published, duplicate, refused: Counter

        init(_ name: String, _ registry: MetricRegistry) {
            published = registry.counter(MetricCatalog.snsPublishes, name, "published")
            duplicate = registry.counter(MetricCatalog.snsPublishes, name, "duplicate")
            refused = registry.counter(MetricCatalog.snsPublishes, name, "refused")
        }
    }

    private let standard: Kind
    private let fifo: Kind
    private let delivered, deadLettered, failed, filteredOut: Counter
    private let topics, subscriptions: Gauge
    private var before: PublishTally?

    init(registry: MetricRegistry) {
        standard = Kind("standard", registry)
        fifo = Kind("fifo", registry)
        delivered = registry.counter(MetricCatalog.snsDeliveries, "delivered")
        deadLettered = registry.counter(MetricCatalog.snsDeliveries, "dead_lettered")
        failed = registry.counter(MetricCatalog.snsDeliveries, "failed")
        filteredOut = registry.counter(MetricCatalog.snsDeliveriesFilteredOut)
        topics = registry.gauge(MetricCatalog.snsTopics)
        subscriptions = registry.gauge(MetricCatalog.snsSubscriptions)
    }

    func willApply(_ command: QueueCommand, machine: QueueMachine) {
        before = nil
        if case .topic(.publish) = command { before = machine.publishTally }
    }

    func applied(_ command: QueueCommand, _ result: QueueResult, machine: QueueMachine) {
        defer { before = nil }
        guard case .topic(.publish(let topicName, let entries, _, _)) = command, let before else { return }
        let after = machine.publishTally
        // A FIFO topic's name ends in .fifo and no standard topic's does (TopicValidation).
        let kind = topicName.hasSuffix(".fifo") ? fifo : standard
        let published =
            (after.standardPublished - before.standardPublished) + (after.fifoPublished - before.fifoPublished)
        let duplicates = after.duplicates - before.duplicates
        kind.published.increment(by: Int64(published))
        kind.duplicate.increment(by: Int64(duplicates))
        let refused: Int
        switch result {
        case .failed: refused = entries.count
        case .published(let results): refused = results.count { if case .failure = $0.result { true } else { false } }
        default: refused = 0
        }
        kind.refused.increment(by: Int64(refused))
        delivered.increment(by: Int64(after.delivered - before.delivered))
        deadLettered.increment(by: Int64(after.deadLettered - before.deadLettered))
        failed.increment(by: Int64(after.failed - before.failed))
        filteredOut.increment(by: Int64(after.filteredOut - before.filteredOut))
    }

    /// Scrape: the topic and subscription counts.
    func refresh(_ machine: QueueMachine) {
        topics.set(Double(machine.topicCount))
        subscriptions.set(Double(machine.subscriptionCount))
    }
}
