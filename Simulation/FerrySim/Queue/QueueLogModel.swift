import FerryNode
import FerryQueue
import FerryRaft

/// A broken queue promise found in the committed log.
struct QueueProblem {
    var invariant: String
    var detail: String
}

/// The committed log as a queue history: fed each applied command once, in index order (the first time any
/// replica applies that index), it keeps a model of what the queues must hold and checks every output
/// against it:
/// - Q-dup: a FIFO deduplication id enqueued twice inside the 5-minute window;
/// - Q-fifo: per FIFO group, a receive delivers exactly the oldest undeleted messages of the group, in
///   order (a later message never overtakes an earlier one that is in flight or visible);
/// - Q-limit: no message over `messageBytesMax`, and none of a batch over `batchBytesMax` or
///   `batchEntriesMax`, is ever enqueued;
/// - Q-excl: no message is delivered again before the visibility timeout of its previous delivery ended
///   in the queue's own time (the maximum of the leader stamps), unless it was deleted.
struct QueueLogModel {
    /// digests[i]: the digest of the first application of index i (0: not applied anywhere yet).
    private var digests: [UInt64] = [0]
    private var timeMs: Int64 = 0

    struct Message {
        var group: String?
        var inflightUntilMs: Int64 = 0
        var deleted = false
    }

    private var messages: [String: Message] = [:]
    private var messageOfHandle: [String: String] = [:]
    /// FIFO group -> its undeleted messages in enqueue order.
    private var pendingByGroup: [String: [String]] = [:]
    /// FIFO dedup id -> the first message enqueued with it and when.
    private var firstEnqueue: [String: (messageId: String, timeMs: Int64)] = [:]
    private(set) var redeliveries = 0

    func digest(at index: LogIndex) -> UInt64? {
        let slot = Int(index)
        return slot < digests.count && digests[slot] != 0 ? digests[slot] : nil
    }

    mutating func record(_ digest: UInt64, at index: LogIndex) {
        let slot = Int(index)
        if digests.count <= slot { digests.append(contentsOf: repeatElement(0, count: slot + 1 - digests.count)) }
        digests[slot] = digest
    }

    mutating func apply(_ command: QueueCommand, _ output: QueueResult, _ stamp: EntryStamp) -> QueueProblem? {
        timeMs = max(timeMs, Int64(clamping: stamp.timeMs))
        switch (command, output) {
        case (.sendMessages(let queue, let entries, _), .sent(let results)):
            return sent(queue: queue, entries, results, index: stamp.index)
        case (.receiveMessages(let request), .received(let delivered)):
            return received(request, delivered, index: stamp.index)
        case (.deleteMessages(_, let entries, _), .deleted(let results)):
            for (entry, result) in zip(entries, results) {
                guard case .success = result.result, let id = messageOfHandle[entry.receiptHandle] else { continue }
                delete(id)
            }
            return nil
        case (.changeVisibility(_, let entries, _), .visibilityChanged(let results)):
            // A success may have changed nothing (an older handle of a standard queue): the bound only relaxes.
            for (entry, result) in zip(entries, results) {
                guard case .success = result.result, let id = messageOfHandle[entry.receiptHandle],
                    var state = messages[id]
                else { continue }
                state.inflightUntilMs = min(
                    state.inflightUntilMs, timeMs + Int64(entry.visibilityTimeoutSeconds) * 1000)
                messages[id] = state
            }
            return nil
        default:
            return nil
        }
    }

