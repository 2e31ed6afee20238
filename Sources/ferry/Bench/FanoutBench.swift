import ArgumentParser
import FerryRuntime
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// `ferry bench fanout`: SNS fan-out throughput and publish latency against a running cluster (issue 23).
struct FanoutBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "SNS fan-out: publishers to a topic with N subscribed queues, a consumer on each.",
        discussion: """
            Creates a topic and --subscribers queues subscribed to it with RawMessageDelivery, then keeps Publish \
            (--batch 1) or PublishBatch requests in flight on --publishers connections while one consumer connection \
            per queue receives and deletes. Reports publishes/s (acknowledged messages), deliveries/s (first receipts \
            over all queues), publish latency per request and publish-to-receive latency, and checks that every \
            acknowledged publish reached every queue. Deletes the topic and queues afterwards.
            Examples:
              ferry bench fanout --subscribers 5 --duration 15
              ferry bench fanout --subscribers 5 --batch 1 --rate 1000 --publishers 2 --duration 15 --warmup 3
            """)

    @OptionGroup var options: ClientOptions

    @Option(help: "Comma-separated nodes to spread connections over, round robin (default: --endpoint only).")
    var endpoints: String?

    @Option(help: "Queues subscribed to the topic, 1-100 (a consumer connection each).")
    var subscribers = 5

    @Option(help: "Consumer connections per subscribed queue (each keeps one long poll in flight).")
    var consumersPerQueue = 4

    @Option(help: "Publisher connections.")
    var publishers = 2

    @Option(help: "Publish requests in flight per publisher connection.")
    var pipeline = 8

    @Option(help: "Messages per request: 1 sends Publish, 2-10 PublishBatch.")
    var batch = 10

    @Option(help: "Seconds to publish for.")
    var duration = 10.0

    @Option(
        help: "Open-loop target in publishes (messages) per second, for a latency run (default: as fast as possible).")
    var rate: Double?

    @Option(help: "Bytes per message (at least \(BenchRequests.bodyBytesMin)).")
    var bodyBytes = 256

    @Option(help: "Seconds at the start excluded from rates and latencies.")
    var warmup = 1.0

    @Option(help: "Seconds the consumers get, after publishing stops, to receive every acknowledged publish.")
    var drain = 30.0

    @Flag(help: "No progress line every second.")
    var quiet = false

    func validate() throws {
        guard (1...100).contains(subscribers) else { throw ValidationError("--subscribers must be 1-100") }
        guard publishers >= 1, pipeline >= 1, consumersPerQueue >= 1 else {
            throw ValidationError("--publishers, --consumers-per-queue and --pipeline must be at least 1")
        }
        guard (1...10).contains(batch) else { throw ValidationError("--batch must be 1-10") }
        guard bodyBytes >= BenchRequests.bodyBytesMin else {
            throw ValidationError("--body-bytes must be at least \(BenchRequests.bodyBytesMin)")
        }
        guard duration > 0, warmup >= 0, drain >= 0 else {
            throw ValidationError("--duration must be positive, --warmup and --drain not negative")
        }
        if let rate { guard rate > 0 else { throw ValidationError("--rate must be positive") } }
    }

    func run() throws {
        var missing = 0
        try reportingErrors {
            let targets = try endpoints.map { raw throws(CLIError) in try Endpoint.list(raw) } ?? [options.endpoint]
            let tag = SQSBench.randomTag()
            let sqs = SQSClient(endpoint: targets[0])
            let sns = SNSClient(endpoint: targets[0])
            let topicArn = try sns.topicArn("ferry-fanout-\(tag)")
            var queueURLs: [String] = []
            for index in 0..<subscribers {
                let created = try sqs.call("CreateQueue", ["QueueName": .string("ferry-fanout-\(tag)-\(index)")])
                guard let url = created["QueueUrl"]?.string else {
                    throw CLIError.badResponse("CreateQueue without QueueUrl")
                }
                let attributes = try sqs.call(
                    "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": .array([.string("QueueArn")])])
                guard let arn = attributes["Attributes"]?["QueueArn"]?.string else {
                    throw CLIError.badResponse("no QueueArn")
                }
                _ = try sns.call(
                    "Subscribe",
                    [
                        ("TopicArn", topicArn), ("Protocol", "sqs"), ("Endpoint", arn),
                        ("Attributes.entry.1.key", "RawMessageDelivery"), ("Attributes.entry.1.value", "true"),
                    ])
                queueURLs.append(url)
            }
            print("topic \(topicArn), \(subscribers) subscribed queues")
            let queueRequests = queueURLs.map {
                BenchRequests(
                    host: targets[0].hostHeader, queueURLs: [$0], runTag: tag, bodyBytes: bodyBytes,
                    receiveMessagesMax: 10, receiveVisibilitySeconds: 30, signer: nil)
            }
            let config = FanoutDriver.Config(
                publisherEndpoints: (0..<publishers).map { targets[$0 % targets.count] }, consumerEndpoints: targets,
                consumersPerQueue: consumersPerQueue,
                pipelineDepth: pipeline, batchEntries: batch, durationSeconds: duration, ratePublishesPerSecond: rate,
                warmupSeconds: warmup, drainSeconds: drain, progress: !quiet)
            let loop: EventLoop
            do { loop = try EventLoop() } catch { throw CLIError.transport("event loop: \(error)") }
            let publishRequests = FanoutRequests(
                host: targets[0].hostHeader, topicArn: topicArn, bodies: queueRequests[0])
            let driver = FanoutDriver(
                loop: loop, config: config, publishRequests: publishRequests, queueRequests: queueRequests)
            do { try driver.run() } catch { throw CLIError.transport("\(error)") }
            loop.shutdown()
            print(Self.report(driver))
            missing = driver.missing
            do {
                _ = try sns.call("DeleteTopic", [("TopicArn", topicArn)])
                for url in queueURLs { _ = try sqs.call("DeleteQueue", ["QueueUrl": .string(url)]) }
            } catch {
                printError("could not clean up the topic and its queues: \(error)")
            }
        }
        if missing > 0 {
            printError("FAILED: \(missing) deliveries of acknowledged publishes never consumed")
            throw ExitCode(1)
        }
    }

    static func report(_ driver: FanoutDriver) -> String {
        let config = driver.config
        let window = driver.measuredSeconds
        var lines = [
            "",
            "== ferry bench fanout: \(driver.queueRequests.count) subscribers (\(config.consumersPerQueue) consumer connections each), "
                + "\(config.publisherEndpoints.count) publisher connections, pipeline \(config.pipelineDepth), \(config.batchEntries == 1 ? "Publish" : "PublishBatch of \(config.batchEntries)")"
                + " x \(driver.publishRequests.bodies.bodyBytes) B"
                + (config.ratePublishesPerSecond.map { ", target \(Format.count(Int($0))) publishes/s" }
                    ?? ", closed loop"),
            "   measured over \(Format.fixed(window, 1)) s after a \(Format.fixed(config.warmupSeconds, 1)) s warm-up",
        ]
        if window > 0 {
            lines.append(
                "throughput   published \(Format.count(Int(Double(driver.publishedMeasured) / window))) msgs/s   "
                    + "delivered \(Format.count(Int(Double(driver.deliveredMeasured) / window))) msgs/s (all queues)")
        }
        lines.append("publish latency per request (µs)        " + BenchReport.percentiles(driver.publishLatency))
        lines.append("publish→receive latency, per copy (µs)  " + BenchReport.percentiles(driver.endToEndLatency))
        if let rate = config.ratePublishesPerSecond,
            driver.pacerLagBatchesMax
                > max(2, Int(rate / Double(config.batchEntries) * BenchReport.pacerLagToleratedSeconds))
        {
            lines.append(
                "rate         NOT held: the pacer fell up to \(driver.pacerLagBatchesMax) requests behind (raise --pipeline or --publishers)"
            )
        }
        lines.append(
            "delivery     published (acknowledged) \(Format.count(driver.acknowledged)) x \(driver.queueRequests.count) queues   "
                + "missing \(Format.count(driver.missing))   duplicates \(Format.count(driver.duplicates))")
        if driver.missing == 0 && driver.endNs > driver.produceEndNs {
            lines.append(
                "             every copy consumed \(Format.fixed(Double(driver.endNs - driver.produceEndNs) / 1e9, 1)) s after publishing stopped"
            )
        }
        let errors = driver.errors.sorted { $0.value > $1.value }.map { "\($0.key) \(Format.count($0.value))" }
        lines.append("errors       " + (errors.isEmpty ? "none" : errors.joined(separator: ", ")))
        let elapsed = Double(driver.endNs - driver.startNs) / 1e9
        if elapsed > 0 {
            lines.append(
                "client CPU   \(Format.fixed(100 * BenchReport.processCPUSeconds() / elapsed, 0))% of one core (the load generator itself)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
