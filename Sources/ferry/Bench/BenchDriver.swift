import FerryRuntime
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// Runs one benchmark on one event loop: producers keep SendMessage(Batch) requests in flight,
/// consumers keep ReceiveMessage requests in flight and delete what they get, long polls each park one
/// ReceiveMessage on a connection of their own, everything over pipelined keep-alive connections, spread
/// round robin over the run's queues. Loop thread only.
///
/// Phases: `producing` (until the duration or message count is reached; without producers, until the
/// queues are found empty) → `settling` (answers to the sends still in flight) → `draining` (consumers
/// receive what is left, bounded by `drainSeconds`; skipped without consumers) → `done`.
final class BenchDriver {
    /// What a pipelined request was, so its response can be accounted for.
    enum Request {
        case send(firstSeq: Int, count: Int, sentNs: UInt64, queue: Int)
        /// `claimed`: the messages it claimed in `backlogs` (0 for a round-robin receive).
        case receive(sentNs: UInt64, queue: Int, claimed: Int)
        case delete(count: Int)
    }

    enum Phase { case producing, settling, draining, done }

    /// Pause after an error answer before that connection sends again, so a node that refuses
    /// everything (no leader yet) is not hammered in a tight loop.
    static let errorPauseMs: UInt64 = 20

    let loop: EventLoop
    let config: BenchConfig
    let requests: BenchRequests
    private(set) var ledger = MessageLedger()
    private(set) var stats = BenchStats()
    private(set) var phase = Phase.producing
    private var producers: [PipelinedHTTPConnection<Request>] = []
    private var consumers: [PipelinedHTTPConnection<Request>] = []
    /// ReceiveMessage calls in flight per consumer (its deletes are not counted).
    private var receivesInFlight: [Int] = []
    private var pausedProducers: Set<Int> = []
    private var pausedConsumers: Set<Int> = []
    private var timers: [LoopTimer] = []
    private var sendsInFlight = 0
    /// Deletes sent and not answered: the run ends only once they are (or the drain's time is up), so a drained
    /// queue is left empty rather than with messages that come back after their visibility timeout.
    private var deletesInFlight = 0

    private(set) var startNs: UInt64 = 0
    private var warmupEndNs: UInt64 = 0
    /// When producing stopped (the measurement window's end for rates).
    private(set) var produceEndNs: UInt64 = 0
    private(set) var endNs: UInt64 = 0
    private var drainDeadlineNs: UInt64 = 0
    /// Open loop: the schedule (nil: closed loop).
    private var pacer: OpenLoopPacer?
    /// Open loop: the most batches the pacer was ever behind its schedule (the rate was not held).
    var pacerLagBatchesMax: Int { pacer?.lagMax ?? 0 }
    private var progressLast = (ns: UInt64(0), sent: 0, consumed: 0)
    /// Round robin over the queues, for sends and for receives.
    private var nextSendQueue = 0
    private var nextReceiveQueue = 0
    /// With more than one queue and producers, consumers receive from the queues holding acknowledged
    /// messages no receive has claimed (long polls and draining stay round robin).
    private var backlogs: QueueBacklogs
    var targetsBacklogs: Bool { requests.queueURLs.count > 1 && config.producesMessages }
    /// Draining another run's backlog (no producers): empty receives and consumed messages at the last
    /// progress tick; a second with empty receives and nothing consumed means the queues are empty.
    private var drainTick = (emptyReceives: 0, consumed: 0)

    init(loop: EventLoop, config: BenchConfig, requests: BenchRequests) {
        precondition(config.pipelineDepth > 0 && (1...10).contains(config.batchEntries) && !requests.queueURLs.isEmpty)
        self.loop = loop
        self.config = config
        self.requests = requests
        self.backlogs = QueueBacklogs(queues: requests.queueURLs.count)
    }

    var measuredSeconds: Double {
        let end = produceEndNs > warmupEndNs ? produceEndNs : warmupEndNs
        return Double(end - warmupEndNs) / 1e9
    }

