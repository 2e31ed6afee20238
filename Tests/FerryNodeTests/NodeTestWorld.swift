import FerryNode
import FerryRaft
import FerryStorage
import FerryStorageTesting

/// A replicated log of strings: the smallest useful state machine.
struct Journal: ReplicatedStateMachine {
    var lines: [String] = []
    var lastTimeMs: UInt64 = 0

    static func encode(_ command: String) -> [UInt8] { Array(command.utf8) }
    static func decode(_ bytes: [UInt8]) throws -> String {
        guard bytes.first != Self.newerFormatByte else { throw NewerFormat() }
        return String(decoding: bytes, as: UTF8.self)
    }
    /// A command starting with this byte stands for one written by a newer build (never valid UTF-8, so
    /// `encode` never produces it).
    static let newerFormatByte: UInt8 = 0xFF
    struct NewerFormat: Error {}

    mutating func apply(_ command: String, stamp: EntryStamp) -> Int {
        lastTimeMs = max(lastTimeMs, stamp.timeMs)
        lines.append(command)
        return lines.count
    }

    func snapshot() -> [UInt8] { Array(lines.joined(separator: "\n").utf8) }
    mutating func restore(from bytes: [UInt8]) throws {
        lines =
            bytes.isEmpty
            ? []
            : String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(
                String.init)
    }
    func housekeeping(nowMs: UInt64) -> String? { nil }
}

/// Several ReplicaNodes on simulated disks and an in-memory FIFO network; everything runs when `run()`
/// is called, one event at a time, deterministically.
final class NodeTestWorld {
    final class Host: NodeEnvironment {
        let id: NodeID
        unowned let world: NodeTestWorld
        let fileSystem: SimulatedFileSystem
        var node: ReplicaNode<Journal>?
        var events: [NodeEvent] = []
        /// Durable writes that hold a witness record and no entry: the extra fsyncs an idle log pays.
        var witnessWrites = 0
        init(id: NodeID, world: NodeTestWorld) {
            self.id = id
            self.world = world
            self.fileSystem = SimulatedFileSystem(random: SplitMix64(seed: id))
        }
        /// Per host, so tests can step one host's wall clock.
        var wallClockOffsetMs: Int64 = 0
        func wallClockMs() -> UInt64 { UInt64(Int64(world.clockMs) + wallClockOffsetMs) }
        func monotonicMs() -> UInt64 { world.clockMs }
        /// AppendEntries this node sent that carried entries (heartbeats and empty probes not counted).
        var appendEntriesWithEntriesSent = 0
        func send(_ message: PeerMessage, to peer: NodeID) {
            if case .raft(let envelope) = message, case .appendEntries(let append) = envelope.message,
                !append.entries.isEmpty
            {
                appendEntriesWithEntriesSent += 1
            }
            // Through the wire encoding, as in production.
            world.network.append((id, peer, message.encoded()))
        }
        func atEndOfInputs(_ body: @escaping () -> Void) {
            guard world.batchesInputs else { return body() }
            world.endsOfInputs.append((id, body))
        }
        func performDurableWrite(_ write: DurableWrite, completion: @escaping (Result<Void, FileSystemError>) -> Void) {
            if write.entriesEnd == nil && write.witnessedThrough > .zero { witnessWrites += 1 }
            world.writes.append((id, { [fileSystem] in completion(write.performCatching(on: fileSystem)) }))
        }
        func prepareSegment(
            _ preparation: SegmentPreparation, completion: @escaping (Result<Void, FileSystemError>) -> Void
        ) {
            world.writes.append((id, { [fileSystem] in completion(preparation.performCatching(on: fileSystem)) }))
        }
        func saveSnapshot(_ save: SnapshotSave, completion: @escaping (Result<SavedSnapshot, FileSystemError>) -> Void)
        {
            let run = { [fileSystem] in completion(save.performCatching(on: fileSystem)) }
            if world.holdsSnapshotSaves {
                world.heldSnapshotSaves.append((id, run))
            } else {
                world.writes.append((id, run))
            }
        }
        func decodeSnapshot<Decoded: Sendable>(
            sizeBytes: Int, _ decode: @escaping @Sendable () -> Decoded,
            completion: @escaping (Decoded) -> Void
        ) {
            let run = { completion(decode()) }
            if world.holdsSnapshotDecodes {
                world.heldSnapshotDecodes.append((id, run))
            } else {
                world.writes.append((id, run))
            }
        }
        func record(_ event: NodeEvent) { events.append(event) }
    }

    var hosts: [NodeID: Host] = [:]
    var network: [(from: NodeID, to: NodeID, bytes: [UInt8])] = []
    var writes: [(host: NodeID, run: () -> Void)] = []
    /// With `batchesInputs`, what nodes do once the inputs that arrived together are handled: `run()` does it
    /// before anything else, as ferryd does at the end of a loop turn.
    var batchesInputs = false
    var endsOfInputs: [(host: NodeID, run: () -> Void)] = []
    /// With `holdsSnapshotSaves`, snapshot saves wait here (as a slow save would) until a test runs them.
    var holdsSnapshotSaves = false
    var heldSnapshotSaves: [(host: NodeID, run: () -> Void)] = []
    /// With `holdsSnapshotDecodes`, decodes of a leader's snapshot wait here (as a large one would) until a
    /// test runs them.
    var holdsSnapshotDecodes = false
    var heldSnapshotDecodes: [(host: NodeID, run: () -> Void)] = []
    var down: Set<NodeID> = []
    var clockMs: UInt64 = 1_700_000_000_000
    let configuration: Configuration
    var snapshotIntervalEntries: LogIndex = 10_000
    /// `RaftOptions.appliedEntriesCacheBytesMax` for nodes started from now on.
    var appliedEntriesCacheBytesMax = RaftOptions(id: 1).appliedEntriesCacheBytesMax
    /// `NodeOptions.spareSegmentQuietTicks` for nodes started from now on.
    var spareSegmentQuietTicks = 0
    let storageOptions: StorageOptions

