import FerryRuntime
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// Runs one fan-out benchmark on one event loop: publisher connections keep Publish (or PublishBatch)
/// requests in flight to one topic; each subscribed queue has a consumer connection that keeps
/// ReceiveMessage requests in flight and deletes what it gets. Every acknowledged publish must reach every
/// queue (one `MessageLedger` per subscriber). Loop thread only. Phases as `BenchDriver`'s: producing →
/// settling (publishes in flight answered) → draining (bounded by `drainSeconds`) → done.
final class FanoutDriver {
    /// Each consumer's long poll: short, so the end of a run is not held up by waiting polls.
    static let receiveWaitSeconds = 1
    /// Receives one consumer connection keeps in flight. One: HTTP/1.1 answers in request order, so a
    /// receive pipelined behind a parked long poll holds the messages it took until that poll answers, up
    /// to `receiveWaitSeconds` later (the ~1 s publish-to-receive tails at 1,000 publishes/s). More
    /// consumers are more connections (`--consumers-per-queue`), as SDK clients do (they never pipeline).
    static let receivesInFlightPerConsumer = 1
    enum Request {
        case publish(firstSeq: Int, count: Int, sentNs: UInt64)
        case receive(sentNs: UInt64)
        case delete
    }

    enum Phase { case producing, settling, draining, done }

    struct Config {
        var publisherEndpoints: [Endpoint]
        /// Consumer connections go to these endpoints round robin.
        var consumerEndpoints: [Endpoint]
        /// Consumer connections per subscribed queue.
        var consumersPerQueue: Int
        var pipelineDepth: Int
        /// Messages per request: 1 is Publish, more is PublishBatch.
        var batchEntries: Int
        var durationSeconds: Double
        /// Open loop, in publishes (messages) per second; nil: as fast as the pipeline allows.
        var ratePublishesPerSecond: Double?
        var warmupSeconds: Double
        var drainSeconds: Double
        var progress: Bool
    }

    let loop: EventLoop
    let config: Config
    let publishRequests: FanoutRequests
    /// Per subscribed queue: its receive and delete requests.
    let queueRequests: [BenchRequests]
    private(set) var ledgers: [MessageLedger]
    /// Per Publish/PublishBatch request: write to answer (µs); publish to first receive per copy.
    private(set) var publishLatency = BenchStats.histogram()
    private(set) var endToEndLatency = BenchStats.histogram()
    private(set) var publishedMeasured = 0
    private(set) var deliveredMeasured = 0
    private(set) var errors: [String: Int] = [:]
    /// Open loop: the most requests the pacer was ever behind its schedule (the rate was not held).
    var pacerLagBatchesMax: Int { pacer?.lagMax ?? 0 }
    private(set) var startNs: UInt64 = 0
    private(set) var produceEndNs: UInt64 = 0
    private(set) var endNs: UInt64 = 0
    private var warmupEndNs: UInt64 = 0
    private var drainDeadlineNs: UInt64 = 0
    private var phase = Phase.producing
    private var publishers: [PipelinedHTTPConnection<Request>] = []
    private var consumers: [PipelinedHTTPConnection<Request>] = []
    private var receivesInFlight: [Int] = []
    private var publishesInFlight = 0
    private var issued = 0
    private var pacer: OpenLoopPacer?
    private var timers: [LoopTimer] = []
    private var progressLast = (ns: UInt64(0), published: 0, delivered: 0)

    init(loop: EventLoop, config: Config, publishRequests: FanoutRequests, queueRequests: [BenchRequests]) {
        precondition(config.pipelineDepth > 0 && (1...10).contains(config.batchEntries) && !queueRequests.isEmpty)
        self.loop = loop
        self.config = config
        self.publishRequests = publishRequests
        self.queueRequests = queueRequests
        ledgers = Array(repeating: MessageLedger(), count: queueRequests.count)
    }

    var measuredSeconds: Double { produceEndNs > warmupEndNs ? Double(produceEndNs - warmupEndNs) / 1e9 : 0 }
    var acknowledged: Int { ledgers[0].acknowledged }
    var missing: Int { ledgers.reduce(0) { $0 + $1.missing } }
    var duplicates: Int { ledgers.reduce(0) { $0 + $1.duplicates } }

