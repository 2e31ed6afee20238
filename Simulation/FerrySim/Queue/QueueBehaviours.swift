/// The SQS paths a seed's clients exercise beyond send, receive and delete (issue 18): a redrive policy with a
/// small maxReceiveCount, visibility changes (to 0: another consumer gets the message; or extended), often
/// with an older handle, FIFO receives with a ReceiveRequestAttemptId retried after an unknown outcome, and a
/// reader that creates queues and reads them back at once through linearizable reads elsewhere.
public struct QueueBehaviours: CustomStringConvertible, Sendable {
    /// nil: no redrive policy; else both queues send a message to their dead-letter queue on the receive
    /// after this many.
    public var maxReceiveCount: Int?
    /// A consumer changes the visibility of what it holds, before deleting it, with this chance per receive.
    public var changeVisibilityChance: Double
    /// A FIFO receive carries a ReceiveRequestAttemptId with this chance (and is retried with it).
    public var attemptIdChance: Double
    /// A consumer receives from a dead-letter queue with this chance per receive (seeds with redrive).
    public var deadLetterReceiveChance: Double
    public var reader: Bool
    /// The reader reads each acknowledged create back at every node at once, cut off or not, rather than at one
    /// drawn at random: a read that lands on a deposed leader (partitioned from the majority, not yet aware
    /// that a new leader took writes) must still see the create (planted bug 44).
    public var readsEverywhere: Bool

    static func draw(_ random: inout Xoshiro256StarStar) -> QueueBehaviours {
        QueueBehaviours(
            maxReceiveCount: random.chance(0.6) ? random.int(in: 1...4) : nil,
            changeVisibilityChance: random.chance(0.6) ? random.logUniform(in: 0.02...0.3) : 0,
            attemptIdChance: random.chance(0.5) ? random.logUniform(in: 0.1...1) : 0,
            deadLetterReceiveChance: random.logUniform(in: 0.05...0.3),
            reader: random.chance(0.7),
            // Drawn last, so the draws above stay as they were.
            readsEverywhere: random.chance(0.5))
    }

    public var description: String {
        "redrive \(maxReceiveCount.map { "after \($0) receives" } ?? "off"), change visibility \(changeVisibilityChance), attempt ids \(attemptIdChance), reader \(reader ? (readsEverywhere ? "on, reading at every node" : "on") : "off")"
    }
}
