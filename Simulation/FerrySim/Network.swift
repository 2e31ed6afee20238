import FerryRaft

/// The simulated network between nodes: per-message delay, drop and duplication drawn from the seed's
/// options, and a connectivity matrix the nemesis rewrites (partitions, asymmetric cuts, partial
/// connectivity). Without reordering, each directed link delivers in send order, like TCP.
///
/// Nodes are reached at addresses, not ids: each node listens at one `SimPeerAddress` at a time, and a
/// message sent to an address its node no longer listens at (it moved) is lost, like a TCP connection to
/// a port nobody binds.
struct Network {
    /// Node ids are 1...nodeCount; index 0 is unused so ids index directly.
    private let size: Int
    /// linkUp[from * size + to]: messages from `from` reach `to`.
    private var linkUp: [Bool]
    /// The latest delivery time scheduled on each directed link (FIFO links only).
    private var lastDelivery: [SimMicros]
    private let options: SimOptions
    /// listeningPort[id]: the port node `id` listens at now (index 0 unused).
    private var listeningPort: [UInt16]
    /// Some node has moved since the start.
    private(set) var anyNodeMoved = false

    init(nodeIDs: ClosedRange<NodeID>, options: SimOptions) {
        size = Int(nodeIDs.upperBound) + 1
        linkUp = Array(repeating: true, count: size * size)
        lastDelivery = Array(repeating: 0, count: size * size)
        listeningPort = Array(repeating: SimPeerAddress.firstPort, count: size)
        self.options = options
    }

    /// Where `id` listens now.
    func address(of id: NodeID) -> SimPeerAddress { SimPeerAddress(node: id, port: listeningPort[Int(id)]) }

    /// An address `id` has never listened at (where the operator would move it next).
    func freshAddress(for id: NodeID) -> SimPeerAddress { SimPeerAddress(node: id, port: listeningPort[Int(id)] + 1) }

    /// Whether a message to `address` reaches node `id`: the address is `id`'s and it still listens there.
    func reaches(_ address: SimPeerAddress, _ id: NodeID) -> Bool {
        address.node == id && listeningPort[Int(id)] == address.port
    }

    /// `id` listens at `address` from now on, and only there (a restart on a new port or machine).
    mutating func move(_ id: NodeID, to address: SimPeerAddress) {
        precondition(
            address.node == id && address.port > listeningPort[Int(id)], "a node moves to a fresh address of its own")
        listeningPort[Int(id)] = address.port
        anyNodeMoved = true
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
    mutating func deliveryTimes(
        from: NodeID, to: NodeID, now: SimMicros, random: inout Xoshiro256StarStar
    ) -> [SimMicros] {
        guard isUp(from: from, to: to) else { return [] }
        if faulty && options.dropChance > 0 && random.chance(options.dropChance) { return [] }
        var times = [deliveryTime(from: from, to: to, now: now, random: &random)]
        if faulty && options.duplicateChance > 0 && random.chance(options.duplicateChance) {
            times.append(deliveryTime(from: from, to: to, now: now, random: &random))
        }
        return times
    }

    private mutating func deliveryTime(
        from: NodeID, to: NodeID, now: SimMicros, random: inout Xoshiro256StarStar
    ) -> SimMicros {
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
