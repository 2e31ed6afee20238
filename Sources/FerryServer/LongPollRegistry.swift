import FerryQueue
import FerryRuntime
import FerrySQS

/// The long polls parked at this node, per queue. They are woken without polling (LocalStack #4386):
/// after every applied command that may make a parked queue receivable, the registry asks the local
/// machine (`receiveReadiness`, no log entry) and retries one receive only when something is there; a
/// delayed or in-flight message's due time arms a timer; the deadline answers empty.
///
/// Only as many waiters are woken as the receivable messages need, counting the receives already in
/// flight, so waiters do not all propose a receive for the same message; each applied receive triggers
/// the next check.
///
/// A check reads every parked poll of its queue, so it runs once per queue per loop turn, at the end of
/// the turn, however many commands the turn applied: checking after each one cost ~10% of a leader's
/// loop with 256 polls parked under one message per SendMessage, and grew with the polls parked.
final class LongPollRegistry {
    /// Long polls parked at once. Each holds a client connection, and the HTTP server holds at most
    /// `HTTPServer.connectionsMax` of those; beyond it a receive answers empty at once (a short poll),
    /// which SDKs simply repeat.
    static let waitersMax = HTTPServer.connectionsMax
    /// How often parked polls whose client hung up are dropped.
    static let sweepIntervalMs: UInt64 = 1_000

    unowned let service: SQSService
    private var waiters: [String: ParkedPolls] = [:]
    private(set) var count = 0
    /// Per queue, what the receives of requests that just arrived (not parked) may take, while those
    /// receives are in the log. They take what is there like a woken poll's receive does: waking a parked
    /// poll for the same messages would bring back an empty receive (a wasted log entry) and pause that
    /// poll (`ReceivePacing`), and a pipelining client's later answers would wait behind the paused poll.
    private var arrivalsTaking: [String: Int] = [:]
    private var sweeper: LoopTimer?
    /// Queues to check at the end of this turn, in the order they changed (`dirtyQueueSet` dedupes).
    private var dirtyQueues: [String] = []
    private var dirtyQueueSet: Set<String> = []
    /// Every parked queue is to be checked at the end of this turn (a tick, a publish).
    private var allQueuesDirty = false
    private var checkScheduled = false
    /// Stamps the polls one check wakes, so the others are told apart without a search.
    private var checkStamp: UInt64 = 0
    /// Checks run so far (one per changed queue per turn), for tests.
    private(set) var checkCount = 0

    init(service: SQSService) {
        self.service = service
    }

    var loop: EventLoop { service.loop }

    /// Parks `poll` after an empty receive, arming its timer from the queue's readiness.
    func park(_ poll: LongPoll) {
        guard !poll.isFinished else { return }  // answered while its receive was in the log (its queue went)
        if !poll.isParked {
            guard count < Self.waitersMax else {
                service.logger.warning(
                    "long-poll waiters full; answering empty", metadata: ["max": "\(Self.waitersMax)"])
                return finish(poll, .success(.receiveMessage([])))
            }
            poll.isParked = true
            waiters[poll.queueName, default: ParkedPolls()].append(poll)
            count += 1
            startSweeperIfNeeded()
        }
        markChanged(poll.queueName)
    }

    /// Whether a request for `name` that just arrived can park behind the long polls already parked here
    /// for that queue (some may have their receive in the log), instead of receiving at once. Only while
    /// this node knows a leader: a node cut off from the cluster holds each new request's own receive
    /// for a leader and then answers the 503 that SDKs retry, where a request parked behind the others
    /// would get an empty answer, as if the queue were empty.
    func canQueueBehindParked(_ name: String) -> Bool {
        waiters[name] != nil && count < Self.waitersMax && service.node.leader != nil
    }

    /// The receive `poll`'s request made when it arrived (before it ever parked) is in the log (see
    /// `arrivalsTaking`).
    func arrivalStarted(_ poll: LongPoll) {
        arrivalsTaking[poll.queueName, default: 0] += poll.receivableTaken
    }

    /// That receive came back, applied or not: what it did not take is for the parked polls again.
    func arrivalFinished(_ poll: LongPoll) {
        let name = poll.queueName
        let left = arrivalsTaking[name, default: 0] - poll.receivableTaken
        precondition(left >= 0, "an arrival receive finished twice")
        arrivalsTaking[name] = left == 0 ? nil : left
        markChanged(name)
    }

