/// Every bound FerryQueue enforces, in one place. Values follow docs/sqs-wire.md unless a line says why
/// Ferry chose differently.
public enum QueueLimits {
    // MARK: Queues

    /// SQS: queue names are 1-80 characters of `[A-Za-z0-9_-]`, the `.fifo` suffix included.
    public static let queueNameCharactersMax = 80
    /// Queues per cluster. AWS has no documented cap; ours bounds snapshot size, memory and the
    /// metrics scrape (O(queues)); the tick visits only queues that hold something.
    public static let queuesMax = 10_000
    /// SQS: re-creating a queue within 60 s of its deletion fails with QueueDeletedRecently.
    public static let queueDeleteCooldownMs: Int64 = 60_000
    /// SQS: PurgeQueue is allowed once per 60 s per queue.
    public static let purgeCooldownMs: Int64 = 60_000
    /// SQS: ListQueues and ListDeadLetterSourceQueues return at most 1000 names per page.
    public static let listQueuesResultsMax = 1000
    /// SQS: more than 50 tags per queue is not supported.
    public static let tagsPerQueueMax = 50
    /// SQS: tag keys are at most 128 characters.
    public static let tagKeyCharactersMax = 128
    /// SQS: tag values are at most 256 characters.
    public static let tagValueCharactersMax = 256
    /// Policy documents and KMS ids are stored and echoed; bound them so one attribute cannot bloat a snapshot.
    public static let freeformAttributeBytesMax = 20_480
    /// SQS: AddPermission labels are at most 80 characters of `[A-Za-z0-9_-]`.
    public static let permissionLabelCharactersMax = 80
    /// SQS: a policy statement allows at most seven actions (one AddPermission is one statement).
    public static let permissionActionsMax = 7

    // MARK: Messages

    /// SQS (2025): MaximumMessageSize is at most 1 MiB; body plus message attributes count against it.
    public static let messageBytesMax = 1_048_576
    /// SQS: MaximumMessageSize is at least 1 KiB.
    public static let messageBytesMin = 1_024
    /// SQS: at most 10 message attributes per message.
    public static let messageAttributesMax = 10
    /// SQS: attribute names are at most 256 characters.
    public static let messageAttributeNameCharactersMax = 256
    /// SQS: attribute data types are at most 256 characters (e.g. `String.label`).
    public static let messageAttributeTypeCharactersMax = 256
    /// SQS: MessageGroupId, MessageDeduplicationId and ReceiveRequestAttemptId are at most 128 characters.
    public static let fifoIdCharactersMax = 128
    /// AWSTraceHeader is not counted in the message size; bound it separately so it cannot carry a payload.
    public static let traceHeaderBytesMax = 1_024
    /// SQS: about 120,000 messages may be in flight per queue (OverLimit on standard queues beyond that).
    public static let inflightMessagesMax = 120_000

    // MARK: Timing

    /// SQS: DelaySeconds is 0-900 (15 minutes).
    public static let delaySecondsMax = 900
    /// SQS: VisibilityTimeout is 0-43,200 s (12 h), and a message's total invisibility since its receive
    /// cannot exceed 12 h.
    public static let visibilityTimeoutSecondsMax = 43_200
    /// SQS: MessageRetentionPeriod is 60 s to 14 days.
    public static let retentionSecondsMin = 60
    /// SQS: MessageRetentionPeriod is 60 s to 14 days.
    public static let retentionSecondsMax = 1_209_600
    /// SQS: ReceiveMessageWaitTimeSeconds / WaitTimeSeconds are 0-20.
    public static let waitTimeSecondsMax = 20
    /// SQS: KmsDataKeyReusePeriodSeconds is 60-86,400.
    public static let kmsReuseSecondsMin = 60
    /// SQS: KmsDataKeyReusePeriodSeconds is 60-86,400.
    public static let kmsReuseSecondsMax = 86_400
    /// SQS: the FIFO deduplication window is 5 minutes.
    public static let dedupWindowMs: Int64 = 300_000
    /// SQS: a ReceiveRequestAttemptId can be retried for 5 minutes.
    public static let receiveAttemptWindowMs: Int64 = 300_000

    // MARK: Batches

    /// SQS: batch requests carry 1-10 entries; ReceiveMessage returns at most 10 messages.
    public static let batchEntriesMax = 10
    /// SQS: batch entry ids are at most 80 characters of `[A-Za-z0-9_-]`.
    public static let batchEntryIdCharactersMax = 80
    /// SQS: a SendMessageBatch's total payload is at most 1 MiB.
    public static let batchBytesMax = 1_048_576
    /// The longest encoded command that the checks here let through, with room: a SendMessageBatch whose ten
    /// messages add up to `batchBytesMax`, each with the longest entry id, group and deduplication ids and
    /// trace header (none of which count against the 1 MiB), plus length prefixes and the queue name —
    /// about 15 KiB beyond the 1 MiB, measured by `CommandSizeTests`. Every other command is far smaller.
    /// FerryNode's log entries must carry it (`ReplicaNode.commandBodyBytesMax`, checked by a test there).
    public static let encodedCommandBytesMax = batchBytesMax + (32 << 10)

    // MARK: Dead-letter queues and move tasks

    /// SQS: maxReceiveCount is 1-1000.
    public static let maxReceiveCountMax = 1000
    /// SQS: RedriveAllowPolicy lists at most 10 source queue ARNs.
    public static let redriveAllowSourcesMax = 10
    /// SQS: MaxNumberOfMessagesPerSecond is at most 500.
    public static let moveTaskRatePerSecondMax = 500
    /// The rate used when StartMessageMoveTask names none ("system-optimized" on AWS).
    public static let moveTaskRatePerSecondDefault = 500
    /// SQS: ListMessageMoveTasks shows the 10 most recent tasks per source queue.
    public static let moveTasksListedMax = 10
    /// One tick moves at most this many messages per task, so one log entry's apply time stays bounded.
    public static let moveTaskMessagesPerTickMax = 1_000

    // MARK: Housekeeping

    /// Slots a tick's retention sweep inspects per queue: bounds the work of one log entry while the sweep
    /// still reaches messages that sit behind younger ones (a standard DLQ keeps the original timestamps).
    public static let expirySweepSlotsPerTickMax = 4_096
}
