import FerryNode
import FerryQueue

/// A sequential reference model of SQS semantics (docs/sqs-wire.md, "Queue attributes", "Message limits" and "Semantics"), written from SQS's rules and not
/// from `QueueMachine`'s code, so that it does not share the machine's bugs. The checker feeds it every
/// committed command in index order with the leader's stamp, and it judges the machine's output field by
/// field: which messages a receive delivers, their bodies, attributes, receive counts and timestamps, which
/// receipt handles are valid, FIFO group locks and deduplication, ReceiveRequestAttemptId retries,
/// dead-letter redrive, purge and queue lifecycle; and SNS topics' fan-out into the queues
/// (SQSReferenceModel+Topics.swift).
///
/// What SQS leaves to the implementation the model takes from the machine and checks for what SQS promises:
/// message ids (unique, kept across a redrive), receipt handles (new on every receive), FIFO sequence
/// numbers (growing within a group); and where SQS allows a choice, the model makes Ferry's documented one:
/// a standard receive takes visible messages in the order they became visible, a FIFO receive serves groups
/// in the order they became receivable, as many of one group as it can; a delete with an older handle of a
/// standard queue deletes. Error codes are compared; their wording is FerrySQS's to test.
///
/// Not modelled (their outputs are not judged, and the workload does not send them): tags, move tasks,
/// ContentBasedDeduplication, the in-flight quota, and attribute validation beyond the limits of b3.
struct SQSReferenceModel {
    struct Message {
        var seq: Int
        var messageId: String
        let entry: SendEntry
        var sentMs: Int64
        var visibleAtMs: Int64
        var receiveCount = 0
        var firstReceiveMs: Int64 = 0
        var lastReceiveMs: Int64 = 0
        /// The handle of the latest receive: the only one that may change or (FIFO) delete the message.
        var latestHandle: String?
        /// Adopted from the machine: at the send (FIFO), or at the first receive after a redrive.
        var sequenceNumber: String?
        var deadLetterSource: String?

        func isInFlight(_ now: Int64) -> Bool { receiveCount > 0 && visibleAtMs > now }
        func isVisible(_ now: Int64) -> Bool { visibleAtMs <= now }
    }

    struct Redrive {
        var target: String
        var maxReceiveCount: Int
    }

    struct Queue {
        let name: String
        /// The attributes as set; `isFifo` and `redrive` are read from them on every command, so they are
        /// kept parsed beside them.
        var raw: [String: String] { didSet { parseAttributes() } }
        private(set) var isFifo = false
        private(set) var redrive: Redrive?
        var messages: [Int: Message] = [:]
        var nextSeq = 1
        /// Standard: visible messages, in the order they became visible.
        var ready: [Int] = []
        /// Messages that become visible at a time to come: (deadline, seq, receive count when set).
        private(set) var pending: [(ms: Int64, seq: Int, receives: Int)] = []
        /// The earliest deadline in `pending` (`.max`: none), so that a command's time is checked against each
        /// queue's timers without reading them all.
        private(set) var earliestPendingMs = Int64.max
        /// FIFO: each group's messages in send order; groups that may be served, in the order they became so.
        var groups: [String: [Int]] = [:]
        var groupQueue: [String] = []
        var queuedGroups: Set<String> = []
        /// FIFO deduplication: key -> the original's id and sequence number, until the window ends.
        var dedup: [String: (messageId: String, sequenceNumber: String?, untilMs: Int64)] = [:]
        var attempts: [String: (items: [(seq: Int, receives: Int, deadlineMs: Int64)], untilMs: Int64)] = [:]
        /// FIFO: each group's latest sequence number (SQS: it grows within a group).
        var lastSequenceNumber: [String: String] = [:]
        /// Every handle this queue issued -> (message, which receive).
        var handles: [String: (seq: Int, receive: Int)] = [:]
        var lastPurgeMs: Int64?

        init(name: String, raw: [String: String]) {
            self.name = name
            self.raw = raw
            parseAttributes()
        }

        private mutating func parseAttributes() {
            isFifo = raw["FifoQueue"] == "true"
            redrive = raw["RedrivePolicy"].flatMap(SQSReferenceModel.parseRedrive)
        }