    /// Answers `poll` and forgets it.
    func finish(_ poll: LongPoll, _ result: Result<SQSResponse, SQSError>) {
        unpark(poll)
        poll.answer(result)
    }

    private func unpark(_ poll: LongPoll) {
        poll.timer?.close()
        poll.timer = nil
        poll.armedFireMs = nil
        guard poll.isParked else { return }
        poll.isParked = false
        count -= 1
        let name = poll.queueName
        waiters[name]?.removeUnparked()
        if waiters[name]?.parkedCount == 0 { waiters[name] = nil }
    }

    /// Called after every command applied on this replica.
    func applied(_ command: QueueCommand) {
        guard count > 0 else { return }
        switch command {
        case .sendMessages(let name, _, _), .changeVisibility(let name, _, _), .deleteMessages(let name, _, _),
            .purgeQueue(let name), .deleteQueue(let name), .createQueue(let name, _, _):
            // Deletes matter for FIFO queues: deleting a group's head unlocks the group.
            markChanged(name)
        case .receiveMessages(let request):
            // A receive changes its own queue, and may dead-letter into the one its RedrivePolicy names.
            markChanged(request.queueName)
            if let target = service.node.machine.queues.deadLetterQueueName(of: request.queueName) {
                markChanged(target)
            }
        case .tick, .setQueueAttributes, .startMessageMoveTask, .cancelMessageMoveTask, .tagQueue, .untagQueue:
            // A tick advances move tasks into destinations; attribute changes alter delays. Re-check every
            // parked queue (a local query each).
            markAllChanged()
        case .addPermission, .removePermission:
            break  // the Policy attribute changes nothing a receive sees
        case .topic(.publish):
            // A publish enqueues into its subscriptions' queues (and dead-letter queues) at once.
            markAllChanged()
        case .topic:
            break
        }
    }

    /// `name`'s parked polls are checked at the end of this turn, once however many commands change it.
    private func markChanged(_ name: String) {
        guard waiters[name] != nil, !allQueuesDirty, dirtyQueueSet.insert(name).inserted else { return }
        dirtyQueues.append(name)
        scheduleCheck()
    }

    private func markAllChanged() {
        allQueuesDirty = true
        scheduleCheck()
    }

    private func scheduleCheck() {
        guard !checkScheduled else { return }
        checkScheduled = true
        // Runs in this turn's end-of-turn flush, before the sockets flush: an answer it gives (a deleted
        // queue) goes out in the same turn, and a poll it wakes fires on the next.
        loop.atEndOfTurn { [unowned self] in self.checkChangedQueues() }
    }

    private func checkChangedQueues() {
        checkScheduled = false
        let names = allQueuesDirty ? Array(waiters.keys) : dirtyQueues
        allQueuesDirty = false
        dirtyQueues.removeAll(keepingCapacity: true)
        dirtyQueueSet.removeAll(keepingCapacity: true)
        for name in names { evaluate(name) }
    }

    /// Re-arms the parked polls of `name` from the local machine's readiness. When something is receivable,
    /// wakes idle polls, oldest first and unpaced before paced, until the receives in flight could take all
    /// of it; the rest wait for their deadline or the next change.
    private func evaluate(_ name: String) {
        guard let list = waiters[name]?.polls else { return }
        checkCount += 1
        let now = loop.nowMs
        let machineNowMs = Int64(Server.wallClockMs())
        let readiness = service.node.machine.queues.receiveReadiness(name, nowMs: machineNowMs)
        let arriving = arrivalsTaking[name] ?? 0
        switch readiness {
        case .noQueue:
            for poll in list where poll.isParked { finish(poll, .failure(SQSService.noSuchQueue(name))) }
        case .empty:
            arm(list, waking: [], atMs: now)
        case .waitUntil(let dueMs):
            // Machine time is the leader's wall clock; convert the wait to loop time. One poll waits for the
            // due time (a message's visibility ending, a delay): arming them all would send every parked
            // poll's receive through the log for what may be one message. Its receive, once applied, runs the
            // queue's timers and re-checks, waking as many more as what came due needs.
            let dueLoopMs = now + UInt64(max(0, dueMs - machineNowMs))
            arm(
                list, waking: Self.pollsToWake(list, receivable: 1, arrivalsTaking: arriving, nowMs: now),
                atMs: dueLoopMs)
        case .ready(let receivable):
            // Waking one poll per check would wake a second for the same messages while the first's receive
            // is still in the log (readiness is unchanged until it applies); that one comes back empty and is
            // paced, and the next send waits out its pause. Count what the receives in flight will take.
            arm(
                list, waking: Self.pollsToWake(list, receivable: receivable, arrivalsTaking: arriving, nowMs: now),
                atMs: now)
        }
    }

