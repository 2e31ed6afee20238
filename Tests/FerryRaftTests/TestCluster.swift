import FerryRaft

/// A deterministic generator for tests (SplitMix64).
typealias SeededGenerator = SplitMix64

/// A small in-memory cluster for scenario tests: a language of "partition, propose, tick, expect".
/// Storage is durable at once (each Ready is persisted before its messages go); the network delivers in
/// FIFO order except across cut links, where messages are dropped.
struct TestCluster {
    struct Disk {
        var hardState = HardState()
        /// The durable snapshot, data included: the node keeps only its position and reads chunks from `file`.
        var snapshot: Snapshot { didSet { file.snapshot = snapshot } }
        /// The durable log; the node reads entries whose payloads left its memory back from `log`.
        var entries: [Entry] = [] { didSet { log.entries = entries } }
        let file: SnapshotFile
        let log = LogFile()

        init(snapshot: Snapshot) {
            self.snapshot = snapshot
            file = SnapshotFile(snapshot)
        }
    }

    var options: [NodeID: RaftOptions] = [:]
    var nodes: [NodeID: RaftNode] = [:]
    var disks: [NodeID: Disk] = [:]
    var applied: [NodeID: [Entry]] = [:]
    var readStates: [NodeID: [ReadState]] = [:]
    var network: [Envelope] = []
    var cutLinks: Set<[NodeID]> = []
    var down: Set<NodeID> = []
    /// Every envelope delivered, for assertions on traffic.
    var delivered: [Envelope] = []
    var seed: UInt64

    init(voters: [NodeID], learners: [NodeID] = [], seed: UInt64 = 1, configure: (inout RaftOptions) -> Void = { _ in })
    {
        self.seed = seed
        let configuration = Configuration(voters: voters, learners: learners)
        for id in voters + learners {
            var o = RaftOptions(id: id)
            // Every applied payload leaves memory at once, so every scenario also runs on entries read back.
            o.appliedEntriesCacheBytesMax = 0
            configure(&o)
            options[id] = o
            disks[id] = Disk(snapshot: .bootstrap(configuration))
            applied[id] = []
            start(id)
        }
    }

    var ids: [NodeID] { nodes.keys.sorted() }

    /// Adds a node that knows no configuration (it joins when the leader adds it).
    mutating func addBlankNode(_ id: NodeID, configure: (inout RaftOptions) -> Void = { _ in }) {
        var o = RaftOptions(id: id)
        o.appliedEntriesCacheBytesMax = 0
        configure(&o)
        options[id] = o
        disks[id] = Disk(snapshot: .bootstrap(.empty))
        applied[id] = []
        start(id)
    }

    mutating func start(_ id: NodeID) {
        let disk = disks[id]!
        let recovered = RecoveredState(hardState: disk.hardState, snapshot: disk.snapshot, entries: disk.entries)
        nodes[id] = RaftNode(
            options: options[id]!, recovered: recovered, random: SeededGenerator(seed: seed &* 31 &+ id),
            snapshotSource: disk.file, entrySource: disk.log)
        applied[id] = applied[id, default: []].filter { $0.index <= disk.snapshot.metadata.index }
        down.remove(id)
    }

    /// Kill -9: memory is gone; the disk keeps what was persisted.
    mutating func crash(_ id: NodeID) {
        down.insert(id)
        network.removeAll { $0.to == id || $0.from == id }
    }

    mutating func restart(_ id: NodeID) {
        applied[id] = []
        start(id)
        // The state machine restarts from the snapshot and re-applies from there.
    }

    mutating func isolate(_ id: NodeID) {
        for other in ids where other != id { cut(id, other) }
    }

    mutating func cut(_ a: NodeID, _ b: NodeID) {
        cutLinks.insert([a, b])
        cutLinks.insert([b, a])
    }

    mutating func heal() { cutLinks.removeAll() }

    func node(_ id: NodeID) -> RaftNode { nodes[id]! }

    var leaders: [NodeID] { ids.filter { !down.contains($0) && nodes[$0]!.role == .leader } }

