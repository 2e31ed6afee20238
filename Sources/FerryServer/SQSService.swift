import FerryNode
import FerryQueue
import FerryQueueReplica
import FerryRuntime
import FerrySQS
import Logging

/// The SQS operations over the replicated queue machine: every state change is a command through Raft,
/// every read is linearizable, long polls wait here for the queue to have something.
///
/// Shape of every operation: check the caller and the queue address, validate statelessly (so bad input
/// never costs a log entry), build the `QueueCommand`, `submit` it (or `read` for queries), then map the
/// `QueueResult` to the `SQSResponse`. Loop thread only: `node` calls back on it.
///
/// Accounts: the queue machine serves one account (the cluster's `account_id`). A caller authenticated as
/// another account gets `AccessDenied` (403): the key is valid, the cluster is not its. A queue URL or ARN
/// naming another account gets `QueueDoesNotExist` (the queue is not here), like AWS for a URL with a
/// typo in the account.
final class SQSService: SQSRequestHandler {
    let node: ReplicaNode<QueueReplica>
    let config: ServerConfig
    let loop: EventLoop
    let logger: Logger
    let addressing: QueueAddressing
    /// The one account whose queues this cluster holds.
    let accountId: String
    /// Seals and opens the receipt handles clients see (key derived from the cluster secret once, here).
    let receiptHandles: ReceiptHandleSeal
    private(set) lazy var longPolls = LongPollRegistry(service: self)
    /// Parsed QueueUrls (see `queueName(fromUrl:)`), emptied when full.
    private var queueNamesByUrl: [String: String] = [:]
    /// Distinct queue URLs remembered at once: twice the queues a cluster may hold (at 1,024, a client
    /// spreading over 10,000 queues emptied it every 1,024 URLs and nearly every request parsed its URL
    /// again), and a client cycling through made-up URLs costs at most this many short strings (~3 MB).
    static let queueNamesByUrlMax = 2 * QueueLimits.queuesMax

    init(node: ReplicaNode<QueueReplica>, config: ServerConfig, loop: EventLoop, logger: Logger) {
        self.node = node
        self.config = config
        self.loop = loop
        self.logger = logger
        self.accountId = config.defaultAccountID
        self.receiptHandles = ReceiptHandleSeal(clusterSecret: config.clusterSecret)
        self.addressing = QueueAddressing(advertisedBase: config.advertisedURL, region: config.region)
        let previous = node.onApply
        node.onApply = { [unowned self] command, result, stamp in
            previous?(command, result, stamp)
            self.longPolls.applied(command)
        }
    }

    func handle(
        _ request: SQSRequest, caller: AuthenticatedCaller, clientGone: @escaping () -> Bool,
        respond: @escaping (Result<SQSResponse, SQSError>) -> Void
    ) {
        guard caller.accountId == accountId else {
            return respond(
                .failure(
                    SQSError(
                        .accessDenied,
                        "Access to the resource is denied: this cluster serves account \(accountId) only, "
                            + "and the request was signed for account \(caller.accountId).")))
        }
        switch request {
        case .createQueue(let r): createQueue(r, respond)
        case .getQueueUrl(let r): getQueueUrl(r, respond)
        case .listQueues(let r): listQueues(r, respond)
        case .deleteQueue(let r): deleteQueue(r, respond)
        case .getQueueAttributes(let r): getQueueAttributes(r, respond)
        case .setQueueAttributes(let r): setQueueAttributes(r, respond)
        case .tagQueue(let r): tagQueue(r, respond)
        case .untagQueue(let r): untagQueue(r, respond)
        case .listQueueTags(let r): listQueueTags(r, respond)
        case .purgeQueue(let r): purgeQueue(r, respond)
        case .addPermission(let r): addPermission(r, respond)
        case .removePermission(let r): removePermission(r, respond)
        case .listDeadLetterSourceQueues(let r): listDeadLetterSourceQueues(r, respond)
        case .startMessageMoveTask(let r): startMessageMoveTask(r, respond)
        case .cancelMessageMoveTask(let r): cancelMessageMoveTask(r, respond)
        case .listMessageMoveTasks(let r): listMessageMoveTasks(r, respond)
        case .sendMessage(let r): sendMessage(r, respond)
        case .sendMessageBatch(let r): sendMessageBatch(r, respond)
        case .receiveMessage(let r): receiveMessage(r, clientGone: clientGone, respond)
        case .deleteMessage(let r): deleteMessage(r, respond)
        case .deleteMessageBatch(let r): deleteMessageBatch(r, respond)
        case .changeMessageVisibility(let r): changeMessageVisibility(r, respond)
        case .changeMessageVisibilityBatch(let r): changeMessageVisibilityBatch(r, respond)
        }
    }

