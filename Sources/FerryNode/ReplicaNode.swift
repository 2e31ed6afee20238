import FerryRaft
import FerryStorage

/// How a client command ended.
public enum SubmitOutcome<Output> {
    /// Committed on a majority, durable, and applied here; the output is the state machine's answer.
    case applied(Output)
    /// No leader could take it; it was not applied. Retry (SQS: 503, which the SDKs retry).
    case unavailable(leaderHint: NodeID?)
    /// It may or may not have been applied (a leader change or partition hid the outcome).
    case timedOut
    /// Its encoding (`bytes`, the node's stamp included) exceeds `ReplicaNode.commandBodyBytesMax`: it was
    /// never proposed and never will be. The edge's own limits should refuse such a request first.
    case tooLarge(bytes: Int)
}

/// One Ferry node: the Raft core, the durable log and the replicated state machine, over a
/// `NodeEnvironment`. Single-threaded and event-driven: `tick()`, `receive(_:from:)`, `submit(_:_:)`
/// and `read(_:)` are the inputs; the environment carries out what they cause.
///
/// The same code runs in `ferryd` and in the simulator.
public final class ReplicaNode<Machine: ReplicatedStateMachine> {
    public let id: NodeID
    let options: NodeOptions
    let environment: NodeEnvironment
    let storage: RaftStorage
    // `@exclusivity(unchecked)` on the properties every command reads and writes (raft, machine, isRunning,
    // persisting, pending, and the flags, counters, tables and hooks marked below): their dynamic exclusivity
    // checks cost ~200 instructions an access, ~6k a request for these five alone. None can fire: the node runs on one thread, and no access to them spans a call that can
    // reach the node again (RaftNode and the machine are values holding no reference to it; completions,
    // `onApply` and the environment's callbacks run after the access that found them has ended).
    @exclusivity(unchecked) public internal(set) var raft: RaftNode
    @exclusivity(unchecked) public internal(set) var machine: Machine
    /// False once the durable log failed: the node answers nothing more.
    @exclusivity(unchecked) public internal(set) var isRunning = true
    /// `raft.configuration` and `raft.leader` without copying the whole `RaftNode`: another module reading
    /// `raft` gets a copy of all of it (its logs, progress and queues), which the server did every tick.
    public var configuration: Configuration { raft.configuration }
    public var leader: NodeID? { raft.leader }

    var tickCount: UInt64 = 0
    /// Ticks since the last durable write completed (or since start): the witness waits for the log to
    /// have been idle `options.witnessIdleTicks` whole ticks.
    @exclusivity(unchecked) var ticksSinceWriteCompleted = 0
    /// The active log segment as of the last tick, and how many ticks it has been active: spares are
    /// prepared only for a log that rolls slowly (`NodeOptions.spareSegmentQuietTicks`).
    var spareWatch: (segment: UInt64?, ticks: Int) = (nil, 0)
    /// The Ready being persisted, and the storage ticket that makes it durable.
    @exclusivity(unchecked) var persisting: (ready: Ready, ticket: StorageTicket)?
    /// Set while the snapshot of `persisting` is decoded off the node's thread: that Ready finishes once the
    /// machine is restored from it.
    var decodingSnapshot = false
    /// Set while `afterBatchableInput` waits for the end of the inputs.
    @exclusivity(unchecked) var outputsAwaitEndOfInputs = false
    /// Command bytes applied since the last snapshot was taken, and the size of that snapshot's data: the
    /// next one waits until the first reaches the second (`NodeOptions.snapshotIntervalEntries`).
    @exclusivity(unchecked) var appliedBytesSinceSnapshot = 0
    var lastSnapshotSizeBytes: Int
    var lastStampMs: UInt64 = 0
    /// Set when this node becomes leader: its stamps run on the monotonic clock from this wall-clock reading.
    var stampAnchor: (wallMs: UInt64, monotonicMs: UInt64)?
    /// Read after every input (`noteRoleChange`).
    @exclusivity(unchecked) var lastRole: Role
    @exclusivity(unchecked) var lastLeader: NodeID?

    /// The largest encoded command a client may submit: what an entry carries, less the leader's stamp.
    public static var commandBodyBytesMax: Int { WireLimits.commandBytesMax - LogCommand.headerBytes }

    /// This process's client session (thesis §6.3): nonzero, new on every start.
    let session: UInt64
    /// The sequence number of the next command submitted here.
    var nextSequence: UInt64 = 1
    /// The replicated table of applied (session, sequence) pairs; part of the snapshot.
    @exclusivity(unchecked) var sessions = SessionTable()

