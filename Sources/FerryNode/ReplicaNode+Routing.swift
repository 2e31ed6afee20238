import FerryRaft

/// Getting a client's command into the log: proposed here when this node leads, forwarded to the leader
/// otherwise, parked while no leader is known. Every command carries this node's session and a sequence
/// number, so sending it again — after a leader change, or when a forward got no answer — is always safe:
/// the session table applies it once. The client is answered when the command is applied here.
extension ReplicaNode {
    func dispatch(_ sequence: UInt64) {
        guard var waiter = pending[sequence] else { return }
        if raft.role == .leader {
            do {
                _ = try raft.propose(stamp(waiter.command, session: session, sequence: sequence))
                waiter.route = .proposed(term: raft.term)
                waiter.wasSent = true
                pending[sequence] = waiter
            } catch {
                // Transferring leadership or overloaded: wait for the next leader (or the deadline).
                waiter.route = .awaitingLeader
                pending[sequence] = waiter
            }
        } else if let leader = raft.leader {
            forward(sequence, to: leader)
        } else {
            waiter.route = .awaitingLeader
            pending[sequence] = waiter
        }
    }

    func forward(_ sequence: UInt64, to leader: NodeID) {
        guard var waiter = pending[sequence] else { return }
        waiter.route = .forwarded(leader: leader, tick: tickCount)
        waiter.wasSent = true
        pending[sequence] = waiter
        environment.send(
            .forward(ForwardRequest(session: session, sequence: sequence, command: waiter.command)), to: leader)
    }

    func handleForward(_ request: ForwardRequest, from follower: NodeID) {
        guard raft.role == .leader else {
            environment.send(.forwardRefused(sequence: request.sequence, leaderHint: raft.leader), to: follower)
            return
        }
        // Already applied: the follower answers its client when it applies it too.
        guard !sessions.wasApplied(session: request.session, sequence: request.sequence) else { return }
        // A follower running this code never forwards one (`submit` refuses it); a peer that does is
        // refused with a named reason and no answer, so its client times out instead of retrying forever.
        guard request.command.count <= Self.commandBodyBytesMax else {
            environment.record(
                .peerMessageRejected(
                    from: follower,
                    reason: "forwarded command of \(request.command.count) bytes exceeds \(Self.commandBodyBytesMax)"))
            return
        }
        // Nothing enters the log that this leader could not apply: every replica running this build would
        // stop at it (`apply`). A follower running a newer build is what sends one; its client times out
        // until the cluster runs one version (docs/operations.md, "Upgrades").
        do {
            _ = try Machine.decode(request.command)
        } catch {
            environment.record(
                .peerMessageRejected(
                    from: follower,
                    reason: "forwarded command does not decode with this build (is node \(follower) newer?): \(error)"))
            return
        }
        do {
            _ = try raft.propose(stamp(request.command, session: request.session, sequence: request.sequence))
        } catch {
            environment.send(.forwardRefused(sequence: request.sequence, leaderHint: raft.leader), to: follower)
        }
    }

    /// A new leader (or none): send every command that may have been lost with the old one to the new one.
    func rerouteAfterLeaderChange() {
        for sequence in pending.keys.sorted() {
            switch pending[sequence]!.route {
            case .awaitingLeader:
                dispatch(sequence)
            case .proposed(let term):
                if raft.role != .leader || raft.term != term { dispatch(sequence) }
            case .forwarded(let leader, _):
                if leader != raft.leader { dispatch(sequence) }
            }
        }
    }

    /// Every few ticks: answer commands past their deadline, and forward again those the leader has not
    /// applied within `forwardRetryTicks` (the forward, or the leader's proposal, may have been lost).
    /// A command never sent is answered "unavailable" once it waited `leaderWaitTicks` for a leader; one
    /// that was sent, "timed out" at its command deadline (perhaps applied, perhaps not).
    func reviewPending() {
        for sequence in pending.keys.sorted() {
            let waiter = pending[sequence]!
            if !waiter.wasSent && waiter.leaderWaitDeadlineTick <= tickCount {
                pending[sequence] = nil
                waiter.completion(.unavailable(leaderHint: raft.leader))
                continue
            }
            if waiter.deadlineTick <= tickCount {
                pending[sequence] = nil
                waiter.completion(waiter.wasSent ? .timedOut : .unavailable(leaderHint: raft.leader))
                continue
            }
            if case .forwarded(_, let tick) = waiter.route, tickCount >= tick + UInt64(options.forwardRetryTicks) {
                dispatch(sequence)
            }
        }
    }

    /// Answers the client of `sequence`, if it is still waiting.
    func complete(_ sequence: UInt64, _ outcome: SubmitOutcome<Machine.Output>) {
        pending.removeValue(forKey: sequence)?.completion(outcome)
    }
}