    /// Runs the loop until the run is over.
    func run() throws {
        startNs = EventLoop.hrtimeNs
        warmupEndNs = startNs + UInt64(config.warmupSeconds * 1e9)
        progressLast = (startNs, 0, 0)
        for (index, endpoint) in config.producerEndpoints.enumerated() {
            let connection = PipelinedHTTPConnection<Request>(loop: loop, endpoint: endpoint)
            connection.onReady = { [unowned self] in self.fillProducer(index) }
            connection.onResponse = { [unowned self] tag, response in self.didAnswer(tag, response, producer: index) }
            connection.onLost = { [unowned self] tag, why in self.didLose(tag, why) }
            producers.append(connection)
        }
        for (index, endpoint) in (config.consumerEndpoints + config.longPollEndpoints).enumerated() {
            let connection = PipelinedHTTPConnection<Request>(loop: loop, endpoint: endpoint)
            connection.onReady = { [unowned self] in self.fillConsumer(index) }
            connection.onResponse = { [unowned self] tag, response in self.didAnswer(tag, response, consumer: index) }
            connection.onLost = { [unowned self] tag, why in
                self.receivesInFlight[index] -= (tag.isReceive ? 1 : 0)
                self.didLose(tag, why)
            }
            consumers.append(connection)
            receivesInFlight.append(0)
        }
        for connection in consumers { connection.start() }
        for connection in producers { connection.start() }
        timers.append(try loop.scheduleRepeating(everyMs: 1000) { [unowned self] in self.everySecond() })
        if let rate = config.rateMessagesPerSecond {
            pacer = OpenLoopPacer(messagesPerSecond: rate, messagesPerRequest: config.batchEntries, startNs: startNs)
            timers.append(try loop.scheduleRepeating(everyMs: OpenLoopPacer.periodMs) { [unowned self] in self.pace() })
        }
        if let seconds = config.durationSeconds {
            timers.append(
                try loop.scheduleOnce(afterMs: UInt64(seconds * 1000)) { [unowned self] in self.stopProducing() })
        }
        loop.run()
        for timer in timers { timer.close() }
        for connection in producers + consumers { connection.stop() }
    }

    /// Consumer connections from this index on are long polls.
    private var firstLongPoll: Int { config.consumerEndpoints.count }

    // MARK: Producing

    private var mayIssue: Bool {
        guard phase == .producing else { return false }
        if let max = config.messagesMax, ledger.issued >= max { return false }
        return true
    }

    private func fillProducer(_ index: Int) {
        guard config.rateMessagesPerSecond == nil, !pausedProducers.contains(index) else { return }
        let connection = producers[index]
        while mayIssue, connection.isReady, connection.inFlight < config.pipelineDepth {
            issueBatch(on: connection)
        }
        if phase == .producing && !mayIssue { stopProducing() }
    }

    /// Open loop: sends the batches the schedule says are due, on any producer with room.
    private func pace() {
        guard phase == .producing, pacer != nil else { return }
        pacer!.pace(nowNs: EventLoop.hrtimeNs, connections: producers.count, mayIssue: { mayIssue }) { index in
            let connection = producers[index]
            guard connection.isReady, connection.inFlight < config.pipelineDepth, !pausedProducers.contains(index)
            else { return false }
            issueBatch(on: connection)
            return true
        }
        if !mayIssue { stopProducing() }
    }

    private func issueBatch(on connection: PipelinedHTTPConnection<Request>) {
        var count = config.batchEntries
        if let max = config.messagesMax { count = min(count, max - ledger.issued) }
        let first = ledger.issue(count)
        let now = EventLoop.hrtimeNs
        let queue = nextSendQueue
        let bytes = requests.send(queue: queue, firstSeq: first, count: count, sentNs: now)
        nextSendQueue = (nextSendQueue + 1) % requests.queueURLs.count
        if connection.send(bytes, tag: .send(firstSeq: first, count: count, sentNs: now, queue: queue)) {
            sendsInFlight += 1
        } else {
            for seq in first..<(first + count) { ledger.settle(seq, .refused) }
            stats.countError("NotSent")
        }
    }

    private func stopProducing() {
        guard phase == .producing else { return }
        phase = .settling
        produceEndNs = EventLoop.hrtimeNs
        maybeAdvance()
    }

    // MARK: Consuming

    private func fillConsumer(_ index: Int) {
        guard phase != .done, !pausedConsumers.contains(index) else { return }
        let connection = consumers[index]
        let isLongPoll = index >= firstLongPoll
        let depth = isLongPoll ? 1 : config.pipelineDepth
        let waitSeconds = isLongPoll ? config.longPollWaitSeconds : config.receiveWaitSeconds
        let targeted = targetsBacklogs && !isLongPoll
        while receivesInFlight[index] < depth, connection.isReady {
            var queue = nextReceiveQueue
            var claimed = 0
            if targeted, let backlog = backlogs.claim(messagesMax: requests.receiveMessagesMax) {
                queue = backlog
                claimed = requests.receiveMessagesMax
            } else if targeted && phase != .draining {
                break  // nothing acknowledged is unclaimed: the next acknowledged send fills this consumer
            }
            let request = requests.receive(queue: queue, waitSeconds: waitSeconds)
            guard connection.send(request, tag: .receive(sentNs: EventLoop.hrtimeNs, queue: queue, claimed: claimed))
            else {
                backlogs.answered(queue: queue, claimed: claimed, received: 0)
                break
            }
            if claimed == 0 { nextReceiveQueue = (nextReceiveQueue + 1) % requests.queueURLs.count }
            receivesInFlight[index] += 1
        }
    }

