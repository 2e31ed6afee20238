import FerryNode
import FerryQueue
import FerryRaft

/// The liveness phase and the end of a run: faults heal, every node that can restarts, the cluster must
/// converge (a leader, no client waiting, every member applied the whole log) within
/// `SimConstants.livenessPhaseSecondsMax`; then the admin client drains both queues through the cluster,
/// the replicas must hold identical states, and the history must pass the total-queue check.
extension QueueSimulation {
    /// Simulated seconds the drain may take once it starts.
    static let drainSecondsMax: UInt64 = 60

    func heal() {
        emit("heal: faults off, liveness phase begins")
        livenessDeadline = now + SimConstants.livenessPhaseSecondsMax * 1_000_000
        network.faulty = false
        network.healAll()
        for host in hosts {
            host.fileSystem.faults.syncFailureProbability = 0
            host.wallOffsetMs = 0
            if !host.isUp {
                restart(host)
            } else if host.pausedUntil != nil {
                host.pausedUntil = nil
            }
        }
        schedule(.livenessCheck, after: SimConstants.livenessCheckMicros)
    }

    func checkConvergence() {
        guard let deadline = livenessDeadline else { return }
        let admin = clients[0]
        if admin.drainDone {
            if let blocker = convergenceBlocker() {
                guard now < deadline else { return checker.fail("LIVE", "no convergence after the drain: \(blocker)") }
            } else {
                return finalCheck()
            }
        } else if admin.draining {
            guard now < deadline else {
                return checker.fail("LIVE", "the drain did not finish in \(Self.drainSecondsMax)s")
            }
        } else if let blocker = convergenceBlocker() {
            emit("not converged: \(blocker); \(nodeStates)")
            guard now < deadline else {
                return checker.fail(
                    "LIVE",
                    "no convergence \(SimConstants.livenessPhaseSecondsMax)s after healing: \(blocker); \(nodeStates)")
            }
        } else {
            // Consumers stopped at the heal; messages they held come back after their visibility timeout.
            emit("converged; the drain starts once held messages are visible again")
            clients[0].draining = true
            livenessDeadline = now + (Self.drainSecondsMax + UInt64(maxWallOffsetMs / 1000)) * 1_000_000
            let wait = SimMicros(options.visibilitySecondsMax + 1) * 1_000_000
            clients[0].generation += 1
            schedule(.client(index: 0, generation: clients[0].generation), after: wait)
        }
        schedule(.livenessCheck, after: SimConstants.livenessCheckMicros)
    }

    /// Each node's log positions, for a LIVE failure's report.
    var nodeStates: String {
        hosts.map { host in
            guard let node = host.node else { return "n\(host.id) down" }
            let raft = node.raft
            return
                "n\(host.id) \(raft.role) term \(raft.term) last \(raft.lastIndex) stable \(raft.stableIndex) commit \(raft.commitIndex) applied \(raft.appliedIndex) write \(host.write.map { "op \($0.next)/\($0.write.operations.count)" } ?? "none")"
        }.joined(separator: ", ")
    }

    private var liveHosts: [QueueHost] { hosts.filter { $0.refusedToStart == nil } }

    private func convergenceBlocker() -> String? {
        guard let leader = hosts.first(where: { $0.isUp && $0.node!.raft.role == .leader }), let node = leader.node
        else {
            return "no leader"
        }
        if let busy = clients.first(where: { $0.isBusy }) {
            return "client \(busy.index) is busy (\(String(describing: busy.request)))"
        }
        let commit = node.raft.commitIndex
        guard commit == node.raft.lastIndex else {
            return "leader n\(leader.id) committed \(commit) of \(node.raft.lastIndex)"
        }
        for host in liveHosts {
            guard let member = host.node else { return "n\(host.id) is down" }
            guard member.raft.appliedIndex == commit else {
                return "n\(host.id) applied \(member.raft.appliedIndex), leader n\(leader.id) committed \(commit)"
            }
        }
        return nil
    }

    // MARK: The drain

