import FerryQueue
import FerrySQS

/// ReceiveMessage (docs/sqs-wire.md, "Operations", "Message checksums", "Receive"): one receive command through Raft;
/// an empty answer with a wait time parks the request in the long-poll registry, which retries it when the queue may
/// have something.
extension SQSService {
    func receiveMessage(_ r: ReceiveMessageRequest, clientGone: @escaping () -> Bool, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            let request = ReceiveRequest(
                queueName: name, maxMessages: r.maxNumberOfMessages ?? 1,
                visibilityTimeoutSeconds: r.visibilityTimeout, receiveRequestAttemptId: r.receiveRequestAttemptId)
            // The request's WaitTimeSeconds, else the queue's ReceiveMessageWaitTimeSeconds. Read from local
            // state: a follower a few entries behind only picks a slightly stale default wait.
            let waitSeconds = r.waitTimeSeconds ?? self.queueWaitSecondsDefault(name)
            if let error = Self.validate({
                try QueueValidation.validateReceive(request)
                try QueueValidation.validateWaitTime(waitSeconds)
            }) {
                return respond(.failure(error))
            }
            let poll = LongPoll(
                request: request,
                view: ReceivedMessageView(
                    r, senderId: self.accountId, queueName: name, receiptHandles: self.receiptHandles),
                deadlineMs: self.loop.nowMs + UInt64(waitSeconds) * 1000, clientGone: clientGone, respond: respond)
            if waitSeconds > 0 && self.longPolls.canQueueBehindParked(name) {
                // Others already wait here for this queue: queue up behind them instead of racing them for
                // the next message with a receive of its own. They are woken oldest first, so the consumer
                // that waited longest is answered first, and a client that pipelines its polls on one
                // connection (answered in order) is not left with a young poll's answer behind an old
                // one's wait. It also spares the log one receive command per request.
                self.longPolls.park(poll)
            } else {
                self.attemptReceive(poll)
            }
        }
    }

    func queueWaitSecondsDefault(_ name: String) -> Int {
        node.machine.queues.receiveWaitSecondsDefault(name) ?? 0
    }

    /// One receive command for `poll`. Messages, an error, or the deadline answer it; an empty result
    /// before the deadline parks it until the queue changes or a message's timer comes due.
    func attemptReceive(_ poll: LongPoll) {
        poll.inFlight = true
        poll.pacing.started(atMs: loop.nowMs)
        let isArrival = !poll.isParked
        if isArrival { longPolls.arrivalStarted(poll) }
        node.submit(.receiveMessages(poll.request)) { [unowned self] outcome in
            poll.inFlight = false
            if isArrival { self.longPolls.arrivalFinished(poll) }
            switch outcome {
            case .applied(.received(let messages)) where !messages.isEmpty:
                self.longPolls.finish(poll, .success(.receiveMessage(messages.map(poll.view.render))))
            case .applied(.received):
                poll.pacing.cameBackEmpty()
                if self.loop.nowMs >= poll.deadlineMs || poll.clientGone() {
                    self.longPolls.finish(poll, .success(.receiveMessage([])))
                } else {
                    self.longPolls.park(poll)
                }
            case .applied(.failed(let error)):
                self.longPolls.finish(poll, .failure(SQSErrorMapping.map(error)))
            case .applied(let other):
                self.longPolls.finish(poll, .failure(SQSError(.internalFailure, "unexpected receive result \(other)")))
            case .unavailable:
                self.longPolls.finish(poll, .failure(Self.noLeader))
            case .timedOut:
                // Messages this receive took (if it applied) reappear after their visibility timeout.
                self.longPolls.finish(poll, .failure(Self.outcomeUnknown))
            case .tooLarge(let bytes):
                self.longPolls.finish(poll, .failure(Self.commandTooLarge(bytes: bytes)))
            }
        }
    }
}

/// What the client asked to see of each message: the system attributes and the message attributes it
/// named. The checksums are computed over what is returned (docs/sqs-wire.md, "Message checksums", rule 2).
struct ReceivedMessageView {
    var systemAll: Bool
    var systemNames: Set<String>
    var attributesAll: Bool
    var attributeNames: Set<String>
    /// `bar.*` selects the names starting with `bar`.
    var attributePrefixes: [String]
    /// SenderId: the account (Ferry has no IAM principals).
    var senderId: String
    /// The queue the handles are sealed for, as the request's QueueUrl names it, in the account `senderId`.
    var queueName: String
    var receiptHandles: ReceiptHandleSeal

    init(_ r: ReceiveMessageRequest, senderId: String, queueName: String, receiptHandles: ReceiptHandleSeal) {
        systemAll = r.messageSystemAttributeNames.contains("All")
        systemNames = Set(r.messageSystemAttributeNames)
        // AWS reads `*`, `.*` and `All` as every attribute, and `Hel.*` as the prefix `Hel` (it selects `Hello`
        // and `Help.Me`; recorded: test_receive_message_message_attribute_names_filters).
        attributesAll = r.messageAttributeNames.contains { $0 == "All" || $0 == "*" || $0 == ".*" }
        attributeNames = Set(r.messageAttributeNames.filter { !$0.hasSuffix(".*") })
        attributePrefixes = r.messageAttributeNames.filter { $0.hasSuffix(".*") }.map { String($0.dropLast(2)) }
        self.senderId = senderId
        self.queueName = queueName
        self.receiptHandles = receiptHandles
    }

    func render(_ message: FerryQueue.ReceivedMessage) -> FerrySQS.ReceivedMessage {
        FerrySQS.ReceivedMessage(
            messageId: message.messageId,
            receiptHandle: receiptHandles.seal(message.receiptHandle, account: senderId, queueName: queueName),
            body: message.bodyText,
            bodyMD5: message.bodyMD5,
            attributes: systemAll || !systemNames.isEmpty ? systemAttributes(message) : [:],
            messageAttributes: message.attributes.isEmpty ? [:] : messageAttributes(message))
    }

    func systemAttributes(_ message: FerryQueue.ReceivedMessage) -> [String: String] {
        var system: [String: String] = [
            "SenderId": senderId,
            "SentTimestamp": String(message.sentTimestampMs),
            "ApproximateReceiveCount": String(message.approximateReceiveCount),
            "ApproximateFirstReceiveTimestamp": String(message.approximateFirstReceiveTimestampMs),
        ]
        system["SequenceNumber"] = message.sequenceNumber
        system["MessageGroupId"] = message.messageGroupId
        system["MessageDeduplicationId"] = message.messageDeduplicationId
        system["AWSTraceHeader"] = message.awsTraceHeader
        system["DeadLetterQueueSourceArn"] = message.deadLetterQueueSourceArn
        if !systemAll { system = system.filter { systemNames.contains($0.key) } }
        return system
    }

    func messageAttributes(_ message: FerryQueue.ReceivedMessage) -> [String: MessageAttributeValue] {
        var attributes: [String: MessageAttributeValue] = [:]
        for attribute in message.attributes where wants(attribute.name) {
            switch attribute.value {
            case .string(let s): attributes[attribute.name] = .string(s, dataType: attribute.dataType)
            case .binary(let b): attributes[attribute.name] = .binary(b, dataType: attribute.dataType)
            }
        }
        return attributes
    }

    func wants(_ name: String) -> Bool {
        attributesAll || attributeNames.contains(name) || attributePrefixes.contains { name.hasPrefix($0) }
    }
}
