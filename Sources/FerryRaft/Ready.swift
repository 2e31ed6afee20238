/// What the application must do after feeding inputs to a `RaftNode`, in this order:
///
/// 0. (Independently of any Ready, after every batch of inputs:) send `RaftNode.takeMessages()` at once.
///    Those are the leader's replication traffic; they reflect no state that is not already durable
///    except the entries they carry, which the leader writes in parallel (thesis §10.2.1).
/// 1. Durably write `snapshot` (if any), then `entries`, then `hardState` (if any). Entries overwrite any
///    stored entries at the same or higher indices (a follower's conflicting suffix). A snapshot replaces
///    the whole stored log: every stored entry is discarded (the core only installs a snapshot whose last
///    entry it does not already hold).
/// 2. Only after step 1 is durable: send `messagesAfterPersist`. They carry votes, terms and
///    acknowledgements that MUST NOT leave before the state they reflect survives a crash (Figure 2).
/// 3. Restore `snapshot` into the state machine (if any), then apply `committedEntries` in order. They may
///    be applied before step 1 is durable (committed means durable on a majority), and so may entries
///    that commit while it is being written (`RaftNode.commitIndex`): report those with
///    `RaftNode.applied(through:)` and skip them here.
/// 4. Call `RaftNode.advance(_:)` with this value.
///
/// A node holds at most one Ready at a time: `ready()` may not be called again until `advance`.
/// Inputs (`step`, `tick`, `propose`) may be given while a Ready is being persisted; they
/// accumulate into the next one, which is how many proposals share one fsync (group commit).
public struct Ready: Sendable {
    public var hardState: HardState?
    public var entries: [Entry]
    public var snapshot: Snapshot?
    public var committedEntries: [Entry]
    public var messagesAfterPersist: [Envelope]
    /// ReadIndex results: serve each read once the applied index reaches `index`.
    public var readStates: [ReadState]
    /// Role and leader as of this Ready, for the application's routing and status.
    public var role: Role
    public var leader: NodeID?
    public var term: Term

    /// True when the writes must be fsynced before `messagesAfterPersist` may go. A hard state whose
    /// only change is `commit` need not be synced: the commit index is a hint that may be lost.
    public var mustSync: Bool

    public init(
        hardState: HardState?, entries: [Entry], snapshot: Snapshot?, committedEntries: [Entry],
        messagesAfterPersist: [Envelope], readStates: [ReadState], mustSync: Bool,
        role: Role, leader: NodeID?, term: Term
    ) {
        self.hardState = hardState
        self.entries = entries
        self.snapshot = snapshot
        self.committedEntries = committedEntries
        self.messagesAfterPersist = messagesAfterPersist
        self.readStates = readStates
        self.mustSync = mustSync
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
