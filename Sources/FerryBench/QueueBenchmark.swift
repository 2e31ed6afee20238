import FerryQueue

/// A micro benchmark of the state machine alone (no Raft, no I/O): commands applied per second for a
/// send/receive/delete mix, and heap bytes per queued message (`ferry bench machine`). It reads no clock and
/// no allocator statistics itself, so the caller passes both in (the test passes stand-ins and checks only
/// correctness).
public enum QueueBenchmark {
    public struct Options: Sendable {
        /// Send/receive/delete rounds in each throughput phase.
        public var rounds = 100_000
        /// Messages already queued when the throughput phases start, so receives work on a non-trivial queue.
        public var backlogMessages = 10_000
        public var bodyBytes = 1024
        /// Messages queued for the memory measurement.
        public var memoryMessages = 1_000_000
        /// Publishes timed for each subscription count in `publishSubscriptionCounts`.
        public var publishRounds = 20_000
        public init() {}
    }

    public struct Phase: Sendable, CustomStringConvertible {
        public var name: String
        public var commands: Int
        public var messages: Int
        public var nanoseconds: UInt64

        public var commandsPerSecond: Double { nanoseconds == 0 ? 0 : Double(commands) * 1e9 / Double(nanoseconds) }
        public var messagesPerSecond: Double { nanoseconds == 0 ? 0 : Double(messages) * 1e9 / Double(nanoseconds) }
        public var description: String {
            "\(name): \(commands) commands (\(messages) messages moved through send+receive+delete) in "
                + "\(Double(nanoseconds) / 1e9) s = \(Int(commandsPerSecond)) commands/s, \(Int(messagesPerSecond)) messages/s"
        }
    }

    public struct Report: Sendable, CustomStringConvertible {
        public var phases: [Phase] = []
        public var publishPhases: [PublishPhase] = []
        public var queuedMessages = 0
        public var bodyBytes = 0
        public var heapBytesDelta = 0
        public var snapshotBytes = 0
        public var snapshotNanoseconds: UInt64 = 0
        public var restoreNanoseconds: UInt64 = 0

        public var bytesPerMessageBeyondBody: Double {
            queuedMessages == 0 ? 0 : Double(heapBytesDelta) / Double(queuedMessages) - Double(bodyBytes)
        }

        public var description: String {
            var lines = phases.map(\.description) + publishPhases.map(\.description)
            lines.append(
                "memory: \(queuedMessages) queued messages of \(bodyBytes) B: heap +\(heapBytesDelta) B = "
                    + "\(bytesPerMessageBeyondBody) B per message beyond the body")
            lines.append(
                "snapshot: \(snapshotBytes) B in \(Double(snapshotNanoseconds) / 1e9) s, restore in "
                    + "\(Double(restoreNanoseconds) / 1e9) s")
            return lines.joined(separator: "\n")
        }
    }

    /// Applies commands to a fresh machine, the way a replica does, with increasing stamps.
    struct Driver {
        var machine = QueueMachine(config: .init(region: "us-east-1", accountId: "000000000000"))
        var logIndex: UInt64 = 0
        var nowMs: Int64 = 1_700_000_000_000

        mutating func apply(_ command: QueueCommand) -> QueueResult {
            logIndex += 1
            nowMs += 1
            return machine.apply(command, at: CommandStamp(logIndex: logIndex, timeMs: nowMs))
        }
    }

    public static func run(_ options: Options, clockNs: () -> UInt64, heapBytes: () -> Int) -> Report {
        var report = Report()
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: options.bodyBytes)
        for batch in [1, 10] {
            var driver = Driver()
            precondition(
                driver.apply(.createQueue(name: "bench", attributes: [], tags: [])) == .queueCreated(name: "bench"))
            fill(&driver, "bench", count: options.backlogMessages, body: body)
            let start = clockNs()
            let commands = mix(&driver, rounds: options.rounds, batch: batch, body: body)
            let elapsed = clockNs() - start
            precondition(messageCount(driver.machine) == options.backlogMessages, "the mix deletes what it receives")
            report.phases.append(
                Phase(
                    name: "mix, batches of \(batch)", commands: commands,
                    messages: options.rounds * batch, nanoseconds: elapsed))
        }
        report.publishPhases = publishSubscriptionCounts.map {
            publishPhase(subscriptions: $0, rounds: options.publishRounds, clockNs: clockNs)
        }
        // Memory: heap growth while `memoryMessages` messages sit in one queue.
        let before = heapBytes()
        var driver = Driver()
        _ = driver.apply(.createQueue(name: "mem", attributes: [], tags: []))
        fill(&driver, "mem", count: options.memoryMessages, body: body)
        report.heapBytesDelta = heapBytes() - before
        report.queuedMessages = options.memoryMessages
        report.bodyBytes = options.bodyBytes
        precondition(messageCount(driver.machine) == options.memoryMessages)
        var start = clockNs()
        let bytes = driver.machine.snapshot()
        report.snapshotNanoseconds = clockNs() - start
        report.snapshotBytes = bytes.count
        start = clockNs()
        var restored = QueueMachine(config: driver.machine.config)
        try! restored.restore(from: bytes)
        report.restoreNanoseconds = clockNs() - start
        precondition(messageCount(restored) == options.memoryMessages)
        return report
    }

    /// Messages in the machine's one queue: visible, in flight or delayed.
    private static func messageCount(_ machine: QueueMachine) -> Int {
        machine.queueGauges(nowMs: 0).reduce(0) { $0 + $1.visible + $1.inflight + $1.delayed }
    }

    private static func fill(_ driver: inout Driver, _ queue: String, count: Int, body: [UInt8]) {
        var sent = 0
        while sent < count {
            let n = min(10, count - sent)
            let entries = (0..<n).map { SendEntry(id: "e\($0)", body: body) }
            let result = driver.apply(.sendMessages(queueName: queue, entries: entries, isBatch: true))
            guard case .sent(let results) = result, results.allSatisfy({ (try? $0.result.get()) != nil }) else {
                preconditionFailure("benchmark send failed: \(result)")
            }
            sent += n
        }
    }

    /// `rounds` of: send `batch` messages, receive `batch`, delete them. Returns the commands applied.
    private static func mix(_ driver: inout Driver, rounds: Int, batch: Int, body: [UInt8]) -> Int {
        let entries = (0..<batch).map { SendEntry(id: "e\($0)", body: body) }
        var commands = 0
        for _ in 0..<rounds {
            _ = driver.apply(.sendMessages(queueName: "bench", entries: entries, isBatch: batch > 1))
            guard
                case .received(let messages) = driver.apply(
                    .receiveMessages(
                        ReceiveRequest(
                            queueName: "bench", maxMessages: batch))), messages.count == batch
            else {
                preconditionFailure("benchmark receive came back short")
            }
            let handles = messages.enumerated().map {
                HandleEntry(id: "h\($0.offset)", receiptHandle: $0.element.receiptHandle)
            }
            guard
                case .deleted(let results) = driver.apply(
                    .deleteMessages(
                        queueName: "bench", entries: handles,
                        isBatch: batch > 1)),
                results.allSatisfy({ (try? $0.result.get()) != nil })
            else {
                preconditionFailure("benchmark delete failed")
            }
            commands += 3
        }
        return commands
    }
}
