import ArgumentParser
import FerryRuntime
import FerrySQS

/// `ferry bench` (alias `ferry bench sqs`): end-to-end SQS throughput and latency against a running cluster.
struct SQSBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqs",
        abstract: "End-to-end SQS throughput and latency against a running cluster.",
        discussion: """
            Producers keep SendMessageBatch requests in flight, consumers keep ReceiveMessage requests in flight and \
            delete what they get (DeleteMessageBatch), all pipelined over keep-alive connections driven by one event-loop \
            thread. Prints a progress line every second, then rates, latency percentiles (HdrHistogram) and a delivery \
            check: every acknowledged message must be consumed (duplicates are counted, missing ones fail the run).
            Examples:
              ferry bench --connections 4 --pipeline 8 --duration 15
              ferry bench --rate 1000 --connections 1 --duration 15 --warmup 3
              ferry bench --endpoints http://127.0.0.1:9324,http://127.0.0.1:9325,http://127.0.0.1:9326
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: "Comma-separated nodes to spread connections over, round robin (default: --endpoint only).")
    var endpoints: String?

    @Option(help: "Connections per side: this many producer connections and as many consumer connections.")
    var connections = 4

    @Option(help: "Requests in flight per connection (pipelining depth).")
    var pipeline = 8

    @Option(help: "Seconds to produce for (default 10 unless --messages is given).")
    var duration: Double?

    @Option(help: "Messages to produce, then stop (instead of --duration).")
    var messages: Int?

    @Option(help: "Open-loop target rate in messages/s for a latency run, e.g. 1000 (default: as fast as possible).")
    var rate: Double?

    @Option(help: "Messages per SendMessageBatch, 1-10.")
    var batch = 10

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
        guard bodyBytes >= BenchRequests.bodyBytesMin else { throw ValidationError("--body-bytes must be at least \(BenchRequests.bodyBytesMin)") }
        guard (0...20).contains(wait) else { throw ValidationError("--wait must be 0-20") }
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
            let admin = SQSClient(endpoint: targets[0])
            let queueName = queue ?? "ferry-bench-\(runTag)"
            let created = try admin.call("CreateQueue", ["QueueName": .string(queueName)])
            guard let queueURL = created["QueueUrl"]?.string else { throw CLIError.badResponse("CreateQueue without QueueUrl") }
            let config = BenchConfig(
                producerEndpoints: (0..<connections).map { targets[$0 % targets.count] },
                consumerEndpoints: (0..<connections).map { targets[$0 % targets.count] },
                pipelineDepth: pipeline, batchEntries: batch,
                durationSeconds: duration ?? (messages == nil ? 10 : nil), messagesMax: messages,
                rateMessagesPerSecond: rate, warmupSeconds: warmup, drainSeconds: drain, progress: !quiet)
            let requests = BenchRequests(host: targets[0].hostHeader, queueURL: queueURL, runTag: runTag,
                                         bodyBytes: bodyBytes, receiveWaitSeconds: wait, receiveVisibilitySeconds: visibility)
            print("queue \(queueURL)")
            let loop: EventLoop
            do { loop = try EventLoop() } catch { throw CLIError.transport("event loop: \(error)") }
            let driver = BenchDriver(loop: loop, config: config, requests: requests)
            do { try driver.run() } catch { throw CLIError.transport("\(error)") }
            loop.shutdown()
            print(BenchReport.render(driver, config: config))
            missing = driver.ledger.missing
            if queue == nil && !keepQueue {
                do { _ = try admin.call("DeleteQueue", ["QueueUrl": .string(queueURL)]) } catch {
                    printError("could not delete \(queueURL): \(error)")
                }
            }
        }
        if missing > 0 {
            printError("FAILED: \(missing) acknowledged messages were never consumed")
            throw ExitCode(1)
        }
    }

    /// 8 lowercase hex digits from the system generator: names the queue and tags the bodies.
    static func randomTag() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: .min ... .max, using: &generator)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
