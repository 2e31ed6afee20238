import FerryNode
import FerryQueue
import FerryRaft

/// The workload: producers send unique keys (in bodies of every size, `QueueSimulation+Sends`) to a standard and a FIFO queue (one group has one producer,
/// explicit dedup ids, retried with the same id after `.timedOut` or `.unavailable`, across leader changes
/// and restarts); consumers receive with visibility timeouts, delete (sometimes with a stale handle), or
/// "crash" holding messages. Clients reach the cluster only through `ReplicaNode.submit` at a random node.
extension QueueSimulation {
    var queuesReady: Bool { clients[0].created.count == clients[0].queuesToCreate }

    /// The queues the admin creates, in order: dead-letter queues before the queues that name them.
    var queuesToCreate: [(name: String, attributes: [KeyValue])] {
        let fifo = KeyValue("FifoQueue", "true")
        guard let maxReceiveCount = options.behaviours.maxReceiveCount else {
            return [(QueueSimConstants.standardQueue, []), (QueueSimConstants.fifoQueue, [fifo])]
        }
        func redrive(_ target: String) -> KeyValue {
            KeyValue(
                "RedrivePolicy",
                "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:\(target)\",\"maxReceiveCount\":\(maxReceiveCount)}"
            )
        }
        return [
            (QueueSimConstants.standardDeadLetterQueue, []), (QueueSimConstants.fifoDeadLetterQueue, [fifo]),
            (QueueSimConstants.standardQueue, [redrive(QueueSimConstants.standardDeadLetterQueue)]),
            (QueueSimConstants.fifoQueue, [fifo, redrive(QueueSimConstants.fifoDeadLetterQueue)]),
        ]
    }

    func onClientTimer(_ index: Int, generation: UInt64) {
        guard clients[index].generation == generation else { return }
        if clients[index].request != nil {
            // No answer: the node died with the request, or it hangs. The outcome is unknown.
            finish(index, .timedOut)
            return
        }
        act(index)
    }

    /// The node the client was connected to crashed: its requests end with an unknown outcome.
    func clientsLostConnection(to id: NodeID) {
        for index in clients.indices where clients[index].request != nil && clients[index].target == id {
            schedule(.client(index: index, generation: clients[index].generation), after: 0)
        }
    }

    func think(_ index: Int, _ micros: SimMicros? = nil) {
        clients[index].generation += 1
        schedule(
            .client(index: index, generation: clients[index].generation),
            after: micros ?? clientRandom.uint64(in: 1...options.clientThinkMicrosMax))
    }

    private func act(_ index: Int) {
        let phaseOver = livenessDeadline != nil
        switch clients[index].role {
        case .admin:
            if clients[index].draining { return drainStep(index) }
            for (queue, attributes) in queuesToCreate where !clients[index].created.contains(queue) {
                return submit(index, .create(queue: queue), .createQueue(name: queue, attributes: attributes, tags: []))
            }
        case .producer(let producer):
            guard queuesReady else { return think(index, 100_000) }
            if clients[index].pendingSend == nil {
                guard !phaseOver else { return }
                clients[index].pendingSend = nextSend(producer: producer, client: index)
            }
            let send = clients[index].pendingSend!
            submit(index, .send(send), send.command)
        case .consumer:
            guard queuesReady else { return think(index, 100_000) }
            if !clients[index].held.isEmpty {
                if !clients[index].changedVisibility && clientRandom.chance(options.behaviours.changeVisibilityChance) {
                    return changeVisibilityOfHeld(index)
                }
                return deleteHeld(index)
            }
            if let retry = clients[index].receiveToRetry, case .receiveMessages(let request) = retry {
                // The same ReceiveRequestAttemptId: SQS answers with the same messages and handles.
                return submit(index, .receive(queue: request.queueName, command: retry), retry)
            }
            guard !phaseOver else { return }
            var queue = clientRandom.chance(0.5) ? QueueSimConstants.fifoQueue : QueueSimConstants.standardQueue
            if options.behaviours.maxReceiveCount != nil
                && clientRandom.chance(options.behaviours.deadLetterReceiveChance)
            {
                queue =
                    queue == QueueSimConstants.fifoQueue
                    ? QueueSimConstants.fifoDeadLetterQueue : QueueSimConstants.standardDeadLetterQueue
            }
            if let topicQueue = drawTopicQueue() { queue = topicQueue }
            let visibility = clientRandom.int(in: options.visibilitySecondsMin...options.visibilitySecondsMax)
            var attemptId: String?
            if queue.hasSuffix(".fifo") && clientRandom.chance(options.behaviours.attemptIdChance) {
                clients[index].attemptsIssued += 1
                attemptId = "c\(index)-\(clients[index].attemptsIssued)"
            }
            let command = QueueCommand.receiveMessages(
                ReceiveRequest(
                    queueName: queue, maxMessages: clientRandom.int(in: 1...10), visibilityTimeoutSeconds: visibility,
                    receiveRequestAttemptId: attemptId))
            submit(index, .receive(queue: queue, command: command), command)
        case .reader:
            readerAct(index)
        case .publisher(let publisher):
            publisherAct(index, publisher)
        }
    }

