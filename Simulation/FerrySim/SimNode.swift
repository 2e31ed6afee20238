import FerryRaft

/// One simulated process: a FerryRaft core, its simulated disk and the application state machine.
/// The disk outlives crashes; everything else is the process's memory and dies with it.
final class SimNode {
    let id: NodeID
    /// nil while the process is down.
    var raft: RaftNode?
    var disk: SimDisk
    var stateMachine: SimStateMachine
    /// Bumped on every crash and restart, so events aimed at an earlier process are dropped.
    var incarnation: UInt32 = 0
    /// While set, the process is stopped (SIGSTOP, a long GC): its events wait until then.
    var pausedUntil: SimMicros?
    /// The Ready whose writes are being fsynced; at most one at a time.
    var persisting: Ready?
    /// Proposals made to this process, by log index, waiting for it to apply that index.
    var waiting: [LogIndex: [PendingProposal]] = [:]

    // What the checkers last saw of this process (reset on restart).
    var observedCommit: LogIndex = 0
    var observedApplied: LogIndex = 0
    var observedRole: Role = .follower
    var observedTerm: Term = 0

    init(id: NodeID, bootstrap configuration: Configuration) {
        self.id = id
        disk = SimDisk(bootstrap: configuration)
        stateMachine = SimStateMachine(configuration: configuration)
    }

    var isUp: Bool { raft != nil }
    var isRunning: Bool { raft != nil && pausedUntil == nil }
}

/// A client request a node accepted: acknowledged when that node applies `position`.
struct PendingProposal {
    var client: Int
    var commandID: UInt64
    var term: Term
}
