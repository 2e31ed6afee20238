/// What the application must do after feeding inputs to a `RaftNode`, in this order:
///
/// 1. Send `messages` now. They are the leader's replication traffic; they reflect no state that is not
///    already durable except the entries they carry, which the leader may write in parallel (thesis §10.2.1).
/// 2. Durably write `snapshot` (if any), then `entries`, then `hardState` (if any). Entries overwrite any
///    stored entries at the same or higher indices (a follower's conflicting suffix).
/// 3. Only after step 2 is durable: send `messagesAfterPersist`. They carry votes, terms and
///    acknowledgements that MUST NOT leave before the state they reflect survives a crash (Figure 2).
/// 4. Restore `snapshot` into the state machine (if any), then apply `committedEntries` in order.
/// 5. Call `RaftNode.advance(_:)` with this value.
///
/// A node holds at most one Ready at a time: `ready()` may not be called again until `advance`.
/// Inputs (`step`, `tick`, `propose`) may be given while a Ready is being persisted; they
/// accumulate into the next one, which is how many proposals share one fsync (group commit).
public struct Ready: Sendable {
    public var hardState: HardState?
    public var entries: [Entry]
    public var snapshot: Snapshot?
    public var committedEntries: [Entry]
    public var messages: [Envelope]
    public var messagesAfterPersist: [Envelope]
    /// ReadIndex results: serve each read once the applied index reaches `index`.
    public var readStates: [ReadState]
    /// Role and leader as of this Ready, for the application's routing and status.
    public var role: Role
    public var leader: NodeID?
    public var term: Term

    /// True when there is something to write durably before `messagesAfterPersist` may go.
    public var needsPersist: Bool { hardState != nil || !entries.isEmpty || snapshot != nil }

    public init(
        hardState: HardState?, entries: [Entry], snapshot: Snapshot?, committedEntries: [Entry],
        messages: [Envelope], messagesAfterPersist: [Envelope], readStates: [ReadState],
        role: Role, leader: NodeID?, term: Term
    ) {
        self.hardState = hardState
        self.entries = entries
        self.snapshot = snapshot
        self.committedEntries = committedEntries
        self.messages = messages
        self.messagesAfterPersist = messagesAfterPersist
        self.readStates = readStates
        self.role = role
        self.leader = leader
        self.term = term
    }
}

/// A linearizable read may be served once the state machine has applied `index` (thesis §6.4).
public struct ReadState: Hashable, Sendable {
    public var requestID: UInt64
    /// nil: the read could not be confirmed (leadership lost); the client should retry.
    public var index: LogIndex?
    public init(requestID: UInt64, index: LogIndex?) {
        self.requestID = requestID
        self.index = index
    }
}