    /// Arms each idle poll of `list`: those in `woken` at `wakeMs` (later if paced), the others at their
    /// deadline.
    private func arm(_ list: [LongPoll], waking woken: [LongPoll], atMs wakeMs: UInt64) {
        checkStamp &+= 1
        for poll in woken {
            poll.wokenByCheck = checkStamp
            arm(poll, atMs: poll.pacing.earliest(wakeMs))
        }
        for poll in list where poll.isParked && !poll.inFlight && poll.wokenByCheck != checkStamp {
            arm(poll, atMs: poll.deadlineMs)
        }
    }

    /// The idle polls of one queue (in parking order; those no longer parked are skipped) to wake for `receivable` (`ReceiveReadiness.ready`):
    /// oldest first, unpaced before paced, until they and the receives in flight (the parked polls' and
    /// `arrivalsTaking`, the arriving requests') could take all of it.
    /// Runs after every applied command while polls are parked: two passes over `list`, no intermediate
    /// arrays (filtering into three cost ~20k instructions per message on a leader with 32 parked polls).
    static func pollsToWake(_ list: [LongPoll], receivable: Int, arrivalsTaking: Int = 0, nowMs: UInt64) -> [LongPoll] {
        var uncovered = receivable - arrivalsTaking
        for poll in list where poll.isParked && poll.inFlight { uncovered -= poll.receivableTaken }
        var woken: [LongPoll] = []
        guard uncovered > 0 else { return woken }
        for paced in [false, true] {
            for poll in list where poll.isParked && !poll.inFlight && (poll.pacing.earliest(nowMs) > nowMs) == paced {
                uncovered -= poll.receivableTaken
                woken.append(poll)
                if uncovered <= 0 { return woken }
            }
        }
        return woken
    }

    /// Fires at `atMs` (loop time), capped at the deadline: a receive if before it, the empty answer at it.
    private func arm(_ poll: LongPoll, atMs: UInt64) {
        let fireMs = min(atMs, poll.deadlineMs)
        if poll.timer == nil {
            guard let timer = try? LoopTimer(loop: loop) else {
                return finish(poll, .failure(SQSError(.internalFailure, "could not create a long-poll timer")))
            }
            poll.timer = timer
        }
        guard poll.armedFireMs != fireMs else { return }
        poll.armedFireMs = fireMs
        let now = loop.nowMs
        poll.timer!.start(afterMs: fireMs > now ? fireMs - now : 0) { [unowned self, unowned poll] in
            self.fire(poll)
        }
    }

    private func fire(_ poll: LongPoll) {
        poll.armedFireMs = nil
        guard !poll.isFinished, !poll.inFlight else { return }
        if loop.nowMs >= poll.deadlineMs || poll.clientGone() {
            return finish(poll, .success(.receiveMessage([])))
        }
        service.attemptReceive(poll)
    }

    // MARK: - Hung-up clients

    private func startSweeperIfNeeded() {
        guard sweeper == nil else { return }
        sweeper = try? loop.scheduleRepeating(everyMs: Self.sweepIntervalMs) { [unowned self] in self.sweep() }
    }

    /// Drops parked polls whose client closed its connection: nobody would read the answer, and a receive
    /// for them would take messages in flight for nothing.
    private func sweep() {
        for parked in waiters.values {
            for poll in parked.polls where poll.isParked && !poll.inFlight && poll.clientGone() {
                finish(poll, .success(.receiveMessage([])))
            }
        }
        if count == 0 {
            sweeper?.close()
            sweeper = nil
        }
    }
}

/// The polls parked for one queue, oldest first. One that is no longer parked stays in `polls` (every reader
/// skips it) until such polls are about half the list: removing each at once searched the list and
/// retained every poll in it, ~5% of a leader's loop with 1,024 parked.
struct ParkedPolls {
    private(set) var polls: [LongPoll] = []
    private(set) var parkedCount = 0

    mutating func append(_ poll: LongPoll) {
        assert(poll.isParked)
        polls.append(poll)
        parkedCount += 1
    }

    /// One poll of `polls` is no longer parked.
    mutating func removeUnparked() {
        parkedCount -= 1
        assert(parkedCount >= 0)
        if polls.count > 2 * parkedCount + 16 { polls.removeAll { !$0.isParked } }
    }
}
