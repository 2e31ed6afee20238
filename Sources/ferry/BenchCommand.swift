import ArgumentParser
import FerryRuntime
import FerrySQS

/// `ferry bench` (alias `ferry bench sqs`): end-to-end SQS throughput and latency against a running cluster.
struct SQSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqs",
        abstract: "End-to-end SQS throughput and latency against a running cluster.",
        discussion: """
            Producers keep SendMessage (--batch 1) or SendMessageBatch requests in flight, consumers keep \
            ReceiveMessage requests in flight and delete what they get (DeleteMessage or DeleteMessageBatch), all \
            pipelined over keep-alive connections driven by one event-loop thread. Prints a progress line every \
            second, then rates, latency percentiles (HdrHistogram) and a delivery check: every acknowledged message \
            must be consumed (duplicates are counted, missing ones fail the run).
            With --sign every request is signed with SigV4 as the SDKs sign it (credentials from --access-key and \
            --secret-key or the AWS_* variables), for a cluster with auth = "sigv4".
            --consumers 0 fills a backlog and keeps the queue; --producers 0 with --queue drains one (until the \
            queues answer empty), counting duplicates.
            Examples:
              ferry bench --connections 4 --pipeline 8 --duration 15
              ferry bench --batch 1 --receive-batch 1 --sign --duration 15
              ferry bench --rate 1000 --connections 1 --duration 15 --warmup 3
              ferry bench --consumers 0 --messages 1000000 --queue backlog
              ferry bench --producers 0 --queue backlog
              ferry bench --queues 100 --wait 0 --duration 15
              ferry bench --long-polls 1000 --rate 10 --duration 30
              ferry bench --endpoints http://127.0.0.1:9324,http://127.0.0.1:9325,http://127.0.0.1:9326
            """)

    @OptionGroup var options: ClientOptions

    @OptionGroup var signing: SigningOptions

    @Flag(help: "Sign every request with SigV4 (credentials as for the admin commands).")
    var sign = false

    @Option(help: "Comma-separated nodes to spread connections over, round robin (default: --endpoint only).")
    var endpoints: String?

    @Option(help: "Connections per side: this many producer connections and as many consumer connections.")
    var connections = 4

    @Option(help: "Producer connections (default --connections); 0 drains the backlog of --queue.")
    var producers: Int?

    @Option(help: "Consumer connections (default --connections); 0 fills a backlog and keeps the queue.")
    var consumers: Int?

    @Option(help: "Queues to spread sends and receives over, round robin (named <queue>-0 … when more than one).")
    var queues = 1

    @Option(
        help:
            "Long polls kept parked: each a connection of its own with one ReceiveMessage of --long-poll-wait in flight."
    )
    var longPolls = 0

    @Option(help: "WaitTimeSeconds of each long poll, 1-20.")
    var longPollWait = 20

    @Option(help: "Requests in flight per connection (pipelining depth).")
    var pipeline = 8

    @Option(help: "Seconds to produce for (default 10 unless --messages is given).")
    var duration: Double?

    @Option(help: "Messages to produce, then stop (instead of --duration).")
    var messages: Int?

    @Option(help: "Open-loop target rate in messages/s for a latency run, e.g. 1000 (default: as fast as possible).")
    var rate: Double?

    @Option(
        help:
            "Messages per send: 1 sends SendMessage (one message per call, as most applications do), 2-10 SendMessageBatch."
    )
    var batch = 10

    @Option(help: "MaxNumberOfMessages of each ReceiveMessage, 1-10 (1 also deletes with DeleteMessage).")
    var receiveBatch = 10

    @Option(help: "Bytes per message body (at least \(BenchRequests.bodyBytesMin)).")
    var bodyBytes = 1024

    @Option(help: "Seconds at the start excluded from rates and latencies.")
    var warmup = 1.0

    @Option(help: "Seconds the consumers get, after producing stops, to receive every acknowledged message.")
    var drain = 20.0

    @Option(help: "WaitTimeSeconds of each ReceiveMessage (short long-poll), 0-20.")
    var wait = 1

    @Option(help: "VisibilityTimeout of each ReceiveMessage, seconds: how soon an undeleted message comes back.")
    var visibility = 30

    @Option(
        help:
            "FIFO queues with content-based deduplication, sends spread round robin over this many message groups (0: standard queues)."
    )
    var fifoGroups = 0

    @Option(help: "Queue to use (created if missing; default: a fresh ferry-bench-XXXXXXXX queue, deleted afterwards).")
    var queue: String?

    @Flag(help: "Keep the queue after the run.")
    var keepQueue = false

    @Flag(help: "No progress line every second.")
    var quiet = false

    func validate() throws {
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard pipeline >= 1 else { throw ValidationError("--pipeline must be at least 1") }
        guard (1...10).contains(batch) else { throw ValidationError("--batch must be 1-10") }
        guard (1...10).contains(receiveBatch) else { throw ValidationError("--receive-batch must be 1-10") }
        guard (producers ?? 0) >= 0, (consumers ?? 0) >= 0, longPolls >= 0 else {
            throw ValidationError("--producers, --consumers and --long-polls must not be negative")
        }
        guard (1...Self.queuesMax).contains(queues) else {
            throw ValidationError("--queues must be 1-\(Self.queuesMax)")
        }
        guard (1...20).contains(longPollWait) else { throw ValidationError("--long-poll-wait must be 1-20") }
        let producerCount = producers ?? connections
        let consumerCount = consumers ?? connections
        guard producerCount + consumerCount + longPolls > 0 else {
            throw ValidationError("nothing to run: no producers, consumers or long polls")
        }
        guard producerCount > 0 || queue != nil else {
            throw ValidationError("--producers 0 drains a backlog: name it with --queue")
        }
        guard bodyBytes >= BenchRequests.bodyBytesMin else {
            throw ValidationError("--body-bytes must be at least \(BenchRequests.bodyBytesMin)")
        }
        guard (0...20).contains(wait) else { throw ValidationError("--wait must be 0-20") }
        guard (0...Self.fifoGroupsMax).contains(fifoGroups) else {
            throw ValidationError("--fifo-groups must be 0-\(Self.fifoGroupsMax)")
        }
        if fifoGroups > 0, let queue {
            guard queue.hasSuffix(".fifo") else {
                throw ValidationError("--fifo-groups needs a --queue name ending in .fifo")
            }
        }
        if let duration { guard duration > 0 else { throw ValidationError("--duration must be positive") } }
        if let messages { guard messages > 0 else { throw ValidationError("--messages must be positive") } }
        if let rate { guard rate > 0 else { throw ValidationError("--rate must be positive") } }
        guard warmup >= 0, drain >= 0 else { throw ValidationError("--warmup and --drain must not be negative") }
    }

    func run() throws {
        var missing = 0
        try reportingErrors {
            let targets = try endpoints.map { raw throws(CLIError) in try Endpoint.list(raw) } ?? [options.endpoint]
            let runTag = Self.randomTag()
            let signer = sign ? try signing.signer() : nil
            if sign && signer == nil {
                throw CLIError.usage(
                    "--sign needs credentials: --access-key and --secret-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                )
            }
            let admin = SQSClient(endpoint: targets[0], signer: signer)
            let baseName =
                (queue.map { fifoGroups > 0 ? String($0.dropLast(".fifo".count)) : $0 }) ?? "ferry-bench-\(runTag)"
            let suffix = fifoGroups > 0 ? ".fifo" : ""
            let queueNames = queues == 1 ? [baseName + suffix] : (0..<queues).map { "\(baseName)-\($0)\(suffix)" }
            let attributes: [String: JSONValue] =
                fifoGroups > 0
                ? ["Attributes": .object(["FifoQueue": .string("true"), "ContentBasedDeduplication": .string("true")])]
                : [:]
            let queueURLs = try QueueCreation.create(
                queueNames, attributes: attributes, endpoint: targets[0], signer: signer)
            let producerCount = producers ?? connections
            let consumerCount = consumers ?? connections
            let config = BenchConfig(
                producerEndpoints: (0..<producerCount).map { targets[$0 % targets.count] },
                consumerEndpoints: (0..<consumerCount).map { targets[$0 % targets.count] },
                longPollEndpoints: (0..<longPolls).map { targets[$0 % targets.count] },
                pipelineDepth: pipeline, batchEntries: batch, receiveWaitSeconds: wait,
                longPollWaitSeconds: longPollWait,
                durationSeconds: duration ?? (messages == nil && producerCount > 0 ? 10 : nil), messagesMax: messages,
                rateMessagesPerSecond: rate, warmupSeconds: warmup, drainSeconds: drain, progress: !quiet)
            let requests = BenchRequests(
                host: targets[0].hostHeader, queueURLs: queueURLs, runTag: runTag,
                bodyBytes: bodyBytes, receiveMessagesMax: receiveBatch,
                receiveVisibilitySeconds: visibility, fifoGroups: fifoGroups, signer: signer)
            print(
                queueURLs.count == 1
                    ? "queue \(queueURLs[0])" : "queues \(queueURLs[0]) … \(queueURLs[queueURLs.count - 1])")
            let loop: EventLoop
            do { loop = try EventLoop() } catch { throw CLIError.transport("event loop: \(error)") }
            let driver = BenchDriver(loop: loop, config: config, requests: requests)
            do { try driver.run() } catch { throw CLIError.transport("\(error)") }
            loop.shutdown()
            print(BenchReport.render(driver, config: config))
            // Without consumers the backlog is the point of the run: it stays.
            missing = config.consumesMessages ? driver.ledger.missing : 0
            if queue == nil && !keepQueue && config.consumesMessages {
                for url in queueURLs {
                    do { _ = try admin.call("DeleteQueue", ["QueueUrl": .string(url)]) } catch {
                        printError("could not delete \(url): \(error)")
                    }
                }
            }
        }
        if missing > 0 {
            printError("FAILED: \(missing) acknowledged messages were never consumed")
            throw ExitCode(1)
        }
    }

    /// Queues one run may create (pipelined) and delete (one by one) around it.
    static let queuesMax = 100_000
    /// Message groups one run may spread FIFO sends over.
    static let fifoGroupsMax = 10_000

    /// 8 lowercase hex digits from the system generator: names the queue and tags the bodies.
    static func randomTag() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: .min ... .max, using: &generator)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
