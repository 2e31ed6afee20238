/// Read-only figures for monitoring (ferryd's /metrics): what GetQueueAttributes counts, for every queue at
/// once, and the age of each queue's oldest message. Pure: the asking node passes its clock.
extension QueueMachine {
    /// One queue's figures as of a moment.
    public struct QueueGauges: Equatable, Sendable {
        public var name: String
        public var visible: Int
        public var inflight: Int
        public var delayed: Int
        /// How long ago the message enqueued first among those still stored was sent (0 for an empty queue):
        /// CloudWatch's ApproximateAgeOfOldestMessage. A standard dead-letter queue's moved messages keep
        /// their original SentTimestamp, so there it counts from the first send, as SQS's does.
        public var oldestMessageAgeMs: Int64
    }

    /// Every queue's figures as of `max(nowMs, machine time)`, sorted by name; the counts are the ones
    /// GetQueueAttributes answers at the same moment.
    public func queueGauges(nowMs: Int64) -> [QueueGauges] {
        let now = max(nowMs, self.nowMs)
        return queues.values.map { queue in
            let counts = queue.counts(at: now)
            return QueueGauges(
                name: queue.name, visible: counts.visible, inflight: counts.inflight, delayed: counts.delayed,
                oldestMessageAgeMs: queue.oldestSentMs.map { max(0, now - $0) } ?? 0)
        }.sorted { $0.name < $1.name }
    }

    /// The queue `name`'s dead-letter queue, when its RedrivePolicy names one that exists.
    public func deadLetterQueueName(of name: String) -> String? {
        guard let id = queueIdByName[name], let arn = queues[id]?.attributes.redrivePolicy?.deadLetterTargetArn,
            let target = queueId(forArn: arn), target != id
        else { return nil }
        return queues[target]?.name
    }

    /// How many messages were ever appended to `name` (sends, and messages moved in by a dead-letter
    /// redrive or a move task) since it was created; nil if it does not exist. Two readings around one
    /// command tell how many that command moved in.
    public func messagesAppendedTotal(_ name: String) -> UInt64? {
        guard let id = queueIdByName[name], let queue = queues[id] else { return nil }
        return queue.nextSeq - 1
    }
}

extension QueueState {
    /// The SentTimestamp of the first live message in enqueue order; nil when the queue holds none.
    /// `slotsHead` is kept on a live slot (deletes at the front advance it), so this is O(1).
    var oldestSentMs: Int64? {
        var index = slotsHead
        while index < slots.count {
            if slots[index].isLive { return slots[index].sentMs }
            index += 1
        }
        return nil
    }
}