    func run() throws {
        startNs = EventLoop.hrtimeNs
        warmupEndNs = startNs + UInt64(config.warmupSeconds * 1e9)
        progressLast = (startNs, 0, 0)
        for (index, endpoint) in config.publisherEndpoints.enumerated() {
            let connection = PipelinedHTTPConnection<Request>(loop: loop, endpoint: endpoint)
            connection.onReady = { [unowned self] in self.fillPublisher(index) }
            connection.onResponse = { [unowned self] tag, response in self.didAnswer(tag, response, publisher: index) }
            connection.onLost = { [unowned self] tag, _ in self.didLose(tag, consumer: nil) }
            publishers.append(connection)
        }
        for index in 0..<(queueRequests.count * config.consumersPerQueue) {
            let endpoint = config.consumerEndpoints[index % config.consumerEndpoints.count]
            let connection = PipelinedHTTPConnection<Request>(loop: loop, endpoint: endpoint)
            connection.onReady = { [unowned self] in self.fillConsumer(index) }
            connection.onResponse = { [unowned self] tag, response in self.didAnswer(tag, response, consumer: index) }
            connection.onLost = { [unowned self] tag, _ in self.didLose(tag, consumer: index) }
            consumers.append(connection)
            receivesInFlight.append(0)
        }
        for connection in consumers + publishers { connection.start() }
        timers.append(try loop.scheduleRepeating(everyMs: 1000) { [unowned self] in self.everySecond() })
        if let rate = config.ratePublishesPerSecond {
            pacer = OpenLoopPacer(messagesPerSecond: rate, messagesPerRequest: config.batchEntries, startNs: startNs)
            timers.append(try loop.scheduleRepeating(everyMs: OpenLoopPacer.periodMs) { [unowned self] in self.pace() })
        }
        timers.append(
            try loop.scheduleOnce(afterMs: UInt64(config.durationSeconds * 1000)) { [unowned self] in
                self.stopProducing()
            })
        loop.run()
        for timer in timers { timer.close() }
        for connection in publishers + consumers { connection.stop() }
    }

    // MARK: Publishing

    private func fillPublisher(_ index: Int) {
        guard config.ratePublishesPerSecond == nil, phase == .producing else { return }
        let connection = publishers[index]
        while connection.isReady, connection.inFlight < config.pipelineDepth { issue(on: connection) }
    }

    private func pace() {
        guard phase == .producing, pacer != nil else { return }
        pacer!.pace(nowNs: EventLoop.hrtimeNs, connections: publishers.count) { index in
            let connection = publishers[index]
            guard connection.isReady, connection.inFlight < config.pipelineDepth else { return false }
            issue(on: connection)
            return true
        }
    }

    private func issue(on connection: PipelinedHTTPConnection<Request>) {
        let count = config.batchEntries
        let first = issued
        issued += count
        for k in ledgers.indices { _ = ledgers[k].issue(count) }
        let now = EventLoop.hrtimeNs
        let bytes = publishRequests.publish(firstSeq: first, count: count, sentNs: now, batch: count > 1)
        if connection.send(bytes, tag: .publish(firstSeq: first, count: count, sentNs: now)) {
            publishesInFlight += 1
        } else {
            settle(first, count, acknowledged: [], unknown: false)
            errors["NotSent", default: 0] += 1
        }
    }

    private func settle(_ first: Int, _ count: Int, acknowledged: Set<Int>, unknown: Bool) {
        for offset in 0..<count {
            let state: MessageLedger.SendState =
                acknowledged.contains(offset) ? .acknowledged : unknown ? .unknown : .refused
            for k in ledgers.indices { ledgers[k].settle(first + offset, state) }
        }
    }

    private func stopProducing() {
        guard phase == .producing else { return }
        phase = .settling
        produceEndNs = EventLoop.hrtimeNs
        maybeAdvance()
    }

    // MARK: Answers

    private func didAnswer(_ tag: Request, _ response: HTTPResponse, publisher index: Int) {
        guard case .publish(let first, let count, let sentNs) = tag else {
            preconditionFailure("publishers only publish")
        }
        publishesInFlight -= 1
        let now = EventLoop.hrtimeNs
        if response.status == 200 {
            let acknowledged = FanoutRequests.acknowledged(in: response.body, count: count, batch: count > 1)
            settle(first, count, acknowledged: acknowledged, unknown: false)
            if acknowledged.count < count { errors["PublishEntryFailed", default: 0] += count - acknowledged.count }
            if now >= warmupEndNs && phase == .producing { publishedMeasured += acknowledged.count }
            if sentNs >= warmupEndNs { BenchStats.record(&publishLatency, nanos: now - sentNs) }
        } else {
            errors["Publish HTTP \(response.status)", default: 0] += 1
            settle(first, count, acknowledged: [], unknown: response.status >= 500)
        }
        if phase == .producing { fillPublisher(index) } else { maybeAdvance() }
    }

