import FerryQueue

/// The SNS publish apply with 1, 5 and 20 subscriptions (`ferry bench machine`): every subscription gets the
/// JSON envelope (RawMessageDelivery off) through a body-scoped filter policy that matches, so the phase
/// shows what the apply does per subscription. Only the publish applies are timed; the queues are drained
/// between them so they stay small.
extension QueueBenchmark {
    public struct PublishPhase: Sendable, CustomStringConvertible {
        public var subscriptions: Int
        public var publishes: Int
        public var nanoseconds: UInt64

        public var nanosecondsPerPublish: Double { publishes == 0 ? 0 : Double(nanoseconds) / Double(publishes) }
        public var description: String {
            "publish to \(subscriptions) subscriptions: \(publishes) publishes in \(Double(nanoseconds) / 1e9) s = "
                + "\(Int(nanosecondsPerPublish)) ns per publish apply"
        }
    }

    public static let publishSubscriptionCounts = [1, 5, 20]

    static func publishPhase(subscriptions: Int, rounds: Int, clockNs: () -> UInt64) -> PublishPhase {
        var driver = Driver()
        expect(driver.apply(.topic(.createTopic(name: "bench", attributes: [], tags: []))), "create topic")
        let queues = (0..<subscriptions).map { "sub\($0)" }
        for queue in queues {
            expect(driver.apply(.createQueue(name: queue, attributes: [], tags: [])), "create queue")
            let attributes = [
                KeyValue("FilterPolicyScope", "MessageBody"),
                KeyValue("FilterPolicy", #"{"kind":["order"],"total":[{"numeric":[">",0]}]}"#),
            ]
            expect(
                driver.apply(
                    .topic(
                        .subscribe(
                            topicName: "bench", endpoint: "arn:aws:sqs:us-east-1:000000000000:\(queue)",
                            attributes: attributes))), "subscribe")
        }
        let payload = String(repeating: "x", count: 200)
        var nanoseconds: UInt64 = 0
        for round in 0..<rounds {
            let entry = PublishEntry(
                message: #"{"kind":"order","id":\#(round),"total":12.5,"note":"\#(payload)"}"#, subject: "order placed",
                attributes: [
                    MessageAttribute(name: "store", dataType: "String", value: .string("north")),
                    MessageAttribute(name: "priority", dataType: "Number", value: .string("3")),
                ])
            let start = clockNs()
            let result = driver.apply(
                .topic(
                    .publish(
                        topicName: "bench", entries: [entry], isBatch: false,
                        endpointBase: "https://sns.us-east-1.amazonaws.com")))
            nanoseconds += clockNs() - start
            guard case .published(let results) = result, (try? results[0].result.get()) != nil else {
                preconditionFailure("benchmark publish failed: \(result)")
            }
            for queue in queues { drainOne(&driver, queue) }
        }
        return PublishPhase(subscriptions: subscriptions, publishes: rounds, nanoseconds: nanoseconds)
    }

    private static func drainOne(_ driver: inout Driver, _ queue: String) {
        guard
            case .received(let messages) = driver.apply(
                .receiveMessages(ReceiveRequest(queueName: queue, maxMessages: 1))),
            messages.count == 1
        else {
            preconditionFailure("benchmark: the publish did not reach \(queue)")
        }
        let handle = HandleEntry(id: "h", receiptHandle: messages[0].receiptHandle)
        _ = driver.apply(.deleteMessages(queueName: queue, entries: [handle], isBatch: false))
    }

    private static func expect(_ result: QueueResult, _ what: String) {
        if case .failed(let error) = result { preconditionFailure("benchmark \(what) failed: \(error)") }
    }
}