        func seconds(_ attribute: String, _ defaultValue: Int) -> Int64 {
            Int64(raw[attribute].flatMap { Int($0) } ?? defaultValue)
        }
        var visibilityMs: Int64 { seconds("VisibilityTimeout", 30) * 1000 }
        var delayMs: Int64 { seconds("DelaySeconds", 0) * 1000 }
        var retentionMs: Int64 { seconds("MessageRetentionPeriod", 345_600) * 1000 }
        var maximumMessageBytes: Int { Int(seconds("MaximumMessageSize", 1_048_576)) }
        var dedupByGroup: Bool { raw["DeduplicationScope"] == "messageGroup" }

        func isExpired(_ message: Message, _ now: Int64) -> Bool { message.sentMs + retentionMs <= now }

        mutating func addTimer(ms: Int64, seq: Int, receives: Int) {
            pending.append((ms, seq, receives))
            earliestPendingMs = min(earliestPendingMs, ms)
        }

        mutating func clearTimers() {
            pending = []
            earliestPendingMs = .max
        }

        /// The timers due by `now`, taken out, in no particular order.
        mutating func takeDueTimers(_ now: Int64) -> [(ms: Int64, seq: Int, receives: Int)] {
            let due = pending.filter { $0.ms <= now }
            pending.removeAll { $0.ms <= now }
            earliestPendingMs = pending.lazy.map(\.ms).min() ?? .max
            return due
        }
    }

    static let dedupWindowMs: Int64 = 5 * 60_000
    static let attemptWindowMs: Int64 = 5 * 60_000
    static let purgeCooldownMs: Int64 = 60_000
    static let deleteCooldownMs: Int64 = 60_000
    static let visibilityTotalMaxMs: Int64 = 43_200_000

    let arnPrefix: String
    var queues: [String: Queue] = [:]
    var recentlyDeleted: [String: Int64] = [:]
    var topics: [String: Topic] = [:]
    var nowMs: Int64 = 0
    /// Message ids every send minted: a second one is a duplicate id.
    var mintedIds: Set<String> = []
    /// Messages moved to a dead-letter queue by the last command (their ids), for the log model.
    var movedByLastCommand: [String] = []

    init(arnPrefix: String = "arn:aws:sqs:us-east-1:000000000000:") {
        self.arnPrefix = arnPrefix
    }

    /// Applies one committed command and judges the machine's output: a broken property (Q-dlq, Q-handle),
    /// or any field that differs from the model's (Q-model); nil when they agree.
    mutating func apply(_ command: QueueCommand, _ output: QueueResult, _ stamp: EntryStamp) -> QueueProblem? {
        nowMs = max(nowMs, Int64(clamping: stamp.timeMs))
        movedByLastCommand = []
        // Each queue's timers touch that queue alone, so the order queues are visited in does not matter;
        // most commands find none due, and listing those that are costs no sort.
        for name in queues.keys.filter({ queues[$0]!.earliestPendingMs <= nowMs }) { promote(name) }
        if let broken = brokenProperty(command, output) { return broken }
        guard let difference = judged(command, output) else { return nil }
        return QueueProblem(
            invariant: "Q-model",
            detail: "index \(stamp.index) at \(nowMs) ms, \(abbreviated(command, characters: 300)): \(difference)")
    }

    /// SQS's promises checked on the machine's output alone: a message received more than maxReceiveCount
    /// times must be in the dead-letter queue instead; only the latest receive's handle deletes or changes a
    /// FIFO message.
    private func brokenProperty(_ command: QueueCommand, _ output: QueueResult) -> QueueProblem? {
        switch (command, output) {
        case (.receiveMessages(let request), .received(let messages)):
            guard let redrive = queues[request.queueName]?.redrive, queues[redrive.target] != nil else { return nil }
            for message in messages where message.approximateReceiveCount > redrive.maxReceiveCount {
                return QueueProblem(
                    invariant: "Q-dlq",
                    detail:
                        "\(message.messageId) received from \(request.queueName) for the \(message.approximateReceiveCount)th time, past its maxReceiveCount \(redrive.maxReceiveCount): it belongs in \(redrive.target)"
                )
            }
        case (.deleteMessages(let name, let entries, _), .deleted(let results)),
            (.changeVisibility(let name, let entries, _), .visibilityChanged(let results)):
            guard let queue = queues[name], queue.isFifo else { return nil }
            for (entry, result) in zip(entries, results) {
                guard case .success = result.result, let issued = queue.handles[entry.receiptHandle],
                    let message = queue.messages[issued.seq], message.latestHandle != entry.receiptHandle
                else { continue }
                return QueueProblem(
                    invariant: "Q-handle",
                    detail:
                        "\(name): a handle of receive \(issued.receive) of \(message.messageId) was accepted, but it was received \(message.receiveCount) times: only the latest handle is valid"
                )
            }
        default:
            break
        }
        return nil
    }

