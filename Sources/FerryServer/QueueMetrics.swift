import FerryQueue
import Prometheus

/// Per-queue figures with a bounded label set: the first `queuesMax` queues this node sees get a `queue`
/// label of their own, every queue beyond shares the "other" series (counts summed, oldest age the largest).
/// A deleted queue's series are dropped at the next scrape, freeing its label. Loop thread only.
///
/// Counters come from commands as this node applies them, so every replica reports the same counts (since
/// its own start); gauges are the queue machine's, read at each scrape.
final class QueueMetrics {
    static let otherLabel = "other"

    final class Series {
        let label: String
        let sent: Counter
        let received: Counter
        let deleted: Counter
        let movedToDLQ: Counter
        let visible: Gauge
        let inflight: Gauge
        let delayed: Gauge
        let oldestAgeSeconds: Gauge

        init(label: String, registry metrics: MetricRegistry) {
            self.label = label
            sent = metrics.counter(MetricCatalog.queueSent, label)
            received = metrics.counter(MetricCatalog.queueReceived, label)
            deleted = metrics.counter(MetricCatalog.queueDeleted, label)
            movedToDLQ = metrics.counter(MetricCatalog.queueMovedToDLQ, label)
            visible = metrics.gauge(MetricCatalog.queueVisible, label)
            inflight = metrics.gauge(MetricCatalog.queueInflight, label)
            delayed = metrics.gauge(MetricCatalog.queueDelayed, label)
            oldestAgeSeconds = metrics.gauge(MetricCatalog.queueOldestAge, label)
        }

        func unregister(from registry: MetricRegistry) {
            for counter in [sent, received, deleted, movedToDLQ] { registry.unregister(counter) }
            for gauge in [visible, inflight, delayed, oldestAgeSeconds] { registry.unregister(gauge) }
        }
    }

    let queuesMax: Int
    private let registry: MetricRegistry
    private var byQueue: [String: Series] = [:]
    private var other: Series?
    private let queueCount: Gauge
    /// Set by `willApply` for a receive on a queue with a dead-letter queue: that queue's appended total.
    private var deadLetterBefore: (queue: String, appended: UInt64)?

    init(registry: MetricRegistry, queuesMax: Int) {
        self.registry = registry
        self.queuesMax = queuesMax
        queueCount = registry.gauge(MetricCatalog.queues)
    }

    /// The series `name` reports into, assigning it a label of its own while there is room.
    func series(_ name: String) -> Series {
        if let series = byQueue[name] { return series }
        if byQueue.count < queuesMax {
            let series = Series(label: name, registry: registry)
            byQueue[name] = series
            return series
        }
        if let other { return other }
        let series = Series(label: Self.otherLabel, registry: registry)
        other = series
        return series
    }

    // MARK: Applied commands

    func willApply(_ command: QueueCommand, machine: QueueMachine) {
        deadLetterBefore = nil
        guard case .receiveMessages(let request) = command,
            let target = machine.deadLetterQueueName(of: request.queueName),
            let appended = machine.messagesAppendedTotal(target)
        else { return }
        deadLetterBefore = (target, appended)
    }

    func applied(_ command: QueueCommand, _ result: QueueResult, machine: QueueMachine) {
        switch (command, result) {
        case (.sendMessages(let queue, _, _), .sent(let entries)):
            let count = entries.count { if case .success(let sent) = $0.result { !sent.wasDuplicate } else { false } }
            if count > 0 { series(queue).sent.increment(by: Int64(count)) }
        case (.receiveMessages(let request), .received(let messages)):
            if !messages.isEmpty { series(request.queueName).received.increment(by: Int64(messages.count)) }
            if let before = deadLetterBefore, let after = machine.messagesAppendedTotal(before.queue),
                after > before.appended
            {
                series(request.queueName).movedToDLQ.increment(by: Int64(after - before.appended))
            }
        case (.deleteMessages(let queue, _, _), .deleted(let entries)):
            let count = entries.count { if case .success = $0.result { true } else { false } }
            if count > 0 { series(queue).deleted.increment(by: Int64(count)) }
        default:
            break
        }
        deadLetterBefore = nil
    }

    // MARK: Scrape

    /// Sets every series' gauges from the machine, and drops the series of queues that no longer exist.
    func refresh(_ machine: QueueMachine, nowMs: Int64) {
        let gauges = machine.queueGauges(nowMs: nowMs)
        queueCount.set(Double(gauges.count))
        let existing = Set(gauges.map(\.name))
        for (name, series) in byQueue where !existing.contains(name) {
            series.unregister(from: registry)
            byQueue[name] = nil
        }
        var otherTotals = (visible: 0, inflight: 0, delayed: 0, oldestAgeMs: Int64(0))
        for queue in gauges {
            let series = series(queue.name)
            if series.label == Self.otherLabel {
                otherTotals.visible += queue.visible
                otherTotals.inflight += queue.inflight
                otherTotals.delayed += queue.delayed
                otherTotals.oldestAgeMs = max(otherTotals.oldestAgeMs, queue.oldestMessageAgeMs)
            } else {
                series.set(
                    visible: queue.visible, inflight: queue.inflight, delayed: queue.delayed,
                    oldestAgeMs: queue.oldestMessageAgeMs)
            }
        }
        other?.set(
            visible: otherTotals.visible, inflight: otherTotals.inflight, delayed: otherTotals.delayed,
            oldestAgeMs: otherTotals.oldestAgeMs)
    }
}

extension QueueMetrics.Series {
    func set(visible: Int, inflight: Int, delayed: Int, oldestAgeMs: Int64) {
        self.visible.set(Double(visible))
        self.inflight.set(Double(inflight))
        self.delayed.set(Double(delayed))
        oldestAgeSeconds.set(Double(oldestAgeMs) / 1000)
    }
}