    /// Fills the consumers (not the long polls) that wait for acknowledged messages to receive.
    private func fillTargetedConsumers() {
        for index in 0..<firstLongPoll where receivesInFlight[index] < config.pipelineDepth {
            guard backlogs.listedCount > 0 else { return }
            fillConsumer(index)
        }
    }

    // MARK: Answers

    private func didAnswer(_ tag: Request, _ response: HTTPResponse, producer index: Int) {
        guard case .send(let first, let count, let sentNs, let queue) = tag else {
            preconditionFailure("producers only send")
        }
        sendsInFlight -= 1
        stats.sendRequests += 1
        let now = EventLoop.hrtimeNs
        // A SendMessage answers 200 or an error; a SendMessageBatch may fail some entries in a 200.
        let failures = response.status != 200 ? nil : count == 1 ? [] : BatchResponseReader.failures(in: response.body)
        if let failures {
            var failed = Set<Int>()
            for failure in failures {
                stats.countError(failure.code)
                if let id = Int(failure.id), id >= 0, id < count { failed.insert(id) }
            }
            for offset in 0..<count {
                ledger.settle(first + offset, failed.contains(offset) ? .refused : .acknowledged)
            }
            if now >= warmupEndNs { stats.sentMeasured += count - failed.count }
            if targetsBacklogs {
                backlogs.acknowledged(count - failed.count, queue: queue)
                fillTargetedConsumers()
            }
            if sentNs >= warmupEndNs { BenchStats.record(&stats.sendLatency, nanos: now - sentNs) }
            BenchStats.record(&stats.sendLatencySinceProgress, nanos: now - sentNs)
        } else {
            stats.countError(Self.errorCode(response))
            // A 5xx may come after the command was committed: the send's fate is unknown.
            let state: MessageLedger.SendState = response.status >= 500 ? .unknown : .refused
            for seq in first..<(first + count) { ledger.settle(seq, state) }
            pause(producer: index)
        }
        if phase == .producing { fillProducer(index) } else { maybeAdvance() }
    }

    private func didAnswer(_ tag: Request, _ response: HTTPResponse, consumer index: Int) {
        switch tag {
        case .send:
            preconditionFailure("consumers do not send")
        case .receive(let sentNs, let queue, let claimed):
            receivesInFlight[index] -= 1
            stats.receiveRequests += 1
            guard response.status == 200 else {
                backlogs.answered(queue: queue, claimed: claimed, received: 0)
                stats.countError(Self.errorCode(response))
                pause(consumer: index)
                return
            }
            let received = didReceive(response.body, sentNs: sentNs, queue: queue, consumer: index)
            backlogs.answered(queue: queue, claimed: claimed, received: received)
            if phase == .draining { maybeAdvance() }
            fillConsumer(index)
        case .delete(let count):
            deletesInFlight -= 1
            stats.deleteRequests += 1
            let failures =
                response.status != 200 ? nil : count == 1 ? [] : BatchResponseReader.failures(in: response.body)
            if let failures {
                for failure in failures { stats.countError("Delete:" + failure.code) }
                stats.deletedMessages += count - failures.count
            } else {
                stats.countError("Delete:" + Self.errorCode(response))
            }
            if phase == .draining { maybeAdvance() }
        }
    }

    /// Accounts for one receive's messages and deletes them; returns how many were new (not duplicates).
    private func didReceive(_ body: [UInt8], sentNs: UInt64, queue: Int, consumer index: Int) -> Int {
        guard let messages = ReceiveResponseScanner.messages(in: body) else {
            stats.countError("BadReceiveResponse")
            return 0
        }
        if messages.isEmpty {
            stats.emptyReceives += 1
            return 0
        }
        var new = 0
        let now = EventLoop.hrtimeNs
        if sentNs >= warmupEndNs { BenchStats.record(&stats.receiveLatency, nanos: now - sentNs) }
        for message in messages {
            let messageSentNs: UInt64
            if config.producesMessages {
                guard let (seq, sentNs) = requests.parseMessageBody(message.body) else {
                    ledger.receiveUnexpected()
                    continue
                }
                guard ledger.receive(seq) else { continue }
                new += 1
                messageSentNs = sentNs
            } else {
                // Draining another run's backlog: its ledger is gone, so only duplicates can be told.
                guard let parsed = BenchRequests.parseAnyRunBody(message.body) else {
                    ledger.receiveUnexpected()
                    continue
                }
                guard ledger.receiveForeign(runTag: parsed.runTag, seq: parsed.seq) else { continue }
                messageSentNs = 0
            }
            if now >= warmupEndNs && phase == .producing { stats.consumedMeasured += 1 }
            if messageSentNs >= warmupEndNs && now > messageSentNs {
                BenchStats.record(&stats.endToEndLatency, nanos: now - messageSentNs)
            }
        }
        let delete = requests.delete(queue: queue, messages.map(\.receiptHandle))
        if consumers[index].send(delete, tag: .delete(count: messages.count)) {
            deletesInFlight += 1
        } else {
            stats.countError("DeleteNotSent")
        }
        return new
    }

