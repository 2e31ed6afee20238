/// The replicated queue state machine (docs/design.md, "The seams", 4). Every replica applies the same commands in log
/// order and reaches the same state: time comes only from the leader's stamps (kept as a running maximum),
/// identifiers are derived from state, and no dictionary order reaches a result or an encoding.
///
/// ```swift
/// var machine = QueueMachine(config: .init(region: "us-east-1", accountId: "000000000000"))
/// let result = machine.apply(.sendMessages(queueName: "q", entries: [SendEntry(body: Array("hi".utf8))], isBatch: false),
///                            at: CommandStamp(logIndex: 7, timeMs: leaderClockMs))
/// ```
public struct QueueMachine: Sendable {
    public struct Config: Equatable, Sendable {
        public var region: String
        public var accountId: String
        public init(region: String, accountId: String) {
            self.region = region
            self.accountId = accountId
        }
    }

    public let config: Config
    /// `arn:aws:sqs:{region}:{account}:`, built once: every receive hands it to the messages it delivers.
    let arnPrefix: String
    /// Invariant: never decreases; the maximum of every applied stamp's time.
    public internal(set) var nowMs: Int64 = 0
    /// Invariant: strictly increases with every applied command (docs/simulation.md, "Invariants": MONO).
    public internal(set) var appliedIndex: UInt64 = 0

    var queues: [QueueID: QueueState] = [:]
    var queueIdByName: [String: QueueID] = [:]
    /// The queues the periodic tick has work in (`QueueState.hasTickWork`), so a tick over many idle queues
    /// visits only these. Derived from encoded state: kept by `withQueue`, rebuilt on restore.
    var tickQueueIds: Set<QueueID> = []
    var nextQueueId: QueueID = 1
    /// Names deleted less than `queueDeleteCooldownMs` ago, with the deletion time.
    var recentlyDeleted: [String: Int64] = [:]
    /// Every move task still listed, oldest first.
    var moveTasks: [MoveTask] = []
    var nextMoveTaskNumber: UInt64 = 1
    /// Topics by name, and every subscription by number (docs/design.md, "Topics and fan-out").
    var topics: [String: TopicState] = [:]
    var subscriptions: [UInt64: Subscription] = [:]
    /// A subscription ARN's last segment -> its number; derived, rebuilt on restore.
    var subscriptionNumberByUuid: [String: UInt64] = [:]
    var nextTopicNumber: UInt32 = 1
    /// What the publishes this machine applied did, for monitoring: not snapshotted (a restore starts it at
    /// zero), so a reader takes the difference around one command (ferryd's SNS metrics).
    public internal(set) var publishTally = PublishTally()
    var nextSubscriptionNumber: UInt64 = 1

    public init(config: Config) {
        self.config = config
        arnPrefix = "arn:aws:sqs:\(config.region):\(config.accountId):"
    }

    /// Applies one committed command. Deterministic: the same state, command and stamp give the same result
    /// and the same next state on every replica.
    public mutating func apply(_ command: QueueCommand, at stamp: CommandStamp) -> QueueResult {
        precondition(stamp.logIndex > appliedIndex, "commands apply in log order, each once")
        appliedIndex = stamp.logIndex
        nowMs = max(nowMs, stamp.timeMs)
        switch command {
        case .createQueue(let name, let attributes, let tags): return createQueue(name, attributes, tags)
        case .deleteQueue(let name): return deleteQueue(name)
        case .setQueueAttributes(let name, let attributes): return setQueueAttributes(name, attributes)
        case .tagQueue(let name, let tags): return tagQueue(name, tags)
        case .untagQueue(let name, let keys): return untagQueue(name, keys)
        case .purgeQueue(let name): return purgeQueue(name)
        case .sendMessages(let name, let entries, let isBatch): return sendMessages(name, entries, isBatch: isBatch)
        case .receiveMessages(let request): return receiveMessages(request)
        case .deleteMessages(let name, let entries, let isBatch): return deleteMessages(name, entries, isBatch: isBatch)
        case .changeVisibility(let name, let entries, let isBatch):
            return changeVisibility(name, entries, isBatch: isBatch)
        case .startMessageMoveTask(let request): return startMessageMoveTask(request)
        case .cancelMessageMoveTask(let handle): return cancelMessageMoveTask(handle)
        case .addPermission(let name, let grant): return addPermission(name, grant)
        case .removePermission(let name, let label): return removePermission(name, label)
        case .tick: return tick()
        case .topic(let command): return applyTopic(command)
        }
    }

