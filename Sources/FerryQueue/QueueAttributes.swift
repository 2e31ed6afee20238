/// A queue's settable attributes, typed, with SQS's defaults (docs/sqs-wire.md, "Queue attributes"). The wire carries
/// them as strings; `applying(_:creating:)` parses and range-checks, `rendered()` turns them back into strings.
public struct QueueAttributes: Equatable, Sendable {
    public var delaySeconds = 0
    public var maximumMessageSizeBytes = QueueLimits.messageBytesMax
    /// SQS default: 4 days.
    public var messageRetentionPeriodSeconds = 345_600
    public var receiveMessageWaitTimeSeconds = 0
    /// SQS default: 30 s.
    public var visibilityTimeoutSeconds = 30
    public var redrivePolicy: RedrivePolicy?
    public var redriveAllowPolicy: RedriveAllowPolicy?
    public var policy: String?
    public var isFifo = false
    public var contentBasedDeduplication = false
    public var deduplicationScope: DeduplicationScope = .queue
    public var fifoThroughputLimit: FifoThroughputLimit = .perQueue
    public var kmsMasterKeyId: String?
    /// SQS default: 300 s.
    public var kmsDataKeyReusePeriodSeconds = 300
    /// SQS enables SSE-SQS on new queues by default.
    public var sqsManagedSseEnabled = true

    public init() {}

    public enum DeduplicationScope: String, Sendable { case queue, messageGroup }
    public enum FifoThroughputLimit: String, Sendable { case perQueue, perMessageGroupId }

    /// Names SetQueueAttributes may change (FifoQueue only at creation, and only to the value it has).
    public static let settableNames: [String] = [
        "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue", "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
        "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled",
        "VisibilityTimeout",
    ]
    /// Names GetQueueAttributes computes from state.
    public static let readOnlyNames: [String] = [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible",
        "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
    ]
    static let fifoOnlyNames: Set<String> = [
        "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
    ]

    /// A copy with `raw` applied. `creating` allows FifoQueue; otherwise it may only restate the current value.
    /// State-independent checks only: whether a dead-letter target exists is the machine's job.
    public func applying(_ raw: [(String, String)], creating: Bool) throws -> QueueAttributes {
        var next = self
        if creating, let fifo = raw.first(where: { $0.0 == "FifoQueue" }) {
            next.isFifo = try parseBool("FifoQueue", fifo.1)
        }
        for (name, value) in raw {
            // SetQueueAttributes on a standard queue does not know FifoQueue at all (recorded:
            // test_set_unsupported_attribute_fifo).
            if !next.isFifo && (QueueAttributes.fifoOnlyNames.contains(name) || (!creating && name == "FifoQueue")) {
                throw QueueError(.invalidAttributeName, "Unknown Attribute \(name).")
            }
            try next.set(name, value, creating: creating)
        }
        // A KMS key replaces SSE-SQS unless the request says otherwise (AWS then shows SqsManagedSseEnabled
        // false; recorded: test_sse_queue_attributes).
        if raw.contains(where: { $0.0 == "KmsMasterKeyId" && !$0.1.isEmpty }),
            !raw.contains(where: { $0.0 == "SqsManagedSseEnabled" })
        {
            next.sqsManagedSseEnabled = false
        }
        if next.fifoThroughputLimit == .perMessageGroupId && next.deduplicationScope != .messageGroup {
            throw QueueError.invalidAttributeValue(
                "FifoThroughputLimit", "perMessageGroupId requires DeduplicationScope messageGroup")
        }
        return next
    }

    /// A request may not ask for both kinds of server-side encryption (recorded:
    /// test_sse_kms_and_sqs_are_mutually_exclusive). Checked on requests only, not when restoring a snapshot,
    /// which may hold both from before this check.
    public static func checkOneEncryption(_ raw: [KeyValue]) throws {
        let kms = raw.contains { $0.key == "KmsMasterKeyId" && !$0.value.isEmpty }
        let sqs = raw.contains { $0.key == "SqsManagedSseEnabled" && $0.value.lowercased() == "true" }
        if kms && sqs {
            throw QueueError(
                .invalidAttributeName,
                "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
            )
        }
    }

