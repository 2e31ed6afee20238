import FerryNode
import FerryQueue
import FerryRaft

/// One simulated client process of the workload.
struct QueueClient {
    enum Role {
        /// Creates the two queues, then runs the final drain.
        case admin
        case producer(Int)
        case consumer(Int)
        /// Creates queues one at a time and reads each back at once, elsewhere, through a linearizable read.
        case reader
        /// Publishes to the topics (the first one sets them up first): QueueSimulation+Publishers.swift.
        case publisher(Int)
    }

    /// What the outstanding request is.
    enum Request {
        case create(queue: String)
        case send(PendingSend)
        case receive(queue: String, command: QueueCommand)
        case changeVisibility(queue: String)
        case delete(queue: String)
        case readerCreate(queue: String)
        /// A linearizable read started after the create of `mustSee` was acknowledged.
        case read(mustSee: String, at: NodeID)
        case drainReceive(queue: String)
        case drainDelete(queue: String)
        case topicSetup(step: Int)
        case publish(QueueSimulation.PendingPublish)
    }

    /// One SendMessage or SendMessageBatch, built once and resent as it is.
    struct PendingSend: CustomStringConvertible {
        /// Each entry's key (`p<producer>-<n>`), unique per message.
        var keys: [String]
        var fifo: Bool
        var group: String?
        var shape: MessageShape
        var command: QueueCommand
        /// What the edge's validation answers: nil for a valid request, the SQS error for one over a limit.
        var edgeRefusal: QueueError?

        var description: String {
            "send \(shape.rawValue) \(keys[0])\(keys.count > 1 ? "..\(keys[keys.count - 1])" : "") to \(fifo ? "fifo" : "std")"
        }
    }

    let index: Int
    let role: Role
    /// Bumped whenever a request ends or the client acts: stale timers and replies are ignored.
    var generation: UInt64 = 0
    var request: Request?
    var target: NodeID = 0
    /// Producer: the send to retry, with the same dedup id, until it is acknowledged.
    var pendingSend: PendingSend?
    var sequence = 0
    /// Consumer: what it received and will delete, by queue.
    var held: [(messageId: String, handle: String)] = []
    var heldQueue = ""
    /// Consumer: the previous handle of each message it received, for deletes with a stale handle.
    var earlierHandle: [String: String] = [:]
    /// Consumer: the held messages' visibility was changed already (they are deleted next).
    var changedVisibility = false
    /// Consumer: a FIFO receive with a ReceiveRequestAttemptId whose outcome is unknown, to send again.
    var receiveToRetry: QueueCommand?
    var attemptsIssued = 0
    /// Reader: queues created and acknowledged so far (`r-0` ... `r-<n-1>`).
    var readerAcknowledged = 0
    /// Reader: the acknowledged create still to read back.
    var readerPendingRead: String?
    /// Reader reading at every node: reads of the current round not yet answered, and whether every one
    /// answered so far was confirmed.
    var readsOutstanding = 0
    var readsAllConfirmed = true
    /// Admin: queues created so far, then the drain's progress.
    var created: Set<String> = []
    var draining = false
    var drainQueueIndex = 0
    var drainReceives = 0
    var drainDone = false
    var queuesToCreate = 2
    /// Publisher: the publish to retry until acknowledged; (the first) set-up steps done, and whether any remain.
    var pendingPublish: QueueSimulation.PendingPublish?
    var topicSetupDone = 0
    var topicSetupPending = false

    /// Work the liveness phase must see finished: a request out, a send not yet acknowledged, messages held
    /// for deletion, or (admin) queues not yet created.
    var isBusy: Bool {
        if case .admin = role, created.count < queuesToCreate { return true }
        return request != nil || pendingSend != nil || !held.isEmpty || receiveToRetry != nil || pendingPublish != nil
            || topicSetupPending
    }

    static func makeAll(options: QueueSimOptions) -> [QueueClient] {
        var clients = [QueueClient(index: 0, role: .admin)]
        for p in 0..<options.producerCount { clients.append(QueueClient(index: clients.count, role: .producer(p))) }
        for c in 0..<options.consumerCount { clients.append(QueueClient(index: clients.count, role: .consumer(c))) }
        if options.behaviours.reader { clients.append(QueueClient(index: clients.count, role: .reader)) }
        if options.behaviours.maxReceiveCount != nil { clients[0].queuesToCreate = 4 }
        for p in 0..<options.topics.publisherCount {
            clients.append(QueueClient(index: clients.count, role: .publisher(p)))
            clients[clients.count - 1].topicSetupPending = p == 0
        }
        return clients
    }
}