    private mutating func sent(
        queue: String, _ entries: [SendEntry], _ results: [EntryResult<SentMessage>],
        index: LogIndex
    ) -> QueueProblem? {
        let batchBytes = entries.reduce(0) { $0 + $1.sizeBytes }
        for (entry, result) in zip(entries, results) {
            guard case .success(let sent) = result.result else { continue }
            // Checked from the sizes themselves, not through QueueValidation: the code under test.
            if entry.sizeBytes > QueueLimits.messageBytesMax || batchBytes > QueueLimits.batchBytesMax
                || entries.count > QueueLimits.batchEntriesMax
            {
                return QueueProblem(
                    invariant: "Q-limit",
                    detail:
                        "index \(index) enqueued \(sent.messageId), a message of \(entry.sizeBytes) bytes in a request of \(entries.count) entries and \(batchBytes) bytes, past SQS's limits"
                )
            }
            let isFifo = queue == QueueSimConstants.fifoQueue
            if isFifo, let dedupId = entry.messageDeduplicationId {
                if let first = firstEnqueue[dedupId], timeMs - first.timeMs < QueueLimits.dedupWindowMs {
                    if !sent.wasDuplicate {
                        return QueueProblem(
                            invariant: "Q-dup",
                            detail:
                                "dedup id \(dedupId) enqueued twice at index \(index) (first as \(first.messageId), again as \(sent.messageId)) within the window"
                        )
                    }
                    if sent.messageId != first.messageId {
                        return QueueProblem(
                            invariant: "Q-dup",
                            detail:
                                "dedup id \(dedupId) answered with \(sent.messageId), but it was enqueued as \(first.messageId)"
                        )
                    }
                    continue
                }
                if sent.wasDuplicate { continue }  // window passed in the machine's reckoning; nothing enqueued
                firstEnqueue[dedupId] = (sent.messageId, timeMs)
            }
            guard !sent.wasDuplicate else { continue }
            if messages[sent.messageId] != nil {
                return QueueProblem(
                    invariant: "Q-dup", detail: "message id \(sent.messageId) minted twice (index \(index))")
            }
            messages[sent.messageId] = Message(group: isFifo ? entry.messageGroupId : nil)
            if isFifo, let group = entry.messageGroupId { pendingByGroup[group, default: []].append(sent.messageId) }
        }
        return nil
    }

    private mutating func received(
        _ request: ReceiveRequest, _ delivered: [ReceivedMessage], index: LogIndex
    ) -> QueueProblem? {
        // A topic's fan-out copies carry ids this log model never saw enqueued: the reference model judges them.
        guard !request.queueName.hasPrefix(TopicWorkload.queuePrefix) else { return nil }
        let visibilityMs = Int64(request.visibilityTimeoutSeconds ?? 30) * 1000
        var takenInGroup: [String: Int] = [:]
        for message in delivered {
            let id = message.messageId
            guard var state = messages[id], !state.deleted else {
                return QueueProblem(
                    invariant: "Q-unexp", detail: "index \(index) delivered \(id), which is not in the queue")
            }
            // The same handle again is a ReceiveRequestAttemptId's retry of that receive, not a redelivery.
            let isRetry = request.receiveRequestAttemptId != nil && messageOfHandle[message.receiptHandle] == id
            if state.inflightUntilMs > 0 && !isRetry {
                redeliveries += 1
                if timeMs < state.inflightUntilMs {
                    return QueueProblem(
                        invariant: "Q-excl",
                        detail:
                            "index \(index) delivered \(id) again at \(timeMs) ms, while its previous delivery holds it until \(state.inflightUntilMs) ms"
                    )
                }
            }
            if let group = state.group {
                let position = takenInGroup[group, default: 0]
                let pending = pendingByGroup[group, default: []]
                guard position < pending.count, pending[position] == id else {
                    let expected = position < pending.count ? pending[position] : "nothing"
                    return QueueProblem(
                        invariant: "Q-fifo",
                        detail:
                            "index \(index) delivered \(id) of group \(group) when \(expected) was next (undeleted: \(pending.prefix(4)))"
                    )
                }
                takenInGroup[group] = position + 1
            }
            state.inflightUntilMs = timeMs + visibilityMs
            messages[id] = state
            messageOfHandle[message.receiptHandle] = id
        }
        return nil
    }

    /// Messages redriven to a dead-letter queue left their FIFO group: later receives of the group skip them,
    /// their receives from the dead-letter queue are not in group order, and their old handles are void.
    mutating func noteMoved(_ ids: [String]) {
        for id in ids {
            guard var state = messages[id] else { continue }
            if let group = state.group, let position = pendingByGroup[group]?.firstIndex(of: id) {
                pendingByGroup[group]!.remove(at: position)
            }
            state.group = nil
            messages[id] = state
        }
        // Handles of the source queue no longer reach a moved message (a delete with one succeeds, no-op).
        if !ids.isEmpty {
            let moved = Set(ids)
            messageOfHandle = messageOfHandle.filter { !moved.contains($0.value) }
        }
    }

    private mutating func delete(_ id: String) {
        guard var state = messages[id], !state.deleted else { return }
        state.deleted = true
        messages[id] = state
        if let group = state.group, let position = pendingByGroup[group]?.firstIndex(of: id) {
            pendingByGroup[group]!.remove(at: position)
        }
    }
}
