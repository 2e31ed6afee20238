import FerryQueue
import FerryRuntime
import FerrySQS

/// One ReceiveMessage waiting at this node (docs/sqs-wire.md, "Long poll"). Loop thread only.
final class LongPoll {
    let request: ReceiveRequest
    let view: ReceivedMessageView
    /// Loop time (`EventLoop.nowMs`) at which an empty answer is due.
    let deadlineMs: UInt64
    let clientGone: () -> Bool
    private var respond: ((Result<SQSResponse, SQSError>) -> Void)?
    /// A receive command for this poll is in the log's pipeline; never two at once.
    var inFlight = false
    var pacing = ReceivePacing()
    /// Armed while parked: the deadline, a message's visibility time, or a paced retry.
    var timer: LoopTimer?
    /// Loop time the timer is armed for; nil once it fired. Every applied command re-evaluates the parked
    /// polls, and most leave the time unchanged: restarting the timer then is wasted work.
    var armedFireMs: UInt64?
    var isParked = false
    /// The registry's check that last chose this poll to wake (`LongPollRegistry.checkStamp`).
    var wokenByCheck: UInt64 = 0

    init(
        request: ReceiveRequest, view: ReceivedMessageView, deadlineMs: UInt64, clientGone: @escaping () -> Bool,
        respond: @escaping (Result<SQSResponse, SQSError>) -> Void
    ) {
        self.request = request
        self.view = view
        self.deadlineMs = deadlineMs
        self.clientGone = clientGone
        self.respond = respond
    }

    var queueName: String { request.queueName }
    /// How much of `ReceiveReadiness.ready`'s count one receive of this poll takes at most: up to
    /// MaxNumberOfMessages messages, or on a FIFO queue groups (it may take fewer when one group fills it;
    /// then its receive, once applied, re-checks and wakes the next poll).
    var receivableTaken: Int { request.maxMessages }
    var isFinished: Bool { respond == nil }

    /// Answers once; later calls are ignored.
    func answer(_ result: Result<SQSResponse, SQSError>) {
        guard let respond else { return }
        self.respond = nil
        respond(result)
    }
}