    private mutating func set(_ name: String, _ value: String, creating: Bool) throws {
        switch name {
        case "DelaySeconds": delaySeconds = try parseInt(name, value, 0...QueueLimits.delaySecondsMax)
        case "MaximumMessageSize":
            maximumMessageSizeBytes = try parseInt(
                name, value, QueueLimits.messageBytesMin...QueueLimits.messageBytesMax)
        case "MessageRetentionPeriod":
            messageRetentionPeriodSeconds = try parseInt(
                name, value, QueueLimits.retentionSecondsMin...QueueLimits.retentionSecondsMax)
        case "ReceiveMessageWaitTimeSeconds":
            receiveMessageWaitTimeSeconds = try parseInt(name, value, 0...QueueLimits.waitTimeSecondsMax)
        case "VisibilityTimeout":
            visibilityTimeoutSeconds = try parseInt(name, value, 0...QueueLimits.visibilityTimeoutSecondsMax)
        case "RedrivePolicy": redrivePolicy = value.isEmpty ? nil : try RedrivePolicy.parse(value)
        case "RedriveAllowPolicy":
            // Kept as sent, so bounded like the other free-form attributes.
            redriveAllowPolicy = value.isEmpty ? nil : try RedriveAllowPolicy.parse(try freeform(name, value))
        case "Policy": policy = value.isEmpty ? nil : try freeform(name, value)
        case "FifoQueue":
            let fifo = try parseBool(name, value)
            if fifo != isFifo {
                throw QueueError.invalidAttributeValue(
                    name,
                    creating
                        ? "a standard queue cannot set FifoQueue" : "Modifying queue type is not supported.")
            }
        case "ContentBasedDeduplication": contentBasedDeduplication = try parseBool(name, value)
        case "DeduplicationScope":
            guard let scope = DeduplicationScope(rawValue: value) else {
                throw QueueError.invalidAttributeValue(name, "must be queue or messageGroup")
            }
            deduplicationScope = scope
        case "FifoThroughputLimit":
            guard let limit = FifoThroughputLimit(rawValue: value) else {
                throw QueueError.invalidAttributeValue(name, "must be perQueue or perMessageGroupId")
            }
            fifoThroughputLimit = limit
        case "KmsMasterKeyId": kmsMasterKeyId = value.isEmpty ? nil : try freeform(name, value)
        case "KmsDataKeyReusePeriodSeconds":
            kmsDataKeyReusePeriodSeconds = try parseInt(
                name, value, QueueLimits.kmsReuseSecondsMin...QueueLimits.kmsReuseSecondsMax)
        case "SqsManagedSseEnabled": sqsManagedSseEnabled = try parseBool(name, value)
        default:
            throw QueueError(.invalidAttributeName, "Unknown Attribute \(name).")
        }
    }

