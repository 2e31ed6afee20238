/// Read-only questions the API and node layers ask between commands; none changes anything. Those that take
/// `nowMs` (the asking node's clock) answer as of `max(nowMs, machine.nowMs)`: messages whose delay or
/// visibility ended by then count as visible even before a command has run the queue's timers.
extension QueueMachine {
    public func queueExists(_ name: String) -> Bool { queueIdByName[name] != nil }

    public func queueArn(_ name: String) -> String? { queueIdByName[name] != nil ? arn(of: name) : nil }

    /// The queue name an ARN of this cluster names, if that queue exists.
    public func queueName(forArn arn: String) -> String? { queueId(forArn: arn).map { queues[$0]!.name } }

    public var queueCount: Int { queues.count }

    /// The queue's ReceiveMessageWaitTimeSeconds, nil when there is no such queue: every ReceiveMessage without
    /// a WaitTimeSeconds reads it, so it is read directly rather than rendered with every other attribute.
    public func receiveWaitSecondsDefault(_ name: String) -> Int? {
        guard let id = queueIdByName[name], let queue = queues[id] else { return nil }
        return queue.attributes.receiveMessageWaitTimeSeconds
    }

    /// ListQueues: names with the prefix, sorted, one page after `nextToken`.
    public func listQueues(
        prefix: String = "", maxResults: Int? = nil, nextToken: String? = nil
    )
        -> (names: [String], nextToken: String?)
    {
        page(queueIdByName.keys.filter { $0.hasPrefix(prefix) }.sorted(), maxResults: maxResults, after: nextToken)
    }

    /// GetQueueAttributes: `All` or named attributes, sorted by name. No names gives an empty result.
    public func getQueueAttributes(_ name: String, names: [String], nowMs: Int64 = 0) -> Result<[KeyValue], QueueError>
    {
        guard let id = queueIdByName[name], let queue = queues[id] else { return .failure(.noQueue(name)) }
        var all = queue.attributes.rendered().map { KeyValue($0.0, $0.1) }
        let counts = queue.counts(at: max(nowMs, self.nowMs))
        all += [
            KeyValue("ApproximateNumberOfMessages", String(counts.visible)),
            KeyValue("ApproximateNumberOfMessagesDelayed", String(counts.delayed)),
            KeyValue("ApproximateNumberOfMessagesNotVisible", String(counts.inflight)),
            KeyValue("CreatedTimestamp", String(queue.createdMs / 1000)),
            KeyValue("LastModifiedTimestamp", String(queue.lastModifiedMs / 1000)),
            KeyValue("QueueArn", arn(of: name)),
        ]
        all.sort { $0.key < $1.key }
        if names.contains("All") { return .success(all) }
        let known = Set(QueueAttributes.settableNames + QueueAttributes.readOnlyNames)
        for requested in names where !known.contains(requested) {
            return .failure(QueueError(.invalidAttributeName, "Unknown Attribute \(requested)."))
        }
        let wanted = Set(names)
        return .success(all.filter { wanted.contains($0.key) })
    }

    public func listQueueTags(_ name: String) -> Result<[KeyValue], QueueError> {
        guard let id = queueIdByName[name], let queue = queues[id] else { return .failure(.noQueue(name)) }
        return .success(queue.tags.keys.sorted().map { KeyValue($0, queue.tags[$0]!) })
    }

    /// For long polling: can a receive on `name` return something at `nowMs`, and if not, when might it?
    /// `.waitUntil` may be early (a stale timer); the node re-asks after every applied command anyway.
    public func receiveReadiness(_ name: String, nowMs: Int64) -> ReceiveReadiness {
        guard let id = queueIdByName[name], let queue = queues[id] else { return .noQueue }
        let now = max(nowMs, self.nowMs)
        let receivable = queue.isFifo ? queue.readyGroups.count : queue.visibleCount
        if receivable > 0 { return .ready(receivable: receivable) }
        if let next = queue.nextTimerMs { return next <= now ? .ready(receivable: 1) : .waitUntil(next) }
        return .empty
    }
}

public enum ReceiveReadiness: Equatable, Sendable {
    case noQueue
    /// Something is receivable now (a receive may still come back empty if another consumer wins):
    /// `receivable` visible messages (standard queue) or groups with a visible head (FIFO), each of which
    /// one more receive could take; 1 when only a timer has come due (a receive runs the queue's due timers
    /// first, so it finds at least that message).
    case ready(receivable: Int)
    /// Nothing now; a delayed or in-flight message may become visible at this time (ms, leader time).
    case waitUntil(Int64)
    /// Nothing stored that could become visible: wait for a send.
    case empty
}
