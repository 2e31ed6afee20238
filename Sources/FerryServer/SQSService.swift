import FerryNode
import FerryQueue
import FerryRuntime
import FerrySQS
import Logging

/// The SQS operations over the replicated queue machine: every state change is a command through Raft,
/// every read is linearizable, long polls wait here for the queue to have something.
final class SQSService: SQSRequestHandler {
    let node: ReplicaNode<QueueReplica>
    let config: ServerConfig
    let loop: EventLoop
    let logger: Logger

    init(node: ReplicaNode<QueueReplica>, config: ServerConfig, loop: EventLoop, logger: Logger) {
        self.node = node
        self.config = config
        self.loop = loop
        self.logger = logger
    }

    func handle(_ request: SQSRequest, caller: AuthenticatedCaller, respond: @escaping (Result<SQSResponse, SQSError>) -> Void) {
        respond(.failure(SQSError(.serviceUnavailable, "the SQS operations are not wired to the queue machine yet")))
    }
}
