import FerryRaft

/// One thing that happens at one instant in queue mode.
enum QueueEvent {
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
             .snapshotSave(let node, _), .snapshotDecode(let node, _): return node
        case .deliver(_, let to, _): return to
        default: return nil
        }
    }
}

/// A min-heap of events on (time, sequence): ties run in scheduling order, so one seed, one history.
struct QueueEventHeap {
    private var heap: [(time: SimMicros, sequence: UInt64, event: QueueEvent)] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    mutating func schedule(_ event: QueueEvent, at time: SimMicros) {
        heap.append((time, nextSequence, event))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: SimMicros, event: QueueEvent)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            guard left < heap.count else { break }
            let best = right < heap.count && precedes(right, left) ? right : left
            guard precedes(best, parent) else { break }
            heap.swapAt(best, parent)
            parent = best
        }
        return (first.time, first.event)
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        heap[a].time != heap[b].time ? heap[a].time < heap[b].time : heap[a].sequence < heap[b].sequence
    }
}
