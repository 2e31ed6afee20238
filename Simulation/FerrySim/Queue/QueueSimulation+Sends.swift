import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRaft

/// The producers' requests: each send takes a shape (`MessageShape`: plain, at a size limit, or one byte
/// past one), and the answer is checked against it. A valid request must be accepted whatever its size; one
/// over a limit must be refused by the edge's validation and by the cluster, with the same SQS error, and
/// its messages are never received.
extension QueueSimulation {
    /// A producer's next request: unique keys `p<producer>-<n>` (a batch takes several), the shape drawn
    /// from the seed's mix.
    func nextSend(producer: Int, client index: Int) -> QueueClient.PendingSend {
        let drawnFifo = clientRandom.chance(0.5)
        var shape = MessageShape.plain
        if let sizes = options.sizes {
            if shapeTourNext < sizes.tour.count {
                shape = sizes.tour[shapeTourNext]
                shapeTourNext += 1
            } else {
                shape = sizes.pick(&clientRandom)
            }
        }
        let fifo = drawnFifo || shape.isFifoOnly
        let group = fifo ? "g\(producer)-\(clientRandom.int(in: 0...(options.groupsPerProducer - 1)))" : nil
        var payloads = shape.payloads(random: &clientRandom)
        let keys = payloads.indices.map { _ in
            defer { clients[index].sequence += 1 }
            return "p\(producer)-\(clients[index].sequence)"
        }
        var command = sendCommand(shape, keys: keys, payloads: payloads, fifo: fifo, group: group)
        if shape == .overCommand {
            // Varint lengths are three bytes from 16 KiB to 2 MiB, so one probe sizes it exactly.
            let probe = QueueReplica.encode(command).count
            payloads[0].bodyBytes += QueueHost.Node.commandBodyBytesMax + 1 - probe
            command = sendCommand(shape, keys: keys, payloads: payloads, fifo: fifo, group: group)
        }
        let send = QueueClient.PendingSend(
            keys: keys, fifo: fifo, group: group, shape: shape, command: command,
            edgeRefusal: Self.edgeRefusal(command))
        if shape.isOverLimit {
            if send.edgeRefusal == nil {
                checker.fail("Q-limit", "the edge's validation accepts \(send), one byte past a limit")
            }
            for key in keys { history.refuse(key) }
        } else {
            if let error = send.edgeRefusal {
                checker.fail("Q-limit", "the edge's validation refuses \(send), which is within every limit: \(error)")
            }
            for (key, payload) in zip(keys, payloads) {
                history.attempt(key, fifo: fifo, group: group, payload: payload)
            }
        }
        shapesSent[shape, default: 0] += 1
        return send
    }

    private func sendCommand(
        _ shape: MessageShape, keys: [String], payloads: [MessagePayload], fifo: Bool,
        group: String?
    ) -> QueueCommand {
        let entries = zip(keys, payloads).enumerated().map { position, message in
            let id =
                !shape.isBatch
                ? ""
                : shape == .fullBatch || shape == .overBatchBytes
                    ? PayloadBytes.letters(prefix: "e\(position)", to: QueueLimits.batchEntryIdCharactersMax)
                    : "e\(position)"
            return message.1.entry(
                key: message.0, id: id, group: group,
                attributes: history.attributes(message.1.attributes))
        }
        return .sendMessages(
            queueName: fifo ? QueueSimConstants.fifoQueue : QueueSimConstants.standardQueue,
            entries: entries, isBatch: shape.isBatch)
    }

    /// What the API edge answers before proposing (FerryServer runs the same `QueueValidation`), or nil.
    static func edgeRefusal(_ command: QueueCommand) -> QueueError? {
        guard case .sendMessages(_, let entries, let isBatch) = command else { return nil }
        do {
            if isBatch { try QueueValidation.validateSendBatch(entries) }
            for entry in entries { try QueueValidation.validateSendEntry(entry) }
            return nil
        } catch let error as QueueError {
            return error
        } catch {
            preconditionFailure("validation throws QueueError only")
        }
    }

    /// The answer to a send. Returns the pause before the producer acts again (nil: think as usual).
    func sendAnswered(
        _ index: Int, _ send: QueueClient.PendingSend, _ outcome: SubmitOutcome<QueueResult>
    ) -> SimMicros? {
        if send.shape.isOverLimit { return overLimitAnswered(index, send, outcome) }
        switch outcome {
        case .applied(.sent(let results)):
            let messageIds: [String] = results.compactMap {
                if case .success(let sent) = $0.result { return sent.messageId } else { return nil }
            }
            guard messageIds.count == send.keys.count else { return SimConstants.clientBackoffMicros }
            for (key, messageId) in zip(send.keys, messageIds) { history.acknowledge(key, messageId: messageId) }
            host(clients[index].target).ackAwaitingIndex = send.keys[0]
            clients[index].pendingSend = nil
            return nil
        case .tooLarge(let bytes):
            checker.fail(
                "Q-limit",
                "\(send) (within every SQS limit) was refused as too large: \(bytes) encoded bytes, commandBodyBytesMax \(QueueHost.Node.commandBodyBytesMax)"
            )
            return nil
        case .timedOut where !send.fifo && clientRandom.chance(QueueSimConstants.giveUpOnUnknownChance):
            // A standard-queue producer sometimes moves on after an unknown outcome (Jepsen's "info"): if
            // the send landed anyway, the checker counts it as recovered. FIFO sends are always retried
            // (same dedup id), so each group's send order stays known.
            clients[index].pendingSend = nil
            return nil
        default:
            return SimConstants.clientBackoffMicros  // retry the same request, same dedup ids
        }
    }

    /// One byte past a limit: the cluster must refuse it with the edge's SQS error (or, past the command
    /// bound, at `submit`). Its messages are in `history.refused` already; the producer never retries it.
    private func overLimitAnswered(
        _ index: Int, _ send: QueueClient.PendingSend, _ outcome: SubmitOutcome<QueueResult>
    ) -> SimMicros? {
        switch outcome {
        case .timedOut, .unavailable:
            break  // unknown, and it must never land: the receive check says if it did
        case .tooLarge:
            if send.shape != .overCommand {
                checker.fail(
                    "Q-limit",
                    "\(send) refused as too large at submit, not by validation: the command bound is too small")
            }
        case .applied(.failed(let error)):
            if send.shape == .overCommand {
                checker.fail(
                    "Q-limit",
                    "\(send) was proposed and applied (\(error)): submit must refuse a command past commandBodyBytesMax"
                )
            } else if error != send.edgeRefusal {
                checker.fail(
                    "Q-limit",
                    "\(send) refused by the cluster with \(error), but by the edge with \(String(describing: send.edgeRefusal))"
                )
            }
        case .applied(let result):
            checker.fail("Q-limit", "\(send), one byte past a limit, answered \(abbreviated(result))")
        }
        clients[index].pendingSend = nil
        return nil
    }
}

/// At most `characters` of a value's description: outputs can carry 1 MiB bodies.
func abbreviated(_ value: Any, characters: Int = 400) -> String {
    let text = String(describing: value)
    return text.count <= characters ? text : String(text.prefix(characters)) + "…"
}
