import FerryNode
import FerryQueue
import FerryRaft

/// The pub/sub workload (`TopicWorkload`): publisher 0 first sets up the queues, the two topics and the
/// subscriptions (each step retried until acknowledged: all are idempotent); then publishers publish JSON
/// messages `{"key":"pub<p>-<n>","color":..,"size":..}` with matching attributes (now and then without one),
/// to either topic, alone or in batches. A FIFO publish carries the group `pg<p>-<j>` (one publisher per group)
/// and its key as deduplication id (or none, with ContentBasedDeduplication), and is retried after an unknown
/// outcome until acknowledged; a standard one is sometimes abandoned. Consumers receive from the subscribed
/// queues too, and the final drain empties them for the Q-topic check (`TopicHistory`).
extension QueueSimulation {
    struct PendingPublish: CustomStringConvertible {
        var keys: [String]
        var fifo: Bool
        var command: QueueCommand

        var description: String { "publish \(keys.joined(separator: ",")) to \(fifo ? "fifo" : "std") topic" }
    }

    enum TopicSetupStep {
        case queue(String)
        case topic(String)
        case subscribe(TopicWorkload.Subscription)
    }

    private var publisherZero: Int { clients.count - options.topics.publisherCount }

    var topicsReady: Bool { !clients[publisherZero].topicSetupPending }

    var topicSetupSteps: [TopicSetupStep] {
        options.topics.queues.map(TopicSetupStep.queue) + [
            .topic(TopicWorkload.standardTopic), .topic(TopicWorkload.fifoTopic),
        ]
            + options.topics.subscriptions.map(TopicSetupStep.subscribe)
    }

    func setupCommand(_ step: TopicSetupStep) -> QueueCommand {
        switch step {
        case .queue(let name):
            return .createQueue(
                name: name, attributes: name.hasSuffix(".fifo") ? [KeyValue("FifoQueue", "true")] : [], tags: [])
        case .topic(let name):
            var attributes: [KeyValue] = []
            if name == TopicWorkload.fifoTopic {
                attributes.append(KeyValue("FifoTopic", "true"))
                if options.topics.contentBasedDeduplication {
                    attributes.append(KeyValue("ContentBasedDeduplication", "true"))
                }
            }
            return .topic(.createTopic(name: name, attributes: attributes, tags: []))
        case .subscribe(let s):
            var attributes: [KeyValue] = []
            if s.raw { attributes.append(KeyValue("RawMessageDelivery", "true")) }
            if s.bodyScope { attributes.append(KeyValue("FilterPolicyScope", "MessageBody")) }
            if let filter = s.filter { attributes.append(KeyValue("FilterPolicy", filter.text)) }
            if let target = s.deadLetterQueue {
                attributes.append(
                    KeyValue("RedrivePolicy", "{\"deadLetterTargetArn\":\"\(referenceModel.arnPrefix)\(target)\"}"))
            }
            return .topic(
                .subscribe(topicName: s.topic, endpoint: referenceModel.arnPrefix + s.queue, attributes: attributes))
        }
    }

    func publisherAct(_ index: Int, _ publisher: Int) {
        if clients[index].topicSetupPending {
            let step = clients[index].topicSetupDone
            return submit(index, .topicSetup(step: step), setupCommand(topicSetupSteps[step]))
        }
        guard topicsReady else { return think(index, 100_000) }
        if clients[index].pendingPublish == nil {
            guard livenessDeadline == nil else { return }
            clients[index].pendingPublish = nextPublish(publisher, client: index)
        }
        let publish = clients[index].pendingPublish!
        submit(index, .publish(publish), publish.command)
    }

    /// A setup step answered: the next one once acknowledged, else the same one again.
    func topicSetupAnswered(_ index: Int, step: Int, _ outcome: SubmitOutcome<QueueResult>) -> SimMicros? {
        switch outcome {
        case .applied(.queueCreated), .applied(.topicCreated), .applied(.subscribed):
            clients[index].topicSetupDone += 1
            if clients[index].topicSetupDone == topicSetupSteps.count { clients[index].topicSetupPending = false }
            return nil
        case .applied(let result):
            checker.fail("Q-topic", "set-up step \(topicSetupSteps[step]) answered \(abbreviated(result))")
            return nil
        default:
            return SimConstants.clientBackoffMicros
        }
    }