    private mutating func judged(_ command: QueueCommand, _ output: QueueResult) -> String? {
        var judge = Judge(output: output)
        switch command {
        case .createQueue(let name, let attributes, _): createQueue(name, attributes, &judge)
        case .deleteQueue(let name):
            if queues.removeValue(forKey: name) == nil {
                judge.expectError(.queueDoesNotExist)
            } else {
                recentlyDeleted[name] = nowMs
                judge.expectDone()
            }
        case .setQueueAttributes(let name, let attributes):
            guard queues[name] != nil else {
                judge.expectError(.queueDoesNotExist)
                return judge.problem
            }
            guard case .done = output else { return nil }  // attribute validation is not modelled
            for attribute in attributes { queues[name]!.raw[attribute.key] = attribute.value }
        case .purgeQueue(let name): purge(name, &judge)
        case .sendMessages(let name, let entries, let isBatch): send(name, entries, isBatch: isBatch, &judge)
        case .receiveMessages(let request): receive(request, &judge)
        case .deleteMessages(let name, let entries, let isBatch):
            let now = nowMs
            handleCommand(name, entries, isBatch: isBatch, &judge) { queue, entry in
                Self.delete(&queue, entry.receiptHandle, now)
            }
        case .changeVisibility(let name, let entries, let isBatch):
            let now = nowMs
            handleCommand(name, entries, isBatch: isBatch, &judge) { queue, entry in
                Self.changeVisibility(&queue, entry.receiptHandle, seconds: entry.visibilityTimeoutSeconds, now)
            }
        case .tick: tick(&judge)
        case .tagQueue, .untagQueue, .startMessageMoveTask, .cancelMessageMoveTask, .addPermission, .removePermission:
            return nil
        case .topic(let command): topicCommand(command, &judge)  // SQSReferenceModel+Topics.swift
        }
        return judge.problem
    }

    // MARK: Queues