    /// Every attribute with its effective value, sorted by name: what GetQueueAttributes `All` shows for the
    /// settable part, and the canonical form CreateQueue compares for idempotency.
    public func rendered() -> [(String, String)] {
        var out: [(String, String)] = [
            ("DelaySeconds", String(delaySeconds)),
            ("MaximumMessageSize", String(maximumMessageSizeBytes)),
            ("MessageRetentionPeriod", String(messageRetentionPeriodSeconds)),
            ("ReceiveMessageWaitTimeSeconds", String(receiveMessageWaitTimeSeconds)),
            ("SqsManagedSseEnabled", String(sqsManagedSseEnabled)),
            ("VisibilityTimeout", String(visibilityTimeoutSeconds)),
        ]
        if let redrivePolicy { out.append(("RedrivePolicy", redrivePolicy.json)) }
        if let redriveAllowPolicy { out.append(("RedriveAllowPolicy", redriveAllowPolicy.json)) }
        if let policy { out.append(("Policy", policy)) }
        if let kmsMasterKeyId { out.append(("KmsMasterKeyId", kmsMasterKeyId)) }
        if kmsMasterKeyId != nil || kmsDataKeyReusePeriodSeconds != QueueAttributes().kmsDataKeyReusePeriodSeconds {
            out.append(("KmsDataKeyReusePeriodSeconds", String(kmsDataKeyReusePeriodSeconds)))
        }
        if isFifo {
            out.append(("FifoQueue", "true"))
            out.append(("ContentBasedDeduplication", String(contentBasedDeduplication)))
            out.append(("DeduplicationScope", deduplicationScope.rawValue))
            out.append(("FifoThroughputLimit", fifoThroughputLimit.rawValue))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Restores from `rendered()` output; used by snapshots so the encoding has one canonical form.
    static func fromRendered(_ pairs: [(String, String)]) throws -> QueueAttributes {
        let base = QueueAttributes()
        return try base.applying(pairs, creating: true)
    }
}

public struct RedrivePolicy: Equatable, Sendable {
    public var deadLetterTargetArn: String
    public var maxReceiveCount: Int

    public init(deadLetterTargetArn: String, maxReceiveCount: Int) {
        self.deadLetterTargetArn = deadLetterTargetArn
        self.maxReceiveCount = maxReceiveCount
    }

    static func parse(_ text: String) throws -> RedrivePolicy {
        let name = "RedrivePolicy"
        guard let members = MiniJSON.parseObject(text) else {
            throw QueueError.invalidAttributeValue(name, "Invalid JSON.")
        }
        var arn: String?
        var count: Int?
        for (key, value) in members {
            switch (key, value) {
            case ("deadLetterTargetArn", .string(let s)): arn = s
            case ("maxReceiveCount", .number(let n)), ("maxReceiveCount", .string(let n)): count = Int(n)
            default: throw QueueError.invalidAttributeValue(name, "Unknown or malformed member \(key).")
            }
        }
        // AWS shows the policy as sent (recorded: test_invalid_dead_letter_arn_rejected_before_lookup).
        guard let arn, QueueARN(arn) != nil else {
            throw QueueError.invalidParameter(name, value: text, "Invalid value for deadLetterTargetArn.")
        }
        guard let count, (1...QueueLimits.maxReceiveCountMax).contains(count) else {
            throw QueueError.invalidAttributeValue(name, "maxReceiveCount must be 1-\(QueueLimits.maxReceiveCountMax).")
        }
        return RedrivePolicy(deadLetterTargetArn: arn, maxReceiveCount: count)
    }

    public var json: String {
        "{\"deadLetterTargetArn\":\(MiniJSON.quote(deadLetterTargetArn)),\"maxReceiveCount\":\(maxReceiveCount)}"
    }
}

public struct RedriveAllowPolicy: Equatable, Sendable {
    public enum Permission: String, Sendable { case allowAll, denyAll, byQueue }
    public var permission: Permission
    public var sourceQueueArns: [String]
    /// The policy as the client sent it: GetQueueAttributes answers it byte for byte (see
    /// docs/sqs-compatibility.md). nil for a policy built in code.
    public var sentText: String?

    public init(permission: Permission, sourceQueueArns: [String], sentText: String? = nil) {
        self.permission = permission
        self.sourceQueueArns = sourceQueueArns
        self.sentText = sentText
    }

    static func parse(_ text: String) throws -> RedriveAllowPolicy {
        let name = "RedriveAllowPolicy"
        guard let members = MiniJSON.parseObject(text) else {
            throw QueueError.invalidAttributeValue(name, "Invalid JSON.")
        }
        var permission: Permission?
        var sources: [String] = []
        for (key, value) in members {
            switch (key, value) {
            case ("redrivePermission", .string(let s)): permission = Permission(rawValue: s)
            case ("sourceQueueArns", .strings(let list)): sources = list
            default: throw QueueError.invalidAttributeValue(name, "Unknown or malformed member \(key).")
            }
        }
        guard let permission else {
            throw QueueError.invalidAttributeValue(name, "redrivePermission must be allowAll, denyAll or byQueue.")
        }
        if permission == .byQueue {
            guard (1...QueueLimits.redriveAllowSourcesMax).contains(sources.count),
                sources.allSatisfy({ QueueARN($0) != nil })
            else {
                throw QueueError.invalidAttributeValue(
                    name, "byQueue needs 1-\(QueueLimits.redriveAllowSourcesMax) source queue ARNs.")
            }
        } else if !sources.isEmpty {
            throw QueueError.invalidAttributeValue(name, "sourceQueueArns is allowed only with byQueue.")
        }
        return RedriveAllowPolicy(permission: permission, sourceQueueArns: sources, sentText: text)
    }

    public var json: String {
        if let sentText { return sentText }
        var out = "{\"redrivePermission\":\(MiniJSON.quote(permission.rawValue))"
        if permission == .byQueue {
            out += ",\"sourceQueueArns\":[" + sourceQueueArns.map(MiniJSON.quote).joined(separator: ",") + "]"
        }
        return out + "}"
    }

    func allows(sourceArn: String) -> Bool {
        switch permission {
        case .allowAll: return true
        case .denyAll: return false
        case .byQueue: return sourceQueueArns.contains(sourceArn)
        }
    }
}

private func parseInt(_ name: String, _ value: String, _ range: ClosedRange<Int>) throws -> Int {
    guard let n = Int(value), range.contains(n) else {
        throw QueueError.invalidAttributeValue(
            name, "must be an integer from \(range.lowerBound) to \(range.upperBound).")
    }
    return n
}

private func parseBool(_ name: String, _ value: String) throws -> Bool {
    switch value.lowercased() {
    case "true": return true
    case "false": return false
    default: throw QueueError.invalidAttributeValue(name, "must be true or false.")
    }
}

private func freeform(_ name: String, _ value: String) throws -> String {
    guard value.utf8.count <= QueueLimits.freeformAttributeBytesMax else {
        throw QueueError.invalidAttributeValue(name, "longer than \(QueueLimits.freeformAttributeBytesMax) bytes.")
    }
    return value
}
