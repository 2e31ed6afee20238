import FerryRaft

/// A client: one command in flight at a time, sent to whichever node it believes leads, retried with
/// the same bytes after a refusal, a failed position or a timeout. A command is ACKNOWLEDGED when the
/// node it was proposed to applies it at the position that node returned.
struct SimClient {
    let index: Int
    var target: NodeID
    var sequence: UInt64 = 0
    /// The command in flight, if any.
    var commandID: UInt64?
    var command: [UInt8] = []
    /// Bumped whenever the client re-arms its timer, so a superseded timer does nothing.
    var generation: UInt64 = 0

    init(index: Int, target: NodeID) {
        self.index = index
        self.target = target
    }
}

extension Simulation {
    func onClientTimer(_ index: Int, generation: UInt64) {
        guard clients[index].generation == generation else { return }
        trace.combine(UInt64(index))
        if clients[index].commandID == nil {
            guard livenessDeadline == nil else { return }  // no new work once faults heal
            clients[index].sequence += 1
            let id = Command.id(client: index, sequence: clients[index].sequence)
            let padding =
                options.commandPaddingBytesMax == 0 ? 0 : clientRandom.int(in: 0...options.commandPaddingBytesMax)
            clients[index].commandID = id
            clients[index].command = Command.encode(id: id, paddingBytes: padding)
        }
        attempt(index)
    }

    /// Proposes the client's command at its target node, or arranges a retry.
    private func attempt(_ index: Int) {
        let target = node(clients[index].target)
        guard target.isRunning else {
            // Connection refused or no answer: try another node after the timeout (or at once if down).
            retarget(index, hint: nil)
            armTimer(index, after: target.isUp ? SimConstants.clientTimeoutMicros : SimConstants.clientBackoffMicros)
            return
        }
        do {
            let position = try target.raft!.propose(clients[index].command)
            emit("client \(index) proposed \(clients[index].commandID!) at n\(target.id) -> \(position)")
            target.waiting.removeAll { $0.client == index }  // a client waits on its latest attempt only
            target.waiting.append(
                PendingProposal(
                    index: position.index, client: index, commandID: clients[index].commandID!, term: position.term))
            armTimer(index, after: SimConstants.clientTimeoutMicros)
            afterInput(target)
        } catch .notLeader(let hint) {
            retarget(index, hint: hint)
            armTimer(index, after: SimConstants.clientBackoffMicros)
        } catch {
            armTimer(index, after: SimConstants.clientBackoffMicros)
        }
    }

    private func retarget(_ index: Int, hint: NodeID?) {
        if let hint, hint != clients[index].target {
            clients[index].target = hint
        } else {
            clients[index].target = NodeID(clientRandom.int(in: 1...nodes.count))
        }
    }

    private func armTimer(_ index: Int, after delay: SimMicros) {
        clients[index].generation += 1
        schedule(.client(index: index, generation: clients[index].generation), after: delay)
    }

    /// The node a proposal was made to applied the entry at its position.
    func settle(_ proposal: PendingProposal, applied entry: Entry) {
        let index = proposal.client
        guard clients[index].commandID == proposal.commandID else { return }  // already settled
        guard entry.term == proposal.term else {
            // Another leader's entry took that index: the proposal failed. Retry the same command.
            armTimer(index, after: SimConstants.clientBackoffMicros)
            return
        }
        guard case .command(let bytes) = entry.payload, Command.id(of: bytes) == proposal.commandID else {
            checker.fail(
                "SMS",
                "client \(index)'s command \(proposal.commandID) was proposed at \(entry.position) but \(entry) applied there"
            )
            return
        }
        acknowledged.append((proposal.commandID, entry.position))
        emit("client \(index) acknowledged \(proposal.commandID) at \(entry.position)")
        clients[index].commandID = nil
        armTimer(index, after: clientRandom.uint64(in: 0...options.clientThinkMicrosMax))
    }
}