    private func didAnswer(_ tag: Request, _ response: HTTPResponse, consumer index: Int) {
        switch tag {
        case .publish:
            preconditionFailure("consumers do not publish")
        case .receive:
            receivesInFlight[index] -= 1
            if response.status == 200, let messages = ReceiveResponseScanner.messages(in: response.body) {
                received(messages, consumer: index)
            } else {
                errors["Receive " + BenchDriver.errorCode(response), default: 0] += 1
            }
            if phase == .draining { maybeAdvance() }
            fillConsumer(index)
        case .delete:
            if response.status != 200 { errors["Delete " + BenchDriver.errorCode(response), default: 0] += 1 }
        }
    }

    /// Consumer connection `index` serves queue `index % queues`.
    private func received(_ messages: [ReceiveResponseScanner.Message], consumer connection: Int) {
        guard !messages.isEmpty else { return }
        let index = connection % queueRequests.count
        let now = EventLoop.hrtimeNs
        for message in messages {
            guard let (seq, sentNs) = queueRequests[index].parseMessageBody(message.body) else {
                ledgers[index].receiveUnexpected()
                continue
            }
            guard ledgers[index].receive(seq) else { continue }
            if now >= warmupEndNs && phase == .producing { deliveredMeasured += 1 }
            if sentNs >= warmupEndNs && now > sentNs { BenchStats.record(&endToEndLatency, nanos: now - sentNs) }
        }
        let delete = queueRequests[index].delete(queue: 0, messages.map(\.receiptHandle))
        if !consumers[connection].send(delete, tag: .delete) { errors["DeleteNotSent", default: 0] += 1 }
    }

    private func fillConsumer(_ index: Int) {
        guard phase != .done else { return }
        let connection = consumers[index]
        while receivesInFlight[index] < Self.receivesInFlightPerConsumer, connection.isReady {
            guard
                connection.send(
                    queueRequests[index % queueRequests.count].receive(queue: 0, waitSeconds: Self.receiveWaitSeconds),
                    tag: .receive(sentNs: EventLoop.hrtimeNs))
            else { break }
            receivesInFlight[index] += 1
        }
    }

    private func didLose(_ tag: Request, consumer index: Int?) {
        errors["ConnectionLost", default: 0] += 1
        switch tag {
        case .publish(let first, let count, _):
            publishesInFlight -= 1
            settle(first, count, acknowledged: [], unknown: true)
        case .receive:
            if let index { receivesInFlight[index] -= 1 }
        case .delete:
            break
        }
        maybeAdvance()
    }

    // MARK: Phases and progress

    private func maybeAdvance() {
        let now = EventLoop.hrtimeNs
        if phase == .settling && publishesInFlight == 0 {
            phase = .draining
            drainDeadlineNs = now + UInt64(config.drainSeconds * 1e9)
        }
        if phase == .draining && (missing == 0 || now >= drainDeadlineNs) {
            phase = .done
            endNs = now
            loop.stop()
        }
    }

    private func everySecond() {
        maybeAdvance()
        guard config.progress, phase != .done else { return }
        let now = EventLoop.hrtimeNs
        let seconds = Double(now - progressLast.ns) / 1e9
        let delivered = ledgers.reduce(0) { $0 + $1.consumed }
        print(
            "\(Format.fixed(Double(now - startNs) / 1e9, 1).leftPadded(6))s  published "
                + "\(Format.count(Int(Double(acknowledged - progressLast.published) / seconds)).leftPadded(8))/s  delivered "
                + "\(Format.count(Int(Double(delivered - progressLast.delivered) / seconds)).leftPadded(8))/s  "
                + "backlog \(Format.count(missing).leftPadded(8))\(phase == .producing ? "" : "  (draining)")")
        fflush(nil)
        progressLast = (now, acknowledged, delivered)
    }
}