    // MARK: - Addressing

    /// The queue name a QueueUrl names in this cluster's account. Remembered per URL: clients send the same
    /// few URLs on every request, and the answer depends on nothing else (the account is fixed).
    func queueName(fromUrl url: String) -> Result<String, SQSError> {
        if let name = queueNamesByUrl[url] { return .success(name) }
        let result = Self.queueName(fromUrl: url, account: accountId)
        if case .success(let name) = result {
            if queueNamesByUrl.count >= Self.queueNamesByUrlMax { queueNamesByUrl.removeAll(keepingCapacity: true) }
            queueNamesByUrl[url] = name
        }
        return result
    }

    /// A queue URL, or a bare queue name in its place: AWS accepts `QueueUrl="my-queue"` as the caller's
    /// own queue of that name.
    static func queueName(fromUrl url: String, account accountId: String) -> Result<String, SQSError> {
        if (try? MessageValidation.validateQueueName(url)) != nil { return .success(url) }
        guard let address = QueueAddress.parse(url: url), address.account == accountId else {
            return .failure(SQSError.noSuchQueue)
        }
        return .success(address.queueName)
    }

    /// The queue URL clients get, identical whichever node answers (from config, never the Host header).
    func queueUrl(_ name: String) -> String { addressing.url(account: accountId, queueName: name) }

    // MARK: - Replication

    /// Replicates `command` and hands its result to `body`. A command that did not apply, or whose
    /// outcome is unknown, answers 503 ServiceUnavailable, which every SDK retries:
    /// - `.unavailable`: nothing was applied; the retry is plainly safe.
    /// - `.timedOut`: the command may have applied. The SDK's retry is still safe where it matters: FIFO
    ///   sends carry a deduplication id (explicit or content-based) so a re-send inside the 5-minute
    ///   window returns the original MessageId; FIFO receives may carry ReceiveRequestAttemptId; deletes
    ///   and visibility changes are idempotent enough (a gone message deletes as success). A standard
    ///   queue's re-send may enqueue twice, which its at-least-once contract allows.
    func submit<Response>(
        _ command: QueueCommand, _ respond: @escaping (Result<Response, SQSError>) -> Void,
        _ body: @escaping (QueueResult) -> Result<Response, SQSError>
    ) {
        node.submit(command) { outcome in
            switch outcome {
            case .applied(let result): respond(body(result))
            case .unavailable: respond(.failure(Self.noLeader))
            case .timedOut: respond(.failure(Self.outcomeUnknown))
            case .tooLarge(let bytes): respond(.failure(Self.commandTooLarge(bytes: bytes)))
            }
        }
    }

    /// A linearizable read: `body` runs against the machine once it reflects everything committed
    /// before the call; 503 when leadership could not be confirmed (the SDK retries).
    func read<Response>(
        _ respond: @escaping (Result<Response, SQSError>) -> Void,
        _ body: @escaping (QueueMachine) -> Result<Response, SQSError>
    ) {
        node.read { [unowned self] ok in
            guard ok else { return respond(.failure(Self.noLeader)) }
            respond(body(self.node.machine.queues))
        }
    }

    /// The request passed the SQS limits but its command would not fit in a log entry: only a gap between
    /// those limits and `QueueLimits.encodedCommandBytesMax` can cause it (a test checks there is none).
    static func commandTooLarge(bytes: Int) -> SQSError {
        SQSError(
            .invalidParameterValue,
            "The request is too large to replicate (\(bytes) bytes encoded; at most \(ReplicaNode<QueueReplica>.commandBodyBytesMax))."
        )
    }

    static let noLeader = SQSError(
        .serviceUnavailable,
        "The cluster has no leader right now (election in progress or no quorum); retry.")
    static let outcomeUnknown = SQSError(
        .serviceUnavailable,
        "The request timed out inside the cluster (leader change or partition); it may or may not have been applied. Retry."
    )

    /// Whole-request failure from the machine, or the single result the body builds.
    static func expect(_ result: QueueResult, _ body: (QueueResult) -> SQSResponse?) -> Result<SQSResponse, SQSError> {
        if case .failed(let error) = result { return .failure(SQSErrorMapping.map(error)) }
        guard let response = body(result) else {
            return .failure(SQSError(.internalFailure, "unexpected queue machine result \(result)"))
        }
        return .success(response)
    }

    /// Runs a FerryQueue stateless check; its QueueError becomes the matching SQSError.
    static func validate(_ check: () throws -> Void) -> SQSError? {
        do {
            try check()
            return nil
        } catch let error as QueueError {
            return SQSErrorMapping.map(error)
        } catch {
            return SQSError(.internalFailure, "\(error)")
        }
    }
}