    init(voters: [NodeID], storageOptions: StorageOptions = .testing(), spareSegmentQuietTicks: Int = 0) {
        configuration = Configuration(voters: voters)
        self.storageOptions = storageOptions
        self.spareSegmentQuietTicks = spareSegmentQuietTicks
        for id in voters {
            hosts[id] = Host(id: id, world: self)
            start(id)
        }
    }

    /// Three nodes, restarted so that each snapshots every `entries` entries.
    static func snapshotting(every entries: LogIndex) -> NodeTestWorld {
        let world = NodeTestWorld(voters: [1, 2, 3])
        world.snapshotIntervalEntries = entries
        for id in [NodeID(1), 2, 3] {
            world.crash(id)
            world.start(id)
        }
        return world
    }

    func start(_ id: NodeID) { try! start(id, afterOpen: { _ in }) }

    /// Starts `id`, running `afterOpen` between storage's open and the node's restore from what it recovered.
    func start(_ id: NodeID, afterOpen: (SimulatedFileSystem) throws -> Void) throws {
        let host = hosts[id]!
        var options = NodeOptions(raft: RaftOptions(id: id))
        options.snapshotIntervalEntries = snapshotIntervalEntries
        options.raft.appliedEntriesCacheBytesMax = appliedEntriesCacheBytesMax
        options.spareSegmentQuietTicks = spareSegmentQuietTicks
        let opened = try! RaftStorage.open(
            directory: "/data", fileSystem: host.fileSystem,
            options: storageOptions, initialConfiguration: configuration)
        try afterOpen(host.fileSystem)
        host.node = try ReplicaNode(
            options: options, storage: opened.storage, recovered: opened.state,
            machine: Journal(), environment: NodeEnvironmentLink(host), random: SplitMix64(seed: id * 7919))
        down.remove(id)
    }

    /// kill -9 and power loss: unsynced writes are lost, writes in flight never complete.
    func crash(_ id: NodeID) {
        down.insert(id)
        hosts[id]!.node = nil
        hosts[id]!.fileSystem.crash()
        writes.removeAll { $0.host == id }
        heldSnapshotSaves.removeAll { $0.host == id }
        heldSnapshotDecodes.removeAll { $0.host == id }
        endsOfInputs.removeAll { $0.host == id }
        network.removeAll { $0.to == id || $0.from == id }
    }

    func node(_ id: NodeID) -> ReplicaNode<Journal> { hosts[id]!.node! }

    /// Three nodes snapshotting every 10 entries; one follower (`lagging`) is down while 40 commands
    /// commit ("s0"..."s39"), so the leader's log no longer holds what it needs: it must get a snapshot.
    static func withAFollowerDownPastCompaction() -> (world: NodeTestWorld, leader: NodeID, lagging: NodeID) {
        let (world, leader, lagging) = withAFollowerDown(while: (0..<40).map { "s\($0)" }) {
            $0.snapshotIntervalEntries = 10
        }
        precondition(world.node(leader).raft.snapshotMetadata.index > 0, "the leader compacted its log")
        return (world, leader, lagging)
    }

    /// Three nodes started with `configure` applied; one follower (`lagging`) is down while `commands` commit.
    static func withAFollowerDown(
        while commands: [String], configure: (NodeTestWorld) -> Void
    ) -> (world: NodeTestWorld, leader: NodeID, lagging: NodeID) {
        let world = NodeTestWorld(voters: [1, 2, 3])
        configure(world)
        for id in [NodeID(1), 2, 3] {
            world.crash(id)
            world.start(id)
        }
        let leader = world.electLeader()
        let lagging = [NodeID(1), 2, 3].first { $0 != leader }!
        world.crash(lagging)
        for command in commands { world.node(leader).submit(command) { _ in } }
        world.run()
        world.tick(2)
        return (world, leader, lagging)
    }
    var leader: NodeID? { hosts.keys.sorted().first { !down.contains($0) && hosts[$0]!.node!.raft.role == .leader } }

    /// Runs pending writes and messages until quiet.
    func run(stepsMax: Int = 100_000) {
        var steps = 0
        while !endsOfInputs.isEmpty || !writes.isEmpty || !network.isEmpty {
            steps += 1
            precondition(steps < stepsMax, "did not settle")
            if !endsOfInputs.isEmpty {
                endsOfInputs.removeFirst().run()
                continue
            }
            if !writes.isEmpty {
                writes.removeFirst().run()
                continue
            }
            let (from, to, bytes) = network.removeFirst()
            guard !down.contains(to) else { continue }
            hosts[to]!.node!.receive(try! PeerMessage.decode(bytes), from: from)
        }
    }

    func tick(_ count: Int = 1) {
        for _ in 0..<count {
            clockMs += 10
            for id in hosts.keys.sorted() where !down.contains(id) { hosts[id]!.node!.tick() }
            run()
        }
    }

    func electLeader() -> NodeID {
        for _ in 0..<1000 {
            if let leader { return leader }
            tick()
        }
        preconditionFailure("no leader")
    }
}
