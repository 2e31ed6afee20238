import FerryRaft

/// A client command: a unique id (client index and sequence number) plus optional padding so entry
/// sizes vary. Retries resend the same bytes, so the state machine can deduplicate them.
public enum Command {
    /// Bytes of the id at the start of every command.
    static let idBytes = 8

    public static func encode(id: UInt64, paddingBytes: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: idBytes + paddingBytes)
        for k in 0..<idBytes { bytes[k] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(k))) }
        for k in 0..<paddingBytes { bytes[idBytes + k] = UInt8(truncatingIfNeeded: id &+ UInt64(k)) }
        return bytes
    }

    public static func id(of bytes: [UInt8]) -> UInt64 {
        precondition(bytes.count >= idBytes, "a command carries its id")
        var id: UInt64 = 0
        for k in 0..<idBytes { id |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        return id
    }

    /// Bits of the id that hold the sequence number.
    static let sequenceBits: UInt64 = 40

    public static func id(client: Int, sequence: UInt64) -> UInt64 {
        precondition(sequence < 1 << sequenceBits)
        return (UInt64(client + 1) << sequenceBits) | sequence
    }

    /// The client index and sequence number of an id made by `id(client:sequence:)`.
    static func split(_ id: UInt64) -> (client: Int, sequence: Int) {
        (Int(id >> sequenceBits) - 1, Int(id & ((1 << sequenceBits) - 1)))
    }
}

extension Entry {
    /// A hash of what the entry says (not where it sits), deterministic across processes.
    var payloadHash: UInt64 {
        var hasher = TraceHasher()
        switch payload {
        case .noop:
            hasher.combine(1)
        case .command(let bytes):
            hasher.combine(2)
            hasher.combineWords(bytes)
        case .configuration(let configuration):
            hasher.combine(3)
            for voter in configuration.voters { hasher.combine(voter) }
            hasher.combine(0)
            for learner in configuration.learners { hasher.combine(learner) }
            for member in configuration.addresses.keys.sorted() {
                hasher.combine(member)
                hasher.combineWords(Array(configuration.addresses[member]!.peer.utf8))
                hasher.combineWords(Array(configuration.addresses[member]!.clientURL.utf8))
            }
        }
        return hasher.value
    }
}

/// The simulated application: the ordered list of distinct command ids applied so far, with a running
/// digest of every applied entry. Two replicas that applied the same log have the same digest at each
/// index, which is what the State Machine Safety checker compares.
public struct SimStateMachine {
    public private(set) var appliedIndex: LogIndex = 0
    public private(set) var appliedTerm: Term = 0
    /// The configuration as of `appliedIndex` (for snapshot metadata).
    public private(set) var configuration: Configuration
    /// Digest of every entry applied so far, folded in index order.
    public private(set) var digest: UInt64 = 0
    /// Distinct command ids in the order they first applied; a retried command applies once.
    public private(set) var commands: [UInt64] = []
    /// seen[client][sequence]: the command applied. Client sequences are dense from 1, so a bitmap per
    /// client replaces a hashed set (SipHash dominated the simulator's profile).
    private var seen: [[Bool]] = []

    public init(configuration: Configuration) { self.configuration = configuration }

    public func contains(command id: UInt64) -> Bool {
        let (client, sequence) = Command.split(id)
        return client < seen.count && sequence < seen[client].count && seen[client][sequence]
    }

    /// Marks `id` applied; false if it already was (a retry).
    private mutating func insert(_ id: UInt64) -> Bool {
        let (client, sequence) = Command.split(id)
        while seen.count <= client { seen.append([]) }
        if seen[client].count <= sequence {
            seen[client].append(contentsOf: repeatElement(false, count: sequence + 1 - seen[client].count))
        }
        if seen[client][sequence] { return false }
        seen[client][sequence] = true
        return true
    }

    /// Applies the next committed entry. The caller checks that `entry.index == appliedIndex + 1`.
    mutating func apply(_ entry: Entry) {
        appliedIndex = entry.index
        appliedTerm = entry.term
        digest = Self.fold(digest, entry)
        switch entry.payload {
        case .noop: break
        case .command(let bytes):
            let id = Command.id(of: bytes)
            if insert(id) { commands.append(id) }
        case .configuration(let newConfiguration):
            configuration = newConfiguration
        }
    }

    static func fold(_ digest: UInt64, _ entry: Entry) -> UInt64 {
        var hasher = TraceHasher()
        hasher.combine(digest)
        hasher.combine(entry.index)
        hasher.combine(entry.term)
        hasher.combine(entry.payloadHash)
        return hasher.value
    }

    /// A snapshot of the state as of `appliedIndex`: deterministic bytes (digest, then the ids).
    func snapshot() -> Snapshot {
        var words: [UInt64] = [digest.littleEndian]
        words.reserveCapacity(commands.count + 1)
        for id in commands { words.append(id.littleEndian) }
        let data = words.withUnsafeBytes { [UInt8]($0) }
        let metadata = SnapshotMetadata(index: appliedIndex, term: appliedTerm, configuration: configuration)
        return Snapshot(metadata: metadata, data: data)
    }

    /// The state a snapshot describes. The bootstrap snapshot (no data) is the empty state.
    init(restoring snapshot: Snapshot) {
        configuration = snapshot.metadata.configuration
        appliedIndex = snapshot.metadata.index
        appliedTerm = snapshot.metadata.term
        let data = snapshot.data
        guard !data.isEmpty else {
            precondition(snapshot.metadata.index == 0, "only the bootstrap snapshot is empty")
            return
        }
        precondition(data.count % 8 == 0, "snapshot data is whole words")
        let words = data.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map {
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))
            }
        }
        digest = words[0]
        commands = Array(words.dropFirst())
        for id in commands { _ = insert(id) }
    }
}
