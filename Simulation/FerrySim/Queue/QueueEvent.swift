import FerryRaft

/// One thing that happens at one instant in queue mode.
enum QueueEvent: SimulationEvent {
    case tick(node: NodeID, incarnation: UInt32)
    /// Wire bytes of a `PeerMessage` arrive (decoded by the receiver, so the codec is exercised).
    case deliver(from: NodeID, to: NodeID, bytes: [UInt8])
    /// The next operation of the node's durable write in flight runs (or the write completes).
    case diskStep(node: NodeID, incarnation: UInt32)
    /// The node's spare segment finishes zero-filling (in one step, unlike a durable write).
    case preparation(node: NodeID, incarnation: UInt32)
    /// The node's own snapshot is encoded and written (in one step: `writeFileAtomically` is atomic on the
    /// simulated disk, so a crash leaves the old snapshot or this one).
    case snapshotSave(node: NodeID, incarnation: UInt32)
    /// A leader's snapshot, received and durable, has been decoded off the node's thread.
    case snapshotDecode(node: NodeID, incarnation: UInt32)
    /// The inputs that arrived together have been handled: the node carries out what they caused
    /// (`NodeEnvironment.atEndOfInputs`; ferryd's end of an event-loop turn). Scheduled for the same instant,
    /// so it runs after everything already due then.
    case endOfInputs(node: NodeID, incarnation: UInt32)
    case restart(node: NodeID)
    case resume(node: NodeID, incarnation: UInt32)
    case client(index: Int, generation: UInt64)
    case nemesis
    case heal
    case livenessCheck

    var kindCode: UInt64 {
        switch self {
        case .tick: return 1
        case .deliver: return 2
        case .diskStep: return 3
        case .restart: return 4
        case .resume: return 5
        case .client: return 6
        case .nemesis: return 7
        case .heal: return 8
        case .livenessCheck: return 9
        case .preparation: return 10
        case .endOfInputs: return 11
        case .snapshotSave: return 12
        case .snapshotDecode: return 13
        }
    }

    var targetNode: NodeID? {
        switch self {
        case .tick(let node, _), .diskStep(let node, _), .preparation(let node, _), .endOfInputs(let node, _),
            .snapshotSave(let node, _), .snapshotDecode(let node, _):
            return node
        case .deliver(_, let to, _): return to
        default: return nil
        }
    }
}

/// Queue mode's events, in the simulator's event queue: ties run in scheduling order, so one seed, one history.
typealias QueueEventHeap = EventQueue<QueueEvent>
