import FerryRaft

/// Simulated time in microseconds since the start of a run.
public typealias SimMicros = UInt64

/// One thing that happens at one instant of simulated time. Every event touches at most one node,
/// which is what lets the checkers run incrementally after each event.
public enum SimEvent: SimulationEvent {
    /// The node's clock ticks (every `SimConstants.tickMicros`). `incarnation` drops ticks of a
    /// process that has since crashed.
    case tick(node: NodeID, incarnation: UInt32)
    /// A message arrives at `envelope.to` over the link dialled to `link` (by the sender, or by the
    /// recipient when it answers on the recipient's link); lost if that node no longer listens there.
    case deliver(Envelope, link: SimPeerAddress)
    /// The fsync a node issued completes; its volatile writes become durable.
    case fsyncDone(node: NodeID, incarnation: UInt32)
    /// A crashed node starts again from its durable state.
    case restart(node: NodeID)
    /// A paused node (SIGSTOP, long GC) resumes.
    case resume(node: NodeID, incarnation: UInt32)
    /// A client's timer: think time over, or its request timed out.
    case client(index: Int, generation: UInt64)
    /// The nemesis draws its next fault.
    case nemesis
    /// The nemesis strikes a node that just became leader (crash or isolate it).
    case nemesisStrike(node: NodeID, incarnation: UInt32)
    /// The operator tries its next membership change or leadership transfer: on its own schedule
    /// (`periodic`), or right after an election when the seed has it react to leader changes.
    case operatorAction(periodic: Bool)
    /// Faults end; the liveness phase begins.
    case heal
    /// The liveness phase checks whether the cluster has converged.
    case livenessCheck

    /// A small integer naming the kind, for the trace hash.
    var kindCode: UInt64 {
        switch self {
        case .tick: return 1
        case .deliver: return 2
        case .fsyncDone: return 3
        case .restart: return 4
        case .resume: return 5
        case .client: return 6
        case .nemesis: return 7
        case .operatorAction: return 8
        case .heal: return 9
        case .livenessCheck: return 10
        case .nemesisStrike: return 11
        }
    }
}

/// A pending event's place in the total order: by time, then by the order it was scheduled. The
/// sequence number makes ties deterministic without ever comparing payloads. The payload itself sits
/// in a slot of `EventQueue.slots`, so heap moves copy three words and never touch reference counts.
struct ScheduledEvent {
    var time: SimMicros
    var sequence: UInt64
    var slot: Int

    @inline(__always)
    func precedes(_ other: ScheduledEvent) -> Bool {
        time != other.time ? time < other.time : sequence < other.sequence
    }
}

/// The simulator's single event queue: a binary min-heap on (time, sequence) over a slab of payloads
/// (`SimEvent` in raft mode, `QueueEvent` in queue mode).
struct EventQueue<Event> {
    private var heap: [ScheduledEvent] = []
    private var slots: [Event?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    init() {
        heap.reserveCapacity(1024)
        slots.reserveCapacity(1024)
        freeSlots.reserveCapacity(1024)
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Schedules `event` at `time`. Events at the same time run in the order they were scheduled.
    mutating func schedule(_ event: Event, at time: SimMicros) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = event
        } else {
            slot = slots.count
            slots.append(event)
        }
        heap.append(ScheduledEvent(time: time, sequence: nextSequence, slot: slot))
        nextSequence += 1
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest event with its time.
    mutating func pop() -> (time: SimMicros, sequence: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        let event = slots[first.slot].take()!
        freeSlots.append(first.slot)
        return (first.time, first.sequence, event)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let item = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard item.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = item
    }

    private mutating func siftDown(_ start: Int) {
        let count = heap.count
        var parent = start
        let item = heap[parent]
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let best = right < count && heap[right].precedes(heap[left]) ? right : left
            guard heap[best].precedes(item) else { break }
            heap[parent] = heap[best]
            parent = best
        }
        heap[parent] = item
    }
}

/// FNV-1a over 64-bit words: the trace hash. Deterministic across processes (unlike Swift's Hasher,
/// which is seeded per process), so the same seed prints the same hash on every run and machine.
public struct TraceHasher {
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    public init() {}

    @inline(__always)
    public mutating func combine(_ word: UInt64) {
        var w = word
        for _ in 0..<8 {
            value = (value ^ (w & 0xFF)) &* Self.prime
            w >>= 8
        }
    }

    /// Folds a whole word at once (for hashing bulk data, where byte-wise FNV would be slow).
    @inline(__always)
    public mutating func combineMixed(_ word: UInt64) {
        value = (value ^ word) &* Self.prime
        value ^= value >> 29
    }

    /// The length, then eight bytes at a time (commands can carry 1 MiB), the tail byte by byte.
    public mutating func combineWords(_ bytes: [UInt8]) {
        combine(UInt64(bytes.count))
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                combineMixed(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            while offset < raw.count {
                combineMixed(UInt64(raw[offset]))
                offset += 1
            }
        }
    }

    public mutating func combine(bytes: [UInt8]) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* Self.prime }
    }
}
