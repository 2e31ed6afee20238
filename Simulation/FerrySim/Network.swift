import FerryRaft

/// The simulated network between nodes: per-message delay, drop and duplication drawn from the seed's
/// options, and a connectivity matrix the nemesis rewrites (partitions, asymmetric cuts, partial
/// connectivity). Without reordering, each directed link delivers in send order, like TCP.
struct Network {
    /// Node ids are 1...nodeCount; index 0 is unused so ids index directly.
    private let size: Int
    /// linkUp[from * size + to]: messages from `from` reach `to`.
    private var linkUp: [Bool]
    /// The latest delivery time scheduled on each directed link (FIFO links only).
    private var lastDelivery: [SimMicros]
    private let options: SimOptions

    init(nodeIDs: ClosedRange<NodeID>, options: SimOptions) {
        size = Int(nodeIDs.upperBound) + 1
        linkUp = Array(repeating: true, count: size * size)
        lastDelivery = Array(repeating: 0, count: size * size)
        self.options = options
    }

    /// Faults on: drop, duplicate, tail delays. The liveness phase turns them off.
    var faulty = true

    func isUp(from: NodeID, to: NodeID) -> Bool { linkUp[Int(from) * size + Int(to)] }

    mutating func setLink(from: NodeID, to: NodeID, up: Bool) {
        linkUp[Int(from) * size + Int(to)] = up
    }

    mutating func healAll() {
        for k in linkUp.indices { linkUp[k] = true }
    }

    /// The delivery times for one message sent at `now`: empty if it is dropped, two if duplicated.
    /// A cut link drops at send time; the simulator checks the link again at delivery, so a message in
    /// flight when a partition forms is lost too.
    mutating func deliveryTimes(from: NodeID, to: NodeID, now: SimMicros, random: inout Xoshiro256StarStar) -> [SimMicros] {
        guard isUp(from: from, to: to) else { return [] }
        if faulty && options.dropChance > 0 && random.chance(options.dropChance) { return [] }
        var times = [deliveryTime(from: from, to: to, now: now, random: &random)]
        if faulty && options.duplicateChance > 0 && random.chance(options.duplicateChance) {
            times.append(deliveryTime(from: from, to: to, now: now, random: &random))
        }
        return times
    }

    private mutating func deliveryTime(from: NodeID, to: NodeID, now: SimMicros, random: inout Xoshiro256StarStar) -> SimMicros {
        var delay = random.uint64(in: options.delayMicrosMin...options.delayMicrosMax)
        if faulty && options.delayTailChance > 0 && random.chance(options.delayTailChance) {
            delay += random.uint64(in: 0...options.delayTailMicrosMax)
        }
        var time = now + delay
        if !(faulty && options.reorder) {
            let link = Int(from) * size + Int(to)
            time = max(time, lastDelivery[link])
            lastDelivery[link] = time
        }
        return time
    }
}