    // MARK: Queue access

    func arn(of name: String) -> String {
        QueueARN(region: config.region, accountId: config.accountId, queueName: name).text
    }

    /// The queue an ARN names, if it is ours and exists.
    func queueId(forArn text: String) -> QueueID? {
        guard let arn = QueueARN(text), arn.region == config.region, arn.accountId == config.accountId else {
            return nil
        }
        return queueIdByName[arn.queueName]
    }

    /// Runs `body` on the named queue in place (taken out of the table so its arrays stay uniquely
    /// referenced), after bringing its timers up to now.
    mutating func withQueue<R>(_ name: String, _ body: (inout QueueState) -> R) -> R? {
        guard let id = queueIdByName[name] else { return nil }
        return withQueue(id: id, body)
    }

    mutating func withQueue<R>(id: QueueID, _ body: (inout QueueState) -> R) -> R? {
        guard var queue = queues.removeValue(forKey: id) else { return nil }
        queue.runTimers(now: nowMs)
        let result = body(&queue)
        queue.dropStaleTimers()
        queue.compactIfNeeded()
        if queue.hasTickWork { tickQueueIds.insert(id) } else { tickQueueIds.remove(id) }
        queues[id] = queue
        return result
    }

    // MARK: Queue lifecycle

    mutating func createQueue(_ name: String, _ rawAttributes: [KeyValue], _ tags: [KeyValue]) -> QueueResult {
        let attributes: QueueAttributes
        do {
            attributes = try QueueValidation.validateCreate(name: name, attributes: rawAttributes, tags: tags)
            try checkRedrive(attributes, sourceName: name)
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
        if let id = queueIdByName[name] {
            let existing = queues[id]!
            // SQS compares only the attributes the request names (the create-or-get idiom sends none), and
            // names the first that differs (recorded: test_create_queue_with_different_attributes_raises_exception).
            if let differing = Self.firstDifferingAttribute(
                rawAttributes, requested: attributes, existing: existing.attributes)
            {
                return .failed(
                    QueueError(
                        .queueNameExists,
                        "A queue already exists with the same name and a different value for attribute \(differing)"))
            }
            return .queueCreated(name: name)
        }
        if let deletedMs = recentlyDeleted[name], nowMs - deletedMs < QueueLimits.queueDeleteCooldownMs {
            return .failed(
                QueueError(
                    .queueDeletedRecently,
                    "You must wait 60 seconds after deleting a queue before you can create another with the same name.")
            )
        }
        guard queues.count < QueueLimits.queuesMax else {
            return .failed(QueueError(.overLimit, "Too many queues (at most \(QueueLimits.queuesMax))."))
        }
        let id = nextQueueId
        nextQueueId += 1
        var queue = QueueState(id: id, name: name, attributes: attributes, createdMs: nowMs)
        for tag in tags { queue.tags[tag.key] = tag.value }
        queues[id] = queue
        queueIdByName[name] = id
        recentlyDeleted[name] = nil
        return .queueCreated(name: name)
    }

    /// The first attribute `raw` names (in name order) whose effective value differs between the requested
    /// and the existing attributes; nil when the request restates the queue or names nothing.
    static func firstDifferingAttribute(
        _ raw: [KeyValue], requested: QueueAttributes,
        existing: QueueAttributes
    ) -> String? {
        let wanted = Dictionary(requested.rendered(), uniquingKeysWith: { first, _ in first })
        let current = Dictionary(existing.rendered(), uniquingKeysWith: { first, _ in first })
        for name in raw.map(\.key).sorted() where wanted[name] != current[name] { return name }
        return nil
    }

    mutating func deleteQueue(_ name: String) -> QueueResult {
        guard let id = queueIdByName.removeValue(forKey: name) else { return .failed(.noQueue(name)) }
        queues[id] = nil
        tickQueueIds.remove(id)
        recentlyDeleted[name] = nowMs
        for index in moveTasks.indices where moveTasks[index].sourceQueue == id && moveTasks[index].status == .running {
            moveTasks[index].fail("The source queue was deleted.")
        }
        return .done
    }

    mutating func setQueueAttributes(_ name: String, _ raw: [KeyValue]) -> QueueResult {
        guard let id = queueIdByName[name] else { return .failed(.noQueue(name)) }
        let current = queues[id]!.attributes
        let next: QueueAttributes
        do {
            try QueueAttributes.checkOneEncryption(raw)
            next = try current.applying(raw.map { ($0.key, $0.value) }, creating: false)
            try checkRedrive(next, sourceName: name)
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
        replaceAttributes(id: id, with: next)
        return .done
    }

    /// Installs validated attributes and stamps LastModifiedTimestamp.
    mutating func replaceAttributes(id: QueueID, with next: QueueAttributes) {
        let now = nowMs
        _ = withQueue(id: id) { queue in
            queue.attributes = next
            queue.lastModifiedMs = now
        }
    }

    /// State-dependent RedrivePolicy checks: the target exists, is of the same type, is not the queue itself,
    /// and its RedriveAllowPolicy admits this source.
    func checkRedrive(_ attributes: QueueAttributes, sourceName: String) throws {
        guard let policy = attributes.redrivePolicy else { return }
        guard let targetId = queueId(forArn: policy.deadLetterTargetArn), let target = queues[targetId] else {
            throw QueueError.invalidParameter("RedrivePolicy", "Dead letter target does not exist.")
        }
        guard target.name != sourceName else {
            throw QueueError.invalidParameter("RedrivePolicy", "A queue cannot be its own dead-letter queue.")
        }
        guard target.isFifo == attributes.isFifo else {
            throw QueueError.invalidParameter(
                "RedrivePolicy",
                "Dead-letter queue must be of the same type as the source (FIFO or standard).")
        }
        if let allow = target.attributes.redriveAllowPolicy, !allow.allows(sourceArn: arn(of: sourceName)) {
            throw QueueError.invalidParameter(
                "RedrivePolicy",
                "The dead-letter queue's RedriveAllowPolicy does not allow this source queue.")
        }
    }

    mutating func tagQueue(_ name: String, _ tags: [KeyValue]) -> QueueResult {
        guard let id = queueIdByName[name] else { return .failed(.noQueue(name)) }
        var merged = queues[id]!.tags
        for tag in tags { merged[tag.key] = tag.value }
        do {
            try QueueValidation.validateTags(merged.map { KeyValue($0.key, $0.value) }, queueName: name)
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
        _ = withQueue(id: id) { $0.tags = merged }
        return .done
    }

    mutating func untagQueue(_ name: String, _ keys: [String]) -> QueueResult {
        let found: Bool? = withQueue(name) { queue in
            for key in keys { queue.tags[key] = nil }
            return true
        }
        guard found != nil else {
            return .failed(.noQueue(name))
        }
        return .done
    }

    /// docs/sqs-wire.md, "Operations": deletes every message, in flight too; allowed once per 60 s.
    mutating func purgeQueue(_ name: String) -> QueueResult {
        let now = nowMs
        let outcome: QueueError?? = withQueue(name) { queue in
            if let last = queue.lastPurgeMs, now - last < QueueLimits.purgeCooldownMs {
                return QueueError(
                    .purgeQueueInProgress,
                    "Only one PurgeQueue operation on \(queue.name) is allowed every 60 seconds.")
            }
            queue.lastPurgeMs = now
            queue.slots = []
            queue.slotsHead = 0
            queue.deadSlots = 0
            queue.ready.removeAll()
            queue.timers.removeAll()
            queue.groups = [:]
            queue.groupIndexByName = [:]
            queue.readyGroups.removeAll()
            queue.attempts = [:]
            queue.attemptExpiry.removeAll()
            queue.visibleCount = 0
            queue.inflightCount = 0
            queue.delayedCount = 0
            return nil
        }
        guard let outcome else { return .failed(.noQueue(name)) }
        if let error = outcome { return .failed(error) }
        return .done
    }
}