    func drainStep(_ index: Int) {
        // dead-letter queues last: the drain redrives too
        let queues = Array(queuesToCreate.map(\.name).reversed()) + topicQueuesToDrain
        if !clients[index].held.isEmpty {
            let queue = clients[index].heldQueue
            let entries = clients[index].held.enumerated().map {
                HandleEntry(id: "d\($0.offset)", receiptHandle: $0.element.handle)
            }
            return submit(
                index, .drainDelete(queue: queue), .deleteMessages(queueName: queue, entries: entries, isBatch: true))
        }
        guard clients[index].drainQueueIndex < queues.count else {
            clients[index].drainDone = true
            emit("drain done")
            return
        }
        clients[index].drainReceives += 1
        if clients[index].drainReceives > QueueSimConstants.drainReceivesMax {
            return checker.fail(
                "LIVE", "the drain received \(QueueSimConstants.drainReceivesMax) times and the queues are not empty")
        }
        let queue = queues[clients[index].drainQueueIndex]
        submit(
            index, .drainReceive(queue: queue),
            .receiveMessages(
                ReceiveRequest(
                    queueName: queue, maxMessages: QueueSimConstants.drainBatch,
                    visibilityTimeoutSeconds: QueueSimConstants.drainVisibilitySeconds)))
    }

    func drainReceived(_ index: Int, queue: String, _ outcome: SubmitOutcome<QueueResult>) {
        clients[index].generation += 1
        let generation = clients[index].generation
        switch outcome {
        case .applied(.received(let messages)):
            if messages.isEmpty {
                // Empty may only mean "nothing visible yet": messages held by consumers come back when the
                // queue's time (the leader stamps' running maximum) passes their visibility timeout, which
                // lags real time after a leader whose wall clock was behind. Done when the queue holds nothing.
                if messagesLeft(in: queue) == 0 {
                    clients[index].drainQueueIndex += 1
                } else {
                    schedule(.client(index: index, generation: generation), after: 500_000)
                    return
                }
            } else {
                for message in messages { recordReceived(queue, message) }
                clients[index].held = messages.map { ($0.messageId, $0.receiptHandle) }
                clients[index].heldQueue = queue
            }
            schedule(.client(index: index, generation: generation), after: 1_000)
        default:
            // The receive may have applied: what it took stays invisible for the drain's visibility timeout,
            // so an empty answer could no longer be trusted. The drain deals with this by failing loudly.
            checker.fail("LIVE", "a drain receive on a healed cluster ended \(outcome)")
        }
    }

    /// Messages still in `queue` (visible, in flight or delayed) on the leader: only when to stop draining.
    private func messagesLeft(in queue: String) -> Int {
        guard let leader = hosts.first(where: { $0.isUp && $0.node!.raft.role == .leader }) else { return -1 }
        let machine = leader.node!.machine.queues
        let names = [
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        guard case .success(let counts) = machine.getQueueAttributes(queue, names: names) else { return -1 }
        return counts.reduce(0) { $0 + (Int($1.value) ?? 0) }
    }

    // MARK: The verdict

    private func finalCheck() {
        finished = true
        var reference: (id: NodeID, bytes: [UInt8])?
        for host in liveHosts {
            let bytes = host.node!.machine.snapshot()
            if let reference {
                if reference.bytes != bytes {
                    return checker.fail(
                        "SMS",
                        "replicas diverge at the end: n\(reference.id) and n\(host.id) hold different queue states at the same applied index"
                    )
                }
            } else {
                reference = (host.id, bytes)
            }
        }
        if let problem = history.problem { return checker.fail(problem.invariant, problem.detail) }
        let verdict = history.verdict()
        if !verdict.lost.isEmpty {
            return checker.fail(
                "Q-lost", "\(verdict.lost.count) acknowledged sends never received, e.g. \(verdict.lost.prefix(5))")
        }
        if !verdict.unexpected.isEmpty {
            return checker.fail(
                "Q-unexp",
                "\(verdict.unexpected.count) received bodies never sent, e.g. \(verdict.unexpected.prefix(5))")
        }
        if let problem = topicHistory.verdict(options.topics) { return checker.fail(problem.invariant, problem.detail) }
        self.verdict = verdict
        emit(
            "verdict: acknowledged \(history.acknowledged.count) (publishes \(topicHistory.acknowledged.count), fan-out receives \(topicHistory.received)) attempted \(history.attempted.count) recovered \(verdict.recovered) redelivered std \(verdict.standardRedeliveries) fifo \(verdict.fifoRedeliveries)"
        )
    }
}