    private func nextPublish(_ publisher: Int, client index: Int) -> PendingPublish {
        let workload = options.topics
        let fifo = clientRandom.chance(0.5)
        let group = fifo ? "pg\(publisher)-\(clientRandom.int(in: 0...1))" : nil
        let count = clientRandom.chance(workload.batchChance) ? clientRandom.int(in: 2...3) : 1
        var keys: [String] = []
        var entries: [PublishEntry] = []
        for position in 0..<count {
            let number = clients[index].sequence
            clients[index].sequence += 1
            let key = "pub\(publisher)-\(number)"
            let color = clientRandom.pick(["red", "green", "blue", "grey"])
            let size = clientRandom.int(in: 0...9)
            var fields = ["\"key\":\"\(key)\""]
            var attributes: [MessageAttribute] = []
            if !clientRandom.chance(workload.omitChance) {
                fields.append("\"color\":\"\(color)\"")
                attributes.append(MessageAttribute(name: "color", dataType: "String", value: .string(color)))
            }
            if !clientRandom.chance(workload.omitChance) {
                fields.append("\"size\":\(size)")
                attributes.append(MessageAttribute(name: "size", dataType: "Number", value: .string(String(size))))
            }
            let dedupId = fifo && !(workload.contentBasedDeduplication && clientRandom.chance(0.5)) ? key : nil
            let entry = PublishEntry(
                id: count > 1 ? "e\(position)" : "", message: "{" + fields.joined(separator: ",") + "}",
                subject: clientRandom.chance(0.3) ? "about \(key)" : nil, attributes: attributes,
                messageGroupId: group, messageDeduplicationId: dedupId)
            topicHistory.attempt(
                key,
                .init(
                    topic: fifo ? TopicWorkload.fifoTopic : TopicWorkload.standardTopic, group: group,
                    entry: entry, number: number))
            keys.append(key)
            entries.append(entry)
        }
        let command = QueueCommand.topic(
            .publish(
                topicName: fifo ? TopicWorkload.fifoTopic : TopicWorkload.standardTopic,
                entries: entries, isBatch: count > 1, endpointBase: TopicWorkload.endpointBase))
        return PendingPublish(keys: keys, fifo: fifo, command: command)
    }

    /// A publish answered. Returns the pause before the publisher acts again (nil: think as usual).
    func publishAnswered(_ index: Int, _ publish: PendingPublish, _ outcome: SubmitOutcome<QueueResult>) -> SimMicros? {
        switch outcome {
        case .applied(.published(let results)):
            for (key, result) in zip(publish.keys, results) {
                if case .success = result.result { topicHistory.acknowledge(key) }
            }
            clients[index].pendingPublish = nil
            return nil
        case .applied(let result):
            checker.fail("Q-topic", "\(publish), valid, answered \(abbreviated(result))")
            clients[index].pendingPublish = nil
            return nil
        case .timedOut where !publish.fifo && clientRandom.chance(QueueSimConstants.giveUpOnUnknownChance):
            clients[index].pendingPublish = nil  // if it landed anyway, its copies are still checked
            return nil
        default:
            return SimConstants.clientBackoffMicros  // the same publish again: FIFO ones deduplicate on the topic
        }
    }

    /// A consumer's receive goes to a subscribed queue with this chance, once they exist.
    func drawTopicQueue() -> String? {
        guard options.topics.publisherCount > 0, topicsReady, clientRandom.chance(0.3) else { return nil }
        return clientRandom.pick(options.topics.queues)
    }

    /// A received message, into the history of the workload it belongs to.
    func recordReceived(_ queue: String, _ message: ReceivedMessage) {
        if queue.hasPrefix(TopicWorkload.queuePrefix) {
            topicHistory.receive(queue: queue, message)
        } else {
            history.receive(message)
        }
    }

    /// Queues the final drain empties after the SQS workload's (only those the set-up created).
    var topicQueuesToDrain: [String] { options.topics.publisherCount > 0 ? options.topics.queues : [] }
}
