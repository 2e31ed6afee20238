/// Identifies a node in the cluster. 0 is never a valid node id ("no node").
public typealias NodeID = UInt64
/// A Raft term (Raft §5.1). Terms only grow on a node, across restarts too.
public typealias Term = UInt64
/// A position in the replicated log; the first entry is at index 1.
public typealias LogIndex = UInt64

/// The index and term of one log entry: enough to name it uniquely (Log Matching, Raft §5.3).
public struct LogPosition: Hashable, Sendable, CustomStringConvertible {
    public var index: LogIndex
    public var term: Term
    public init(index: LogIndex, term: Term) {
        self.index = index
        self.term = term
    }
    public var description: String { "\(index)@\(term)" }
}

/// What an entry carries. Configuration entries carry the whole new configuration, so rolling back a
/// truncated configuration entry is just "use the previous one" (thesis §4.1).
public enum EntryPayload: Hashable, Sendable {
    /// Appended by every new leader so it can commit an entry of its own term (Raft §5.4.2, §8).
    case noop
    /// Opaque bytes for the application's state machine.
    case command([UInt8])
    /// The cluster configuration from this entry on. Takes effect when appended, not when committed.
    case configuration(Configuration)
}

public struct Entry: Hashable, Sendable, CustomStringConvertible {
    public var index: LogIndex
    public var term: Term
    public var payload: EntryPayload

    public init(index: LogIndex, term: Term, payload: EntryPayload) {
        self.index = index
        self.term = term
        self.payload = payload
    }

    public var position: LogPosition { LogPosition(index: index, term: term) }

    /// Bytes this entry counts against message and batch bounds.
    public var sizeBytes: Int {
        switch payload {
        case .noop: return 24
        case .command(let data): return 24 + data.count
        case .configuration(let config):
            return 24 + 8 * (config.voters.count + config.learners.count) + config.addressBytesEstimate
        }
    }

    public var description: String {
        switch payload {
        case .noop: return "\(index)@\(term):noop"
        case .command(let data): return "\(index)@\(term):cmd(\(data.count)B)"
        case .configuration(let config): return "\(index)@\(term):\(config)"
        }
    }
}

/// State that MUST be durable before any message that reflects it leaves the node (Raft Figure 2,
/// "Persistent state on all servers"). `commit` is persisted too so a restart can re-apply up to it
/// without waiting for a leader; it is only a hint and may lag.
public struct HardState: Hashable, Sendable, CustomStringConvertible {
    public var term: Term
    public var votedFor: NodeID?
    public var commit: LogIndex

    public init(term: Term = 0, votedFor: NodeID? = nil, commit: LogIndex = 0) {
        self.term = term
        self.votedFor = votedFor
        self.commit = commit
    }

    public var description: String { "term=\(term) vote=\(votedFor.map(String.init) ?? "-") commit=\(commit)" }
}

/// The members of the cluster. Voters elect and count toward quorums; learners only receive the log
/// until they are caught up and promoted. Both lists are kept sorted so that iteration is deterministic.
/// `addresses` holds where members can be reached, for the members whose address was replicated (a
/// member added before addresses were, or seeded without one, has none: nodes fall back to their
/// configuration file). A member's address leaves with it.
public struct Configuration: Hashable, Sendable, CustomStringConvertible {
    public private(set) var voters: [NodeID]
    public private(set) var learners: [NodeID]
    public private(set) var addresses: [NodeID: MemberAddress]

    public init(voters: [NodeID], learners: [NodeID] = [], addresses: [NodeID: MemberAddress] = [:]) {
        precondition(Set(voters).isDisjoint(with: learners), "a node is either a voter or a learner")
        self.voters = Array(Set(voters)).sorted()
        self.learners = Array(Set(learners)).sorted()
        let members = Set(voters).union(learners)
        self.addresses = addresses.filter { members.contains($0.key) }
    }

    public static let empty = Configuration(voters: [])

    public var members: [NodeID] { (voters + learners).sorted() }
    public func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
    public func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }
    public func contains(_ id: NodeID) -> Bool { isVoter(id) || isLearner(id) }
    /// The number of voters that form a majority.
    public var quorum: Int { voters.count / 2 + 1 }
    public func address(of id: NodeID) -> MemberAddress? { addresses[id] }

    /// This configuration with `id`'s address replaced (the members stay the same).
    public func with(address: MemberAddress, for id: NodeID) -> Configuration {
        var addresses = addresses
        addresses[id] = address
        return Configuration(voters: voters, learners: learners, addresses: addresses)
    }

    public var description: String {
        let base = "voters\(voters) learners\(learners)"
        guard !addresses.isEmpty else { return base }
        return base + " addresses["
            + addresses.keys.sorted().map { "\($0)=\(addresses[$0]!.peer)" }.joined(separator: ", ") + "]"
    }
}