    private mutating func createQueue(_ name: String, _ attributes: [KeyValue], _ judge: inout Judge) {
        let raw = Dictionary(attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        if let existing = queues[name] {
            // Idempotent with the same attributes (those the request names), QueueNameExists otherwise.
            if raw.contains(where: { existing.raw[$0.key] != $0.value }) { return judge.expectError(.queueNameExists) }
            return judge.expect(.queueCreated(name: name))
        }
        if let deleted = recentlyDeleted[name], nowMs - deleted < Self.deleteCooldownMs {
            return judge.expectError(.queueDeletedRecently)
        }
        if let redrive = raw["RedrivePolicy"] {
            guard let policy = Self.parseRedrive(redrive), let target = queues[policy.target], target.name != name,
                target.isFifo == (raw["FifoQueue"] == "true")
            else { return judge.expectError(.invalidParameterValue) }
        }
        guard case .queueCreated = judge.output else { return judge.expect(.queueCreated(name: name)) }
        queues[name] = Queue(name: name, raw: raw)
        recentlyDeleted[name] = nil
        judge.expect(.queueCreated(name: name))
    }

    private mutating func purge(_ name: String, _ judge: inout Judge) {
        guard var queue = queues[name] else { return judge.expectError(.queueDoesNotExist) }
        if let last = queue.lastPurgeMs, nowMs - last < Self.purgeCooldownMs {
            return judge.expectError(.purgeQueueInProgress)
        }
        queue.lastPurgeMs = nowMs
        // Every message goes; deduplication ids keep counting (they outlive their messages).
        queue.messages = [:]
        queue.ready = []
        queue.clearTimers()
        queue.groups = [:]
        queue.groupQueue = []
        queue.queuedGroups = []
        queue.attempts = [:]
        queues[name] = queue
        judge.expectDone()
    }

    private mutating func tick(_ judge: inout Judge) {
        for name in queues.keys.sorted() {
            var queue = queues.removeValue(forKey: name)!  // out of the table while it changes: no copy
            queue.dedup = queue.dedup.filter { $0.value.untilMs > nowMs }
            queue.attempts = queue.attempts.filter { $0.value.untilMs > nowMs }
            for seq in queue.messages.keys.sorted() where queue.isExpired(queue.messages[seq]!, nowMs) {
                Self.remove(&queue, seq, nowMs)
            }
            queues[name] = queue
        }
        recentlyDeleted = recentlyDeleted.filter { nowMs - $0.value < Self.deleteCooldownMs }
        judge.expectDone()
    }

    /// `{"deadLetterTargetArn": "arn:...:name", "maxReceiveCount": N}` (N as a number or a string).
    static func parseRedrive(_ json: String) -> Redrive? {
        func value(of key: String) -> String? {
            guard let keyRange = json.firstRange(of: "\"\(key)\"") else { return nil }
            let separators: Set<Character> = [" ", ":", "\""]
            let ends: Set<Character> = ["\"", ",", "}", " "]
            let rest = json[keyRange.upperBound...].drop { separators.contains($0) }
            return String(rest.prefix { !ends.contains($0) })
        }
        guard let arn = value(of: "deadLetterTargetArn"), let target = arn.split(separator: ":").last,
            let count = value(of: "maxReceiveCount").flatMap({ Int($0) })
        else { return nil }
        return Redrive(target: String(target), maxReceiveCount: count)
    }

    // MARK: Visibility over time

    /// Messages whose delay or visibility timeout ended by now become visible, in order of that time (then
    /// send order); a FIFO group whose head became visible may be served.
    private mutating func promote(_ name: String) {
        var queue = queues.removeValue(forKey: name)!  // out of the table while it changes: no copy
        let due = queue.takeDueTimers(nowMs).sorted {
            ($0.ms, $0.seq, $0.receives) < ($1.ms, $1.seq, $1.receives)
        }
        // A timer whose message was deleted, received again or had its visibility changed is void.
        let live = due.filter { timer in
            queue.messages[timer.seq].map { $0.visibleAtMs == timer.ms && $0.receiveCount == timer.receives } ?? false
        }
        // Messages whose timeouts end together are let go one at a time, in (deadline, send) order; a group
        // is unlocked when the last of its messages is.
        var stillHeld = Set(live.filter { $0.receives > 0 }.map(\.seq))
        for timer in live {
            stillHeld.remove(timer.seq)
            if queue.isFifo {
                Self.refreshGroup(
                    &queue, queue.messages[timer.seq]!.entry.messageGroupId ?? "", nowMs, stillHeld: stillHeld)
            } else {
                queue.ready.append(timer.seq)
            }
        }
        queues[name] = queue
    }

    static func setVisibleAt(_ queue: inout Queue, _ seq: Int, _ ms: Int64, _ now: Int64) {
        queue.messages[seq]!.visibleAtMs = ms
        if ms > now { queue.addTimer(ms: ms, seq: seq, receives: queue.messages[seq]!.receiveCount) }
    }

    /// A FIFO group may be served when nothing of it is in flight and its oldest message is visible.
    static func refreshGroup(_ queue: inout Queue, _ group: String, _ now: Int64, stillHeld: Set<Int> = []) {
        let members = queue.groups[group] ?? []
        let locked = members.contains { queue.messages[$0]!.isInFlight(now) || stillHeld.contains($0) }
        if members.isEmpty && !locked && !queue.queuedGroups.contains(group) {
            queue.groups[group] = nil
            return
        }
        if !locked, !queue.queuedGroups.contains(group), let head = members.first, queue.messages[head]!.isVisible(now)
        {
            queue.queuedGroups.insert(group)
            queue.groupQueue.append(group)
        }
    }

    static func remove(_ queue: inout Queue, _ seq: Int, _ now: Int64, refreshing: Bool = true) {
        guard let message = queue.messages.removeValue(forKey: seq) else { return }
        guard queue.isFifo, let group = message.entry.messageGroupId else { return }
        queue.groups[group]?.removeAll { $0 == seq }
        if refreshing { refreshGroup(&queue, group, now) }
    }

    /// Adds a message at the back of the queue (a send, or a redrive into a dead-letter queue).
    @discardableResult
    static func append(_ queue: inout Queue, _ message: Message, _ now: Int64) -> Int {
        var message = message
        let seq = queue.nextSeq
        queue.nextSeq += 1
        message.seq = seq
        message.latestHandle = nil
        queue.messages[seq] = message
        if queue.isFifo {
            let group = message.entry.messageGroupId ?? ""
            queue.groups[group, default: []].append(seq)
            if message.visibleAtMs > now {
                queue.addTimer(ms: message.visibleAtMs, seq: seq, receives: message.receiveCount)
            }
            refreshGroup(&queue, group, now)
        } else if message.visibleAtMs > now {
            queue.addTimer(ms: message.visibleAtMs, seq: seq, receives: message.receiveCount)
        } else {
            queue.ready.append(seq)
        }
        return seq
    }
}
