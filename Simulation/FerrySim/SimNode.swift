import FerryNode
import FerryRaft
import FerryStorage
import FerryStorageTesting

/// One simulated process: a FerryRaft core persisting through the real storage engine (`RaftStorage`)
/// over its simulated disk (`SimulatedFileSystem`, as queue mode's hosts), and the application state
/// machine. The disk outlives crashes; everything else is the process's memory and dies with it.
final class SimNode {
    let id: NodeID
    /// nil while the process is down.
    /// Set only through `start` and `stop`, which keep `isUp` in step.
    var raft: RaftNode?
    /// Kept beside `raft` because testing `raft != nil` copies the whole RaftNode.
    private(set) var isUp = false

    func start(_ core: RaftNode) {
        raft = core
        isUp = true
    }

    func stop() {
        raft = nil
        storage?.close()
        storage = nil
        write = nil
        isUp = false
    }

    let fileSystem: SimulatedFileSystem
    /// The storage recovery opened over `fileSystem`; nil while the process is down.
    var storage: RaftStorage?
    /// The durable write whose operations up to its first fsync are on the disk; the rest run when the
    /// fsync completes.
    var write: (write: DurableWrite, firstSync: Int)?
    /// What the storage has reported durable, for the checkers. Outlives crashes: it describes the disk.
    var durable: DurableLog
    var stateMachine: SimStateMachine
    /// Bumped on every crash and restart, so events aimed at an earlier process are dropped.
    var incarnation: UInt32 = 0
    /// While set, the process is stopped (SIGSTOP, a long GC): its events wait until then.
    var pausedUntil: SimMicros?
    /// The Ready whose writes are being fsynced; at most one at a time.
    var persisting: Ready?
    /// Proposals made to this process, waiting for it to apply their index. At most one per client, so
    /// a short array scanned on apply beats a dictionary.
    var waiting: [PendingProposal] = []

    // What the checkers last saw of this process (reset on restart).
    var observedCommit: LogIndex = 0
    var observedApplied: LogIndex = 0
    var observedRole: Role = .follower
    var observedTerm: Term = 0

    // Addresses. The config file's `[peers]`: where the initial voters listened when the cluster began.
    let peersFile: [NodeID: SimPeerAddress]
    /// dialAddress[id]: where this process sends to `id` (nil: not dialled), from `PeerDialPlan` over
    /// `dialledConfiguration`, the configuration in force when the plan was last made.
    private(set) var dialAddress: [SimPeerAddress?]
    private var dialledConfiguration: Configuration?
    /// appliedPort[id]: the newest port this process has applied a configuration giving `id` (0: none),
    /// and since when — what the ADDR checker holds its sends against. Process memory: reset on boot.
    private(set) var appliedPort: [UInt16]
    private(set) var appliedPortSince: [SimMicros]

    init(
        id: NodeID, bootstrap configuration: Configuration, fileSystem: SimulatedFileSystem,
        peersFile: [NodeID: SimPeerAddress], nodeSlots: Int
    ) {
        self.id = id
        self.fileSystem = fileSystem
        durable = DurableLog(snapshot: .bootstrap(configuration))
        stateMachine = SimStateMachine(configuration: configuration)
        self.peersFile = peersFile
        dialAddress = Array(repeating: nil, count: nodeSlots)
        appliedPort = Array(repeating: 0, count: nodeSlots)
        appliedPortSince = Array(repeating: 0, count: nodeSlots)
    }

    /// Makes the dial plan again if the configuration in force changed: the decision ferryd makes in
    /// `Server.followConfiguration`, by the same code.
    func followConfiguration() {
        let configuration = inspect { $0.configuration }
        guard configuration != dialledConfiguration else { return }
        dialledConfiguration = configuration
        let plan = PeerDialPlan(
            configuration: configuration, localID: id, peersFile: peersFile, parse: SimPeerAddress.init(parsing:))
        for k in dialAddress.indices { dialAddress[k] = plan.dial[NodeID(k)]?.address }
    }

    /// Records the addresses of a configuration this process applied (or restored) at `now`.
    func noteApplied(_ configuration: Configuration, now: SimMicros) {
        for (member, address) in configuration.addresses {
            guard let port = SimPeerAddress(parsing: address.peer)?.port, Int(member) < appliedPort.count,
                port > appliedPort[Int(member)]
            else { continue }
            appliedPort[Int(member)] = port
            appliedPortSince[Int(member)] = now
        }
    }

    /// A new process knows nothing it has not recovered.
    func forgetAddresses() {
        dialledConfiguration = nil
        for k in dialAddress.indices { (dialAddress[k], appliedPort[k], appliedPortSince[k]) = (nil, 0, 0) }
    }

    /// Reads the core without copying it: `node.raft!.term` would copy the whole RaftNode out of the
    /// class (a retain and release per array it holds) on every access; an inout access does not.
    @inline(__always)
    func inspect<T>(_ body: (inout RaftNode) -> T) -> T { body(&raft!) }

    var isRunning: Bool { isUp && pausedUntil == nil }
}

/// A client request a node accepted: acknowledged when that node applies `position`.
struct PendingProposal {
    var index: LogIndex
    var client: Int
    var commandID: UInt64
    var term: Term
}