/// A change of one member at a time (thesis §4.1): every two consecutive configurations share a majority.
public enum ConfigurationChange: Hashable, Sendable {
    /// A new learner, with where to reach it when known.
    case addLearner(NodeID, address: MemberAddress? = nil)
    /// Make a caught-up learner a voter.
    case promote(NodeID)
    case remove(NodeID)
    /// Record where a member can now be reached; the members do not change.
    case updateAddress(NodeID, MemberAddress)
}

public struct SnapshotMetadata: Hashable, Sendable, CustomStringConvertible {
    /// The last entry the snapshot covers.
    public var index: LogIndex
    public var term: Term
    /// The configuration as of `index`.
    public var configuration: Configuration

    public init(index: LogIndex, term: Term, configuration: Configuration) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }

    public var description: String { "snapshot(\(index)@\(term) \(configuration))" }
}

/// The application's state as of `metadata.index`, as opaque bytes.
public struct Snapshot: Hashable, Sendable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }

    /// The state every node of a new cluster starts from: nothing applied, the initial configuration.
    public static func bootstrap(_ configuration: Configuration) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: 0, term: 0, configuration: configuration), data: [])
    }
}

/// What a node keeps of its latest snapshot: where it stands in the log and how many bytes of data it has.
/// The data stays in storage (a snapshot file); a leader reads it a chunk at a time (`SnapshotChunkSource`)
/// when a follower needs it. At a million queued messages those bytes were most of a node's memory.
public struct StoredSnapshot: Hashable, Sendable, CustomStringConvertible {
    public var metadata: SnapshotMetadata
    public var sizeBytes: Int

    public init(metadata: SnapshotMetadata, sizeBytes: Int) {
        self.metadata = metadata
        self.sizeBytes = sizeBytes
    }

    public var description: String { "\(metadata) \(sizeBytes)B" }
}

extension Snapshot {
    /// What a node keeps of this snapshot once its data is durable.
    public var stored: StoredSnapshot { StoredSnapshot(metadata: metadata, sizeBytes: data.count) }
}

/// Where a leader reads the data of its own durable snapshot, for InstallSnapshot chunks: the storage
/// seam (a file in production, the simulated disk in tests). Called on the node's thread; must not keep
/// the node waiting long (one chunk is `RaftOptions.snapshotChunkBytesMax`).
public protocol SnapshotChunkSource: AnyObject {
    /// Bytes `offset ..< offset + count` of `snapshot`'s data (fewer only at its end), or nil when the
    /// snapshot storage holds durably is not that one (a newer one is being written, or the read failed):
    /// the leader then sends nothing and tries again on the follower's next heartbeat response.
    func snapshotChunk(of snapshot: StoredSnapshot, offset: Int, count: Int) -> [UInt8]?
}

/// Where a leader reads back log entries whose payloads left its memory (`RaftOptions.appliedEntriesCacheBytesMax`):
/// the storage seam, as for snapshot chunks (the log's segment files in production, the simulated disk in
/// tests). Called on the node's thread, for one AppendEntries' worth of entries at a time.
public protocol LogEntrySource: AnyObject {
    /// The durable entries `first ... last` in order: all of them, or a prefix of at least one that stops
    /// before its bytes (`Entry.sizeBytes`) pass `bytesMax`. nil when storage cannot serve them now (a read
    /// failed or did not verify, or they are compacted away): the leader then sends nothing and tries again
    /// on the follower's next heartbeat response.
    func entries(from first: LogIndex, through last: LogIndex, bytesMax: Int) -> [Entry]?
}

/// What a node recovered from its durable storage on start.
public struct RecoveredState: Sendable {
    public var hardState: HardState
    /// The latest durable snapshot; `Snapshot.bootstrap(...)`'s for a node that has never taken one.
    public var snapshot: StoredSnapshot
    /// Its data, read a chunk at a time (storage's reads it from the snapshot file, never whole).
    public var snapshotData: any SnapshotDataSource
    /// The durable log after `snapshot.metadata.index`, contiguous.
    public var entries: [Entry]

    public init(
        hardState: HardState, snapshot: StoredSnapshot, snapshotData: any SnapshotDataSource, entries: [Entry]
    ) {
        precondition(snapshotData.sizeBytes == snapshot.sizeBytes, "the data of that snapshot")
        self.hardState = hardState
        self.snapshot = snapshot
        self.snapshotData = snapshotData
        self.entries = entries
    }

    /// A snapshot whose data is in memory (tests, simulated nodes).
    public init(hardState: HardState, snapshot: Snapshot, entries: [Entry]) {
        self.init(
            hardState: hardState, snapshot: snapshot.stored, snapshotData: InMemorySnapshotData(snapshot.data),
            entries: entries)
    }
}

public enum Role: String, Sendable {
    case follower, preCandidate, candidate, leader
}