    /// Releases what the consumer holds (timeout 0: another consumer may take it) or keeps it longer, now and
    /// then with the handle of an earlier receive; the consumer deletes afterwards with the handle it has.
    private func changeVisibilityOfHeld(_ index: Int) {
        clients[index].changedVisibility = true
        let timeoutSeconds = clientRandom.chance(0.5) ? 0 : clientRandom.int(in: 1...options.visibilitySecondsMax)
        let entries = clients[index].held.enumerated().map { position, held in
            var handle = held.handle
            if clientRandom.chance(0.3), let earlier = clients[index].earlierHandle[held.messageId] { handle = earlier }
            return HandleEntry(id: "v\(position)", receiptHandle: handle, visibilityTimeoutSeconds: timeoutSeconds)
        }
        let queue = clients[index].heldQueue
        submit(
            index, .changeVisibility(queue: queue), .changeVisibility(queueName: queue, entries: entries, isBatch: true)
        )
    }

    private func deleteHeld(_ index: Int) {
        var entries: [HandleEntry] = []
        for (position, held) in clients[index].held.enumerated() {
            var handle = held.handle
            if clientRandom.chance(options.staleDeleteChance),
                let earlier = clients[index].earlierHandle[held.messageId]
            {
                handle = earlier
            }
            entries.append(HandleEntry(id: "e\(position)", receiptHandle: handle))
        }
        let queue = clients[index].heldQueue
        submit(index, .delete(queue: queue), .deleteMessages(queueName: queue, entries: entries, isBatch: true))
    }

    func submit(_ index: Int, _ request: QueueClient.Request, _ command: QueueCommand) {
        let up = hosts.filter { $0.isUp }
        guard !up.isEmpty else { return think(index, SimConstants.clientBackoffMicros) }
        let target = clientRandom.pick(up)
        if case .send(let send) = request { history.submitted(send.keys) }
        clients[index].generation += 1
        let generation = clients[index].generation
        clients[index].request = request
        clients[index].target = target.id
        schedule(.client(index: index, generation: generation), after: QueueSimConstants.clientTimeoutMicros)
        target.node!.submit(command) { [unowned self] outcome in
            // Runs inside the node's input: record and schedule only.
            guard self.clients[index].generation == generation else { return }
            self.finish(index, outcome)
        }
    }

    /// A request ended: record what the client learned, then think.
    func finish(_ index: Int, _ outcome: SubmitOutcome<QueueResult>) {
        guard let request = clients[index].request else { preconditionFailure("finish without a request") }
        clients[index].request = nil
        emit("client \(index) via n\(clients[index].target): \(request) -> \(abbreviated(outcome))")
        var pause: SimMicros? = nil
        switch (request, outcome) {
        case (.create(let queue), .applied(.queueCreated)):
            clients[index].created.insert(queue)
        case (.send(let send), let outcome):
            pause = sendAnswered(index, send, outcome)
        case (.topicSetup(let step), let outcome):
            pause = topicSetupAnswered(index, step: step, outcome)
        case (.publish(let publish), let outcome):
            pause = publishAnswered(index, publish, outcome)
        case (.receive(let queue, _), .applied(.received(let messages))):
            clients[index].receiveToRetry = nil
            for message in messages { recordReceived(queue, message) }
            if !messages.isEmpty && !clientRandom.chance(options.consumerAbandonChance) {
                clients[index].held = messages.map { ($0.messageId, $0.receiptHandle) }
                clients[index].heldQueue = queue
                clients[index].changedVisibility = false
            }
            for message in messages {
                if let previous = clients[index].earlierHandle[message.messageId], previous != message.receiptHandle {
                    clients[index].earlierHandle[message.messageId] = previous  // keep the oldest: the stalest
                } else {
                    clients[index].earlierHandle[message.messageId] = message.receiptHandle
                }
            }
        case (.receive(_, let command), .timedOut), (.receive(_, let command), .unavailable):
            if case .receiveMessages(let request) = command, request.receiveRequestAttemptId != nil,
                clients[index].receiveToRetry == nil
            {
                clients[index].receiveToRetry = command  // once: then the consumer moves on
            } else {
                clients[index].receiveToRetry = nil
            }
            pause = SimConstants.clientBackoffMicros
        case (.receive, _):
            clients[index].receiveToRetry = nil
            pause = SimConstants.clientBackoffMicros
        case (.changeVisibility, _):
            break  // answered or not, the consumer deletes next with the handles it holds
        case (.readerCreate(let queue), let outcome):
            pause = readerCreated(index, queue, outcome)
        case (.delete, _):
            clients[index].held = []  // answered or not, the consumer moves on; undeleted messages come back
        case (.drainReceive(let queue), let outcome):
            return drainReceived(index, queue: queue, outcome)
        case (.drainDelete, _):
            clients[index].held = []
        case (_, .timedOut), (_, .unavailable):
            pause = SimConstants.clientBackoffMicros  // producers retry the same send, same dedup id
        default:
            pause = SimConstants.clientBackoffMicros  // e.g. the queue does not exist yet
        }
        think(index, pause)
    }
}