    struct Waiter {
        var command: [UInt8]
        var completion: (SubmitOutcome<Machine.Output>) -> Void
        var deadlineTick: UInt64
        /// Until this tick a command never sent may wait for a leader (`NodeOptions.leaderWaitTicks`).
        var leaderWaitDeadlineTick: UInt64
        var route: Route = .awaitingLeader
        /// Forwarded or proposed at least once: on timeout its outcome is unknown rather than "not applied".
        var wasSent = false
    }
    enum Route: Equatable {
        case awaitingLeader
        /// Proposed by this node while it led, in `term`.
        case proposed(term: Term)
        /// Forwarded to `leader` at `tick`; forwarded again after `forwardRetryTicks` without an answer.
        case forwarded(leader: NodeID, tick: UInt64)
    }
    /// Every command submitted here and not yet answered, by sequence number.
    @exclusivity(unchecked) var pending: [UInt64: Waiter] = [:]
    /// Linearizable reads: waiting for Raft's read index, then for it to be applied.
    var nextReadID: UInt64 = 1
    var awaitingReadIndex: [UInt64: (Bool) -> Void] = [:]
    @exclusivity(unchecked) var awaitingApplyForRead: [(index: LogIndex, completion: (Bool) -> Void)] = []

    /// Called after each command is applied here, on every replica (long polling waits on this).
    @exclusivity(unchecked) public var onApply: ((Machine.Command, Machine.Output, EntryStamp) -> Void)?
    /// Called just before each command is applied here, while `machine` is as it was (metrics read the state
    /// a command is about to change, such as how many messages its dead-letter queue has had).
    @exclusivity(unchecked) public var willApply: ((Machine.Command) -> Void)?

    /// `restored`: the recovered snapshot, already decoded from the one read that verified it (`RaftStorage.open`'s
    /// `restoringSnapshot`); without it the node decodes `recovered.snapshotData`.
    public init(
        options: NodeOptions, storage: RaftStorage, recovered: RecoveredState, restored: RestoredSnapshot? = nil,
        machine: Machine, environment: NodeEnvironment, random: any RandomNumberGenerator
    ) throws {
        self.id = options.raft.id
        self.options = options
        self.environment = environment
        self.storage = storage
        var machine = machine
        var random = random
        self.session = random.next() | 1
        if let restored {
            (sessions, machine) = (restored.sessions, restored.machine)
        } else if recovered.snapshot.metadata.index > 0 {
            (sessions, machine) = try Self.restoreSnapshot(recovered.snapshotData, into: machine)
        }
        self.machine = machine
        self.lastSnapshotSizeBytes = recovered.snapshot.sizeBytes
        // Raft keeps no snapshot data, nor the payloads of applied entries past a small cache: it reads what a
        // follower needs back from storage.
        self.raft = RaftNode(
            options: options.raft, recovered: recovered, random: random, snapshotSource: storage, entrySource: storage)
        self.lastRole = raft.role
        self.lastLeader = raft.leader
        afterInput()
    }

    // MARK: - Inputs

    public func tick() {
        guard isRunning else { return }
        tickCount += 1
        ticksSinceWriteCompleted += 1
        raft.tick()
        if raft.role == .leader, tickCount % UInt64(options.housekeepingIntervalTicks) == 0 {
            proposeHousekeeping()
        }
        if tickCount % 10 == 0 { reviewPending() }
        afterInput()
        witnessIfIdle()
        prepareSpareSegment()
    }

    public func receive(_ message: PeerMessage, from peer: NodeID) {
        guard isRunning else { return }
        switch message {
        case .raft(let envelope):
            guard envelope.from == peer, envelope.to == id else {
                environment.record(
                    .peerMessageRejected(from: peer, reason: "misaddressed envelope \(envelope.from)->\(envelope.to)"))
                return
            }
            raft.step(envelope)
        case .forward(let request):
            handleForward(request, from: peer)
        case .forwardRefused(let sequence, let hint):
            guard var waiter = pending[sequence], case .forwarded(let leader, _) = waiter.route, leader == peer else {
                return
            }
            waiter.route = .awaitingLeader
            pending[sequence] = waiter
            if let hint, hint != id, hint != peer { forward(sequence, to: hint) }
        }
        afterBatchableInput()
    }

