import FerryNode
import FerryQueue
import FerryRaft

/// The reader: it creates `r-0`, `r-1`, ... one at a time through the cluster, and as soon as a create is
/// acknowledged it reads at a node drawn at random (often not the one that took the create), or at every
/// node at once (`QueueBehaviours.readsEverywhere`), with a
/// linearizable read (`ReplicaNode.read`, Raft's ReadIndex), then looks the queue up there as GetQueueUrl,
/// GetQueueAttributes and ListQueues would. Real-time order (LIN): a read that starts after a write was
/// acknowledged must see it; a node that answers from a state before the create (a deposed leader that did
/// not prove its leadership, a follower that did not wait to apply the read index) fails the seed.
extension QueueSimulation {
    /// The reader's pause between one create-and-read and the next.
    static let readerPauseMicros: ClosedRange<SimMicros> = 100_000...400_000

    func readerAct(_ index: Int) {
        guard livenessDeadline == nil else { return }
        // Until the admin's queues exist, wait as producers do (returning without a timer ended the reader
        // for the rest of the run: in most seeds it acted first at t < 0.1 s, before any queue existed, and
        // never read at all).
        guard queuesReady else { return think(index, 100_000) }
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
        // One node drawn at random, or (`readsEverywhere`) every node at once: partitioned nodes too, so a
        // deposed leader that still believes it leads is asked while a new leader takes writes.
        let targets = options.behaviours.readsEverywhere ? up : [clientRandom.pick(up)]
        clients[index].generation += 1
        let generation = clients[index].generation
        clients[index].request = .read(mustSee: queue, at: targets[0].id)
        clients[index].target = targets[0].id
        clients[index].readsOutstanding = targets.count
        clients[index].readsAllConfirmed = true
        schedule(.client(index: index, generation: generation), after: QueueSimConstants.clientTimeoutMicros)
        for host in targets {
            host.node!.read { [unowned self, unowned host] confirmed in
                // Runs inside the node's input, at the moment the node answers: its machine is what it reads.
                guard self.clients[index].generation == generation else { return }
                if confirmed, let machine = host.node?.machine.queues {
                    self.checkRead(machine, mustSee: queue, at: host)
                }
                self.emit(
                    "client \(index) read at n\(host.id) for \(queue): \(confirmed ? "confirmed" : "not confirmed")")
                self.clients[index].readsOutstanding -= 1
                self.clients[index].readsAllConfirmed = self.clients[index].readsAllConfirmed && confirmed
                guard self.clients[index].readsOutstanding == 0 else { return }
                self.readAnswered(index, mustSee: queue, confirmed: self.clients[index].readsAllConfirmed)
            }
        }
    }

    private func checkRead(_ machine: QueueMachine, mustSee queue: String, at host: QueueHost) {
        readsChecked += 1
        let arn = machine.queueArn(queue)
        let listed = machine.listQueues(prefix: queue).names.contains(queue)
        let attributes = machine.getQueueAttributes(queue, names: ["QueueArn"])
        guard arn == nil || !listed || (try? attributes.get()) == nil else { return }
        checker.fail(
            "LIN",
            "a linearizable read at n\(host.id) (\(host.node.map { "\($0.raft.role) term \($0.raft.term) applied \($0.raft.appliedIndex)" } ?? "down")) started after the create of \(queue) was acknowledged, but GetQueueUrl \(arn == nil ? "fails" : "works"), ListQueues \(listed ? "lists" : "omits") it, GetQueueAttributes \(attributes)"
        )
    }

    private func readAnswered(_ index: Int, mustSee queue: String, confirmed: Bool) {
        clients[index].request = nil
        // Not confirmed (no leader, or leadership not proven): read again, at a node drawn again (or everywhere
        // again). A node that never answers (cut off, or it crashed) ends the round at the client's timeout.
        if confirmed { clients[index].readerPendingRead = nil }
        think(index, confirmed ? clientRandom.uint64(in: Self.readerPauseMicros) : SimConstants.clientBackoffMicros)
    }
}
