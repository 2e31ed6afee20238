/// Running counts of what publishes did (`QueueMachine.publishTally`).
public struct PublishTally: Equatable, Sendable {
    public var standardPublished: UInt64 = 0
    public var fifoPublished: UInt64 = 0
    /// FIFO publishes answered with the original's MessageId (the topic's deduplication window).
    public var duplicates: UInt64 = 0
    /// Copies enqueued into the subscribed queue.
    public var delivered: UInt64 = 0
    /// Subscriptions a publish skipped because their filter policy refused it.
    public var filteredOut: UInt64 = 0
    /// Copies the subscribed queue could not take that its RedrivePolicy queue did.
    public var deadLettered: UInt64 = 0
    /// Copies neither the queue nor a dead-letter queue took (counted on the subscription too).
    public var failed: UInt64 = 0

    public init() {}
}
