/// Dead-letter queues (docs/sqs-wire.md, "Dead-letter queues"): the move at receive time, DeadLetterQueueSourceArn, and
/// ListDeadLetterSourceQueues.
extension QueueMachine {
    /// Appends messages that left `sourceName` (dead-lettered) to `target`. Standard queues keep the original
    /// SentTimestamp, so retention counts from the first send; FIFO queues reset it (AWS DLQ-retention page).
    mutating func deliverMoved(_ moved: [OutgoingMessage], to target: QueueID, fromDeadLetterSource sourceName: String)
    {
        let now = nowMs
        let delivered: Void? = withQueue(id: target) { queue in
            for message in moved {
                queue.appendMoved(message, deadLetterSource: sourceName, resetCount: false, now: now)
            }
        }
        precondition(delivered != nil, "the dead-letter target was looked up in this same command")
    }

    /// The names of queues whose RedrivePolicy targets `name`, sorted, one page after `nextToken`.
    public func listDeadLetterSourceQueues(
        _ name: String, maxResults: Int? = nil, nextToken: String? = nil
    )
        -> Result<(names: [String], nextToken: String?), QueueError>
    {
        guard queueIdByName[name] != nil else { return .failure(.noQueue(name)) }
        let target = arn(of: name)
        let sources = queueIdByName.keys.sorted().filter { source in
            queues[queueIdByName[source]!]!.attributes.redrivePolicy?.deadLetterTargetArn == target
        }
        return .success(page(sources, maxResults: maxResults, after: nextToken))
    }

    /// A page of sorted names after `token` (the last name of the previous page). SQS returns a NextToken only
    /// when MaxResults was given and more remain.
    func page(_ names: [String], maxResults: Int?, after token: String?) -> (names: [String], nextToken: String?) {
        let start = token.map { t in names.firstIndex { $0 > t } ?? names.count } ?? 0
        let limit = min(maxResults ?? QueueLimits.listQueuesResultsMax, QueueLimits.listQueuesResultsMax)
        let end = min(names.count, start + limit)
        let pageNames = Array(names[start..<end])
        let more = maxResults != nil && end < names.count
        return (pageNames, more ? pageNames.last : nil)
    }
}

extension QueueState {
    /// Enqueues a message that moved here, visible at once. It keeps its MessageId; `resetCount` (move tasks)
    /// starts its receive count over.
    mutating func appendMoved(_ message: OutgoingMessage, deadLetterSource: String?, resetCount: Bool, now: Int64) {
        let extras =
            (message.extras
            ?? MessageExtras(
                attributes: [], awsTraceHeader: nil, messageGroupId: nil, messageDeduplicationId: nil,
                originalMessageId: nil, deadLetterSourceQueueName: nil
            )).moved(originalMessageId: message.messageId, deadLetterSourceQueueName: deadLetterSource)
        let groupName: String? = isFifo ? (extras.messageGroupId ?? "") : nil
        _ = append(
            body: message.body, sentMs: isFifo ? now : message.sentMs, visibleAtMs: now,
            receiveCount: resetCount ? 0 : message.receiveCount,
            firstReceiveMs: resetCount ? 0 : message.firstReceiveMs,
            extras: extras, groupName: groupName, now: now)
    }
}