    /// Processes one node's outputs: messages now, then persist-send-apply-advance for its Ready.
    mutating func drain(_ id: NodeID) {
        guard !down.contains(id) else { return }
        var node = nodes[id]!
        network += node.takeMessages()
        while node.hasReady {
            let ready = node.ready()
            var disk = disks[id]!
            if let snapshot = ready.snapshot {
                disk.snapshot = snapshot
                disk.entries = []
            }
            if let first = ready.entries.first {
                disk.entries.removeAll { $0.index >= first.index }
                disk.entries += ready.entries
            }
            if let hardState = ready.hardState { disk.hardState = hardState }
            disks[id] = disk
            network += ready.messagesAfterPersist
            if let snapshot = ready.snapshot {
                applied[id] = [Entry(index: snapshot.metadata.index, term: snapshot.metadata.term, payload: .noop)]
            }
            applied[id, default: []] += ready.committedEntries
            readStates[id, default: []] += ready.readStates
            node.advance(ready)
            network += node.takeMessages()
        }
        nodes[id] = node
    }

    /// Delivers messages until the network is quiet.
    mutating func stabilize(maxSteps: Int = 100_000) {
        var steps = 0
        for id in ids { drain(id) }
        while !network.isEmpty {
            steps += 1
            precondition(steps < maxSteps, "cluster did not stabilize")
            let envelope = network.removeFirst()
            guard !down.contains(envelope.to), !cutLinks.contains([envelope.from, envelope.to]) else { continue }
            delivered.append(envelope)
            nodes[envelope.to]!.step(envelope)
            drain(envelope.to)
        }
    }

    mutating func tick(_ count: Int = 1) {
        for _ in 0..<count {
            for id in ids where !down.contains(id) {
                nodes[id]!.tick()
                drain(id)
            }
            stabilize()
        }
    }

    /// Ticks until some node leads; returns it.
    @discardableResult
    mutating func electLeader(ticksMax: Int = 500) -> NodeID? {
        for _ in 0..<ticksMax {
            if let leader = leaders.last, leaders.count == 1 { return leader }
            tick()
        }
        return leaders.count == 1 ? leaders[0] : nil
    }

    /// Forces `id` to campaign and delivers the election.
    mutating func campaign(_ id: NodeID) {
        nodes[id]!.campaign()
        drain(id)
        stabilize()
    }

    @discardableResult
    mutating func propose(_ text: String, at id: NodeID) throws(ProposeError) -> LogPosition {
        let position = try nodes[id]!.propose(Array(text.utf8))
        drain(id)
        stabilize()
        return position
    }

    /// The commands applied by a node, as strings.
    func commands(_ id: NodeID) -> [String] {
        applied[id]!.compactMap {
            if case .command(let bytes) = $0.payload { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }
}

/// A node's snapshot file on the test disk: serves chunks of the durable snapshot only, as storage does.
final class SnapshotFile: SnapshotChunkSource {
    var snapshot: Snapshot
    /// Chunks served, for assertions that data came from the disk.
    private(set) var chunksRead = 0

    init(_ snapshot: Snapshot) { self.snapshot = snapshot }

    func snapshotChunk(of stored: StoredSnapshot, offset: Int, count: Int) -> [UInt8]? {
        guard stored == snapshot.stored, offset >= 0, count >= 0, offset + count <= snapshot.data.count else {
            return nil
        }
        chunksRead += 1
        return Array(snapshot.data[offset..<offset + count])
    }
}

/// A node's log on the test disk: serves durable entries the node no longer keeps in memory, as storage does.
final class LogFile: LogEntrySource {
    var entries: [Entry] = []
    /// Entries served, for assertions that they came from the disk.
    private(set) var entriesRead = 0
    /// While true every read fails, as a read that does not verify does.
    var failsReads = false

    func entries(from first: LogIndex, through last: LogIndex, bytesMax: Int) -> [Entry]? {
        guard !failsReads, let start = entries.firstIndex(where: { $0.index == first }), first <= last else {
            return nil
        }
        var out: [Entry] = []
        var bytes = 0
        for entry in entries[start...] where entry.index <= last {
            bytes += entry.sizeBytes
            if bytes > bytesMax, !out.isEmpty { break }
            out.append(entry)
        }
        entriesRead += out.count
        return out
    }
}