    /// Replicates `command` and calls `completion` once it is applied here (or cannot be).
    public func submit(_ command: Machine.Command, _ completion: @escaping (SubmitOutcome<Machine.Output>) -> Void) {
        guard isRunning else { return completion(.unavailable(leaderHint: nil)) }
        guard pending.count < options.pendingCommandsMax else {
            return completion(.unavailable(leaderHint: raft.leader))
        }
        let encoded = Machine.encode(command)
        guard encoded.count <= Self.commandBodyBytesMax else { return completion(.tooLarge(bytes: encoded.count)) }
        let sequence = nextSequence
        nextSequence += 1
        pending[sequence] = Waiter(
            command: encoded, completion: completion,
            deadlineTick: tickCount + UInt64(options.commandTimeoutTicks),
            leaderWaitDeadlineTick: tickCount + UInt64(options.leaderWaitTicks))
        dispatch(sequence)
        afterBatchableInput()
    }

    /// Calls `completion(true)` once the state machine here reflects every command committed before this
    /// call (a linearizable read, thesis §6.4); `false` if leadership could not be confirmed — retry.
    public func read(_ completion: @escaping (Bool) -> Void) {
        guard isRunning else { return completion(false) }
        let requestID = nextReadID
        nextReadID += 1
        awaitingReadIndex[requestID] = completion
        raft.readIndex(requestID: requestID)
        afterInput()
    }

    public func transferLeadership(to target: NodeID) {
        raft.transferLeadership(to: target)
        afterInput()
    }

    /// Proposes a one-member configuration change (leader only); returns where it will commit if it does.
    @discardableResult
    public func proposeConfigurationChange(_ change: ConfigurationChange) throws(ProposeError) -> LogPosition {
        let position = try raft.proposeConfigurationChange(change)
        afterInput()
        return position
    }

    /// The leader's time for a command: anchored to the wall clock once when this node became leader, then
    /// advanced by the monotonic clock, and never behind the previous stamp this node issued.
    func stamp(_ command: [UInt8], session: UInt64, sequence: UInt64) -> [UInt8] {
        lastStampMs = max(lastStampMs, leaderTimeMs())
        return LogCommand(timeMs: lastStampMs, session: session, sequence: sequence, body: command).encoded()
    }

    private func leaderTimeMs() -> UInt64 {
        guard let anchor = stampAnchor else { return environment.wallClockMs() }
        return anchor.wallMs &+ (environment.monotonicMs() &- anchor.monotonicMs)
    }

    private func proposeHousekeeping() {
        guard let command = machine.housekeeping(nowMs: max(lastStampMs, leaderTimeMs())) else { return }
        _ = try? raft.propose(stamp(Machine.encode(command), session: 0, sequence: 0))
    }

    // MARK: - Outputs

    /// After a client request or a peer message: carries out what it caused once the environment says the
    /// inputs that arrived with it are handled (`NodeEnvironment.atEndOfInputs`). Raft then sends one
    /// AppendEntries per follower for all of them, and the log writes them together.
    func afterBatchableInput() {
        guard isRunning, !outputsAwaitEndOfInputs else { return }
        outputsAwaitEndOfInputs = true
        environment.atEndOfInputs { [weak self] in
            guard let self else { return }
            self.outputsAwaitEndOfInputs = false
            self.afterInput()
        }
    }

    /// Carries out what the last input caused: messages, persistence, role-change bookkeeping.
    func afterInput() {
        guard isRunning else { return }
        noteRoleChange()
        sendMessages(raft.takeMessages())
        if let error = storage.takeEntryReadError() { environment.record(.logReadFailed("\(error)")) }
        processReady()
    }

    func sendMessages(_ envelopes: [Envelope]) {
        guard !envelopes.isEmpty else { return }
        environment.send(raft: envelopes)
    }

    private func noteRoleChange() {
        guard raft.role != lastRole || raft.leader != lastLeader else { return }
        if raft.role == .leader && lastRole != .leader {
            stampAnchor = (max(lastStampMs, environment.wallClockMs()), environment.monotonicMs())
        } else if raft.role != .leader {
            stampAnchor = nil
        }
        lastRole = raft.role
        lastLeader = raft.leader
        environment.record(.roleChanged(role: raft.role, term: raft.term, leader: raft.leader))
        rerouteAfterLeaderChange()
    }
}

extension Array {
    /// Splits into the elements that satisfy `predicate` and those that do not, keeping order.
    func partitioned(by predicate: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if predicate(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