    private func didLose(_ tag: Request, _ why: String) {
        stats.countError("ConnectionLost")
        switch tag {
        case .send(let first, let count, _, _):
            sendsInFlight -= 1
            for seq in first..<(first + count) { ledger.settle(seq, .unknown) }
        case .delete:
            deletesInFlight -= 1
        case .receive(_, let queue, let claimed):
            backlogs.answered(queue: queue, claimed: claimed, received: 0)
        }
        maybeAdvance()
    }

    private func pause(producer index: Int) {
        guard pausedProducers.insert(index).inserted else { return }
        _ = try? loop.scheduleOnce(afterMs: Self.errorPauseMs) { [weak self] in
            self?.pausedProducers.remove(index)
            if self?.phase == .producing { self?.fillProducer(index) }
        }
    }

    private func pause(consumer index: Int) {
        guard pausedConsumers.insert(index).inserted else { return }
        _ = try? loop.scheduleOnce(afterMs: Self.errorPauseMs) { [weak self] in
            self?.pausedConsumers.remove(index)
            self?.fillConsumer(index)
        }
    }

    /// The SQS error code of an error answer (`__type` after `#`), or `HTTP <status>`.
    static func errorCode(_ response: HTTPResponse) -> String {
        if case .sqs(_, let code, _) = SQSClient.error(from: response) { return code }
        return "HTTP \(response.status)"
    }

    // MARK: Phases and progress

    private func maybeAdvance() {
        let now = EventLoop.hrtimeNs
        var enteringDrain = false
        if phase == .settling && sendsInFlight == 0 {
            enteringDrain = true
            phase = .draining
            drainDeadlineNs = now + UInt64(config.drainSeconds * 1e9)
        }
        let allConsumed = ledger.outstanding == 0 && deletesInFlight == 0
        if phase == .draining && (allConsumed || now >= drainDeadlineNs || !config.consumesMessages) {
            phase = .done
            endNs = now
            if config.progress { printProgress(now: now) }
            loop.stop()
        } else if phase == .draining && targetsBacklogs && enteringDrain {
            // Targeted consumers idle when nothing is unclaimed; draining, they fall back to round robin.
            for index in 0..<firstLongPoll { fillConsumer(index) }
        }
    }

    private func everySecond() {
        if !config.producesMessages && phase == .producing {
            let drained = stats.emptyReceives > drainTick.emptyReceives && ledger.consumed == drainTick.consumed
            drainTick = (stats.emptyReceives, ledger.consumed)
            if drained || config.messagesMax.map({ ledger.consumed >= $0 }) == true { stopProducing() }
        }
        maybeAdvance()
        if config.progress && phase != .done { printProgress(now: EventLoop.hrtimeNs) }
    }

    private func printProgress(now: UInt64) {
        let seconds = Double(now - progressLast.ns) / 1e9
        guard seconds > 0.05 else { return }
        let sentRate = Double(ledger.acknowledged - progressLast.sent) / seconds
        let consumedRate = Double(ledger.consumed - progressLast.consumed) / seconds
        progressLast = (now, ledger.acknowledged, ledger.consumed)
        let elapsed = Double(now - startNs) / 1e9
        let label = phase == .producing ? "" : phase == .done ? "  (done)" : "  (draining)"
        let window = stats.sendLatencySinceProgress
        let latency =
            window.totalCount == 0
            ? ""
            : "  send p50/p99/max µs "
                + "\(Format.count(Int(window.valueAtPercentile(50))))/\(Format.count(Int(window.valueAtPercentile(99))))"
                + "/\(Format.count(Int(window.max)))"
        stats.sendLatencySinceProgress.reset()
        print(
            "\(Format.fixed(elapsed, 1).leftPadded(6))s  sent \(Format.count(Int(sentRate)).leftPadded(8))/s  "
                + "consumed \(Format.count(Int(consumedRate)).leftPadded(8))/s  "
                + "backlog \(Format.count(ledger.outstanding).leftPadded(8))  errors \(stats.errorCount)\(latency)\(label)"
        )
        fflush(nil)  // all output streams: the progress line must show now, also through a pipe
    }
}

extension BenchDriver.Request {
    var isReceive: Bool {
        if case .receive = self { return true }
        return false
    }
}
