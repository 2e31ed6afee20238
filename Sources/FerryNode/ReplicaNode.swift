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
    public internal(set) var raft: RaftNode
    public internal(set) var machine: Machine
    /// False once the durable log failed: the node answers nothing more.
    public internal(set) var isRunning = true

    var tickCount: UInt64 = 0
    /// The Ready being persisted, and the storage ticket that makes it durable.
    var persisting: (ready: Ready, ticket: StorageTicket)?
    /// A snapshot of our own state being written; the log is compacted once it is durable.
    var savingSnapshot: (snapshot: Snapshot, ticket: StorageTicket)?
    var lastStampMs: UInt64 = 0
    /// Set when this node becomes leader: its stamps run on the monotonic clock from this wall-clock reading.
    var stampAnchor: (wallMs: UInt64, monotonicMs: UInt64)?
    var lastRole: Role
    var lastLeader: NodeID?

    var nextRequestID: UInt64 = 1
    struct Waiter {
        var command: [UInt8]
        var completion: (SubmitOutcome<Machine.Output>) -> Void
        var deadlineTick: UInt64
        /// The leader this command was last forwarded to (nil until forwarded).
        var forwardedTo: NodeID? = nil
    }
    /// Commands proposed (here or by the leader for us) at an index, with the term they must commit in.
    var awaitingApply: [LogIndex: (term: Term, waiter: Waiter)] = [:]
    /// Commands forwarded to the leader, waiting for its answer.
    var awaitingForward: [UInt64: Waiter] = [:]
    /// Commands waiting for a leader to be known.
    var awaitingLeader: [Waiter] = []
    /// Linearizable reads: waiting for Raft's read index, then for it to be applied.
    var awaitingReadIndex: [UInt64: (Bool) -> Void] = [:]
    var awaitingApplyForRead: [(index: LogIndex, completion: (Bool) -> Void)] = []
    /// Outputs of recently applied commands by index, for forwards accepted after the entry applied here.
    var recentResults: [LogIndex: (term: Term, output: Machine.Output)] = [:]
    var recentResultOrder: [LogIndex] = []

    /// Called after each command is applied here, on every replica (long polling waits on this).
    public var onApply: ((Machine.Command, Machine.Output, EntryStamp) -> Void)?

    public init(
        options: NodeOptions, storage: RaftStorage, recovered: RecoveredState, machine: Machine,
        environment: NodeEnvironment, random: any RandomNumberGenerator
    ) throws {
        self.id = options.raft.id
        self.options = options
        self.environment = environment
        self.storage = storage
        var machine = machine
        if recovered.snapshot.metadata.index > 0 {
            try machine.restore(from: recovered.snapshot.data)
        }
        self.machine = machine
        self.raft = RaftNode(options: options.raft, recovered: recovered, random: random)
        self.lastRole = raft.role
        self.lastLeader = raft.leader
        afterInput()
    }

    // MARK: - Inputs

    public func tick() {
        guard isRunning else { return }
        tickCount += 1
        raft.tick()
        if raft.role == .leader, tickCount % UInt64(options.housekeepingIntervalTicks) == 0 {
            proposeHousekeeping()
        }
        if tickCount % 10 == 0 { expireWaiters() }
        afterInput()
    }

    public func receive(_ message: PeerMessage, from peer: NodeID) {
        guard isRunning else { return }
        switch message {
        case .raft(let envelope):
            guard envelope.from == peer, envelope.to == id else {
                environment.record(.peerMessageRejected(from: peer, reason: "misaddressed envelope \(envelope.from)->\(envelope.to)"))
                return
            }
            raft.step(envelope)
        case .forward(let request):
            handleForward(request, from: peer)
        case .forwardAccepted(let requestID, let position):
            guard let waiter = awaitingForward.removeValue(forKey: requestID) else { return }
            awaitApply(waiter, at: position)
        case .forwardRefused(let requestID, let hint):
            guard let waiter = awaitingForward.removeValue(forKey: requestID) else { return }
            if let hint, hint != id, hint != peer {
                forward(waiter, to: hint)
            } else {
                awaitingLeader.append(waiter)
            }
        }
        afterInput()
    }

    /// Replicates `command` and calls `completion` once it is applied here (or cannot be).
    public func submit(_ command: Machine.Command, _ completion: @escaping (SubmitOutcome<Machine.Output>) -> Void) {
        guard isRunning else { return completion(.unavailable(leaderHint: nil)) }
        let waiter = Waiter(command: Machine.encode(command), completion: completion,
                            deadlineTick: tickCount + UInt64(options.commandTimeoutTicks))
        dispatch(waiter)
        afterInput()
    }

    /// Calls `completion(true)` once the state machine here reflects every command committed before this
    /// call (a linearizable read, thesis §6.4); `false` if leadership could not be confirmed — retry.
    public func read(_ completion: @escaping (Bool) -> Void) {
        guard isRunning else { return completion(false) }
        let requestID = nextRequestID
        nextRequestID += 1
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

    // MARK: - Routing commands

    func dispatch(_ waiter: Waiter) {
        if raft.role == .leader {
            propose(waiter)
        } else if let leader = raft.leader {
            forward(waiter, to: leader)
        } else if awaitingLeader.count < options.awaitingLeaderMax {
            awaitingLeader.append(waiter)
        } else {
            waiter.completion(.unavailable(leaderHint: nil))
        }
    }

    private func propose(_ waiter: Waiter) {
        do {
            let position = try raft.propose(stamp(waiter.command))
            awaitApply(waiter, at: position)
        } catch {
            switch error {
            case .notLeader(let hint): waiter.completion(.unavailable(leaderHint: hint))
            case .transferInProgress, .overloaded, .configurationChangePending, .invalidConfigurationChange:
                waiter.completion(.unavailable(leaderHint: raft.leader))
            }
        }
    }

    /// The leader's time for a command: anchored to the wall clock once when this node became leader, then
    /// advanced by the monotonic clock, and never behind the previous stamp this node issued.
    private func stamp(_ command: [UInt8]) -> [UInt8] {
        lastStampMs = max(lastStampMs, leaderTimeMs())
        return StampedCommand(timeMs: lastStampMs, body: command).encoded()
    }

    private func leaderTimeMs() -> UInt64 {
        guard let anchor = stampAnchor else { return environment.wallClockMs() }
        return anchor.wallMs &+ (environment.monotonicMs() &- anchor.monotonicMs)
    }

    private func forward(_ waiter: Waiter, to leader: NodeID) {
        let requestID = nextRequestID
        nextRequestID += 1
        var waiter = waiter
        waiter.forwardedTo = leader
        awaitingForward[requestID] = waiter
        environment.send(.forward(ForwardRequest(requestID: requestID, command: waiter.command)), to: leader)
    }

    private func handleForward(_ request: ForwardRequest, from follower: NodeID) {
        guard raft.role == .leader else {
            environment.send(.forwardRefused(requestID: request.requestID, leaderHint: raft.leader), to: follower)
            return
        }
        do {
            let position = try raft.propose(stamp(request.command))
            environment.send(.forwardAccepted(requestID: request.requestID, position: position), to: follower)
        } catch {
            environment.send(.forwardRefused(requestID: request.requestID, leaderHint: raft.leader), to: follower)
        }
    }

    private func awaitApply(_ waiter: Waiter, at position: LogPosition) {
        if position.index <= raft.appliedIndex {
            // Applied here before the leader's acceptance arrived.
            if let recent = recentResults[position.index], recent.term == position.term {
                waiter.completion(.applied(recent.output))
            } else if raft.term(at: position.index) == position.term || position.index <= raft.snapshotMetadata.index {
                waiter.completion(.timedOut)  // applied, but its output is no longer known
            } else {
                dispatch(waiter)  // another entry took that index: ours was never applied
            }
            return
        }
        if let displaced = awaitingApply[position.index] {
            // Only possible when an older proposal at this index was overwritten: it never applies.
            dispatch(displaced.waiter)
        }
        awaitingApply[position.index] = (position.term, waiter)
    }

    private func proposeHousekeeping() {
        guard let command = machine.housekeeping(nowMs: max(lastStampMs, leaderTimeMs())) else { return }
        _ = try? raft.propose(stamp(Machine.encode(command)))
    }

    private func expireWaiters() {
        let now = tickCount
        for (index, entry) in awaitingApply.sorted(by: { $0.key < $1.key }) where entry.waiter.deadlineTick <= now {
            awaitingApply[index] = nil
            entry.waiter.completion(.timedOut)
        }
        for (requestID, waiter) in awaitingForward.sorted(by: { $0.key < $1.key }) where waiter.deadlineTick <= now {
            awaitingForward[requestID] = nil
            waiter.completion(.timedOut)  // the leader may have proposed it
        }
        let (expired, waiting) = awaitingLeader.partitioned { $0.deadlineTick <= now }
        awaitingLeader = waiting
        for waiter in expired { waiter.completion(.unavailable(leaderHint: nil)) }
    }

    // MARK: - Outputs

    /// Carries out what the last input caused: messages, persistence, role-change bookkeeping.
    func afterInput() {
        guard isRunning else { return }
        noteRoleChange()
        sendMessages(raft.takeMessages())
        processReady()
    }

    func sendMessages(_ envelopes: [Envelope]) {
        for envelope in envelopes {
            environment.send(.raft(envelope), to: envelope.to)
        }
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
        if let leader = raft.leader {
            failForwardsToFormerLeaders(current: leader)
            let waiting = awaitingLeader
            awaitingLeader = []
            for waiter in waiting { dispatch(waiter) }
        }
    }
}

extension ReplicaNode {
    /// A command forwarded to a leader that is no longer the leader gets no answer if that leader died
    /// (the forward or its acceptance was lost with it); waiting for `commandTimeoutTicks` (10 s) stalled
    /// clients on followers long after a new leader was serving. Its outcome is unknown (the old leader may
    /// have replicated it), so it ends as `.timedOut` at once and the client retries (SQS: 503).
    func failForwardsToFormerLeaders(current leader: NodeID) {
        for (requestID, waiter) in awaitingForward.sorted(by: { $0.key < $1.key }) where waiter.forwardedTo != leader {
            awaitingForward[requestID] = nil
            waiter.completion(.timedOut)
        }
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
