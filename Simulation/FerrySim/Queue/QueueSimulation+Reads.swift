import FerryNode
import FerryQueue
import FerryRaft

/// The reader: it creates `r-0`, `r-1`, ... one at a time through the cluster, and as soon as a create is
/// acknowledged it reads at a node drawn at random (often not the one that took the create) with a
/// linearizable read (`ReplicaNode.read`, Raft's ReadIndex), then looks the queue up there as GetQueueUrl,
/// GetQueueAttributes and ListQueues would. Real-time order (LIN): a read that starts after a write was
/// acknowledged must see it; a node that answers from a state before the create (a deposed leader that did
/// not prove its leadership, a follower that did not wait to apply the read index) fails the seed.
extension QueueSimulation {
    /// The reader's pause between one create-and-read and the next.
    static let readerPauseMicros: ClosedRange<SimMicros> = 100_000...400_000

    func readerAct(_ index: Int) {
        guard queuesReady, livenessDeadline == nil else { return }
        if let queue = clients[index].readerPendingRead { return startRead(index, mustSee: queue) }
        let next = "\(QueueSimConstants.readerQueuePrefix)\(clients[index].readerAcknowledged)"
        submit(index, .readerCreate(queue: next), .createQueue(name: next, attributes: [], tags: []))
    }

    /// A create answered: once acknowledged, read it back at once; otherwise create it again (idempotent).
    func readerCreated(_ index: Int, _ queue: String, _ outcome: SubmitOutcome<QueueResult>) -> SimMicros? {
        guard case .applied(.queueCreated) = outcome else { return SimConstants.clientBackoffMicros }
        clients[index].readerAcknowledged += 1
        clients[index].readerPendingRead = queue
        return 0  // read at once
    }

    private func startRead(_ index: Int, mustSee queue: String) {
        let up = hosts.filter { $0.isUp }
        guard !up.isEmpty else { return think(index, SimConstants.clientBackoffMicros) }
        let host = clientRandom.pick(up)
        let node = host.node!
        clients[index].generation += 1
        let generation = clients[index].generation
        clients[index].request = .read(mustSee: queue, at: host.id)
        clients[index].target = host.id
        schedule(.client(index: index, generation: generation), after: QueueSimConstants.clientTimeoutMicros)
        node.read { [unowned self, unowned host] confirmed in
            // Runs inside the node's input, at the moment the node answers: its machine is what it reads.
            guard self.clients[index].generation == generation else { return }
            if confirmed, let machine = host.node?.machine.queues { self.checkRead(machine, mustSee: queue, at: host) }
            self.readAnswered(index, mustSee: queue, confirmed: confirmed)
        }
    }

    private func checkRead(_ machine: QueueMachine, mustSee queue: String, at host: QueueHost) {
        readsChecked += 1
        let arn = machine.queueArn(queue)
        let listed = machine.listQueues(prefix: queue).names.contains(queue)
        let attributes = machine.getQueueAttributes(queue, names: ["QueueArn"])
        guard arn == nil || !listed || (try? attributes.get()) == nil else { return }
        checker.fail("LIN", "a linearizable read at n\(host.id) (\(host.node.map { "\($0.raft.role) term \($0.raft.term) applied \($0.raft.appliedIndex)" } ?? "down")) started after the create of \(queue) was acknowledged, but GetQueueUrl \(arn == nil ? "fails" : "works"), ListQueues \(listed ? "lists" : "omits") it, GetQueueAttributes \(attributes)")
    }

    private func readAnswered(_ index: Int, mustSee queue: String, confirmed: Bool) {
        clients[index].request = nil
        emit("client \(index) read at n\(clients[index].target) for \(queue): \(confirmed ? "confirmed" : "not confirmed")")
        // Not confirmed (no leader, or leadership not proven): read again, at a node drawn again.
        if confirmed { clients[index].readerPendingRead = nil }
        think(index, confirmed ? clientRandom.uint64(in: Self.readerPauseMicros) : SimConstants.clientBackoffMicros)
    }
}
