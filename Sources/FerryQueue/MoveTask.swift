/// StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask (docs/sqs-wire.md, "Operations", "Dead-letter
/// queues") as a replicated job: its progress lives in the machine, advanced by the leader's `tick` commands, so it
/// survives failover.
public struct MoveTask: Equatable, Sendable {
    public enum Status: String, Sendable {
        case running = "RUNNING"
        case completed = "COMPLETED"
        case cancelled = "CANCELLED"
        case failed = "FAILED"
    }

    var number: UInt64
    var sourceQueue: QueueID
    public var sourceArn: String
    public var destinationArn: String?
    public var maxNumberOfMessagesPerSecond: Int
    public var status: Status
    public var approximateNumberOfMessagesMoved: Int
    public var approximateNumberOfMessagesToMove: Int
    public var startedTimestampMs: Int64
    public var failureReason: String?
    /// When the task last earned moving credit.
    var lastAdvanceMs: Int64
    /// Earned moves, in thousandths of a message, so a rate below one per tick still makes progress.
    var creditMilli: Int64

    /// Only running tasks show their handle (docs/sqs-wire.md, "Operations").
    public var taskHandle: String? {
        status == .running ? MoveTaskHandle(queue: sourceQueue, number: number).text : nil
    }

    mutating func fail(_ reason: String) {
        status = .failed
        failureReason = reason
    }
}

extension QueueMachine {
    mutating func startMessageMoveTask(_ request: MoveTaskRequest) -> QueueResult {
        guard let sourceId = queueId(forArn: request.sourceArn), let source = queues[sourceId] else {
            return .failed(
                QueueError(
                    .resourceNotFoundException,
                    "The resource that you specified for the SourceArn parameter doesn't exist."))
        }
        let isDeadLetterQueue = queues.values.contains {
            $0.attributes.redrivePolicy?.deadLetterTargetArn == request.sourceArn
        }
        guard isDeadLetterQueue else {
            return .failed(
                QueueError(.invalidParameterValue, "Source queue must be configured as a Dead Letter Queue."))
        }
        guard !source.isFifo else {
            return .failed(
                QueueError(.unsupportedOperation, "Message move tasks are supported for standard queues only."))
        }
        if let destination = request.destinationArn {
            guard let destinationId = queueId(forArn: destination), destinationId != sourceId else {
                return .failed(
                    QueueError(
                        .resourceNotFoundException,
                        "The resource that you specified for the DestinationArn parameter doesn't exist."))
            }
            guard !queues[destinationId]!.isFifo else {
                return .failed(.invalidParameter("DestinationArn", "Destination must be a standard queue."))
            }
        }
        let rate = request.maxMessagesPerSecond ?? QueueLimits.moveTaskRatePerSecondDefault
        guard (1...QueueLimits.moveTaskRatePerSecondMax).contains(rate) else {
            return .failed(
                .invalidParameter("MaxNumberOfMessagesPerSecond", "must be 1-\(QueueLimits.moveTaskRatePerSecondMax)."))
        }
        guard !moveTasks.contains(where: { $0.sourceQueue == sourceId && $0.status == .running }) else {
            return .failed(
                QueueError(
                    .invalidParameterValue,
                    "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
                ))
        }
        let task = MoveTask(
            number: nextMoveTaskNumber, sourceQueue: sourceId, sourceArn: request.sourceArn,
            destinationArn: request.destinationArn, maxNumberOfMessagesPerSecond: rate, status: .running,
            approximateNumberOfMessagesMoved: 0, approximateNumberOfMessagesToMove: source.visibleCount,
            startedTimestampMs: nowMs, failureReason: nil, lastAdvanceMs: nowMs, creditMilli: 0)
        nextMoveTaskNumber += 1
        moveTasks.append(task)
        pruneMoveTasks(source: sourceId)
        return .moveTaskStarted(taskHandle: task.taskHandle!)
    }

    mutating func cancelMessageMoveTask(_ handleText: String) -> QueueResult {
        // AWS's texts (recorded: test_cancel_with_invalid_task_handle, test_cancel_with_invalid_task_id_in_task_handle).
        guard let handle = MoveTaskHandle(text: handleText) else {
            return .failed(QueueError(.invalidParameterValue, "Value for parameter TaskHandle is invalid."))
        }
        guard let index = moveTasks.firstIndex(where: { $0.sourceQueue == handle.queue && $0.number == handle.number })
        else {
            return .failed(QueueError(.resourceNotFoundException, "Task does not exist."))
        }
        guard moveTasks[index].status == .running else {
            return .failed(QueueError(.resourceNotFoundException, "Task does not exist or is not running."))
        }
        moveTasks[index].status = .cancelled
        return .moveTaskCancelled(approximateNumberOfMessagesMoved: moveTasks[index].approximateNumberOfMessagesMoved)
    }

    /// The most recent tasks of a source queue, newest first.
    public func listMessageMoveTasks(
        sourceArn: String, maxResults: Int = QueueLimits.moveTasksListedMax
    )
        -> Result<[MoveTask], QueueError>
    {
        guard let sourceId = queueId(forArn: sourceArn) else {
            return .failure(
                QueueError(
                    .resourceNotFoundException,
                    "The resource that you specified for the SourceArn parameter doesn't exist."))
        }
        let limit = max(1, min(maxResults, QueueLimits.moveTasksListedMax))
        return .success(Array(moveTasks.filter { $0.sourceQueue == sourceId }.reversed().prefix(limit)))
    }

    /// Keeps at most `moveTasksListedMax` tasks per source queue, dropping the oldest finished ones.
    mutating func pruneMoveTasks(source: QueueID) {
        var seen = 0
        var keep = [Bool](repeating: true, count: moveTasks.count)
        for index in moveTasks.indices.reversed() where moveTasks[index].sourceQueue == source {
            seen += 1
            if seen > QueueLimits.moveTasksListedMax && moveTasks[index].status != .running { keep[index] = false }
        }
        moveTasks = moveTasks.indices.filter { keep[$0] }.map { moveTasks[$0] }
    }

    /// Advances every running task by the credit its rate earned since its last advance.
    mutating func advanceMoveTasks() {
        for index in moveTasks.indices where moveTasks[index].status == .running {
            advanceMoveTask(at: index)
        }
    }

    private mutating func advanceMoveTask(at index: Int) {
        var task = moveTasks[index]
        let rate = Int64(task.maxNumberOfMessagesPerSecond)
        task.creditMilli = min(task.creditMilli + (nowMs - task.lastAdvanceMs) * rate, rate * 1000)
        task.lastAdvanceMs = nowMs
        let budget = min(
            Int(task.creditMilli / 1000), QueueLimits.moveTaskMessagesPerTickMax,
            task.approximateNumberOfMessagesToMove - task.approximateNumberOfMessagesMoved)
        var explicitDestination: QueueID?
        if let destination = task.destinationArn {
            guard let id = queueId(forArn: destination) else {
                task.fail("The destination queue does not exist.")
                moveTasks[index] = task
                return
            }
            explicitDestination = id
        }
        let now = nowMs
        // Take up to `budget` visible messages out of the source, oldest-visible first.
        let taken: [OutgoingMessage] =
            withQueue(id: task.sourceQueue) { queue in
                var out: [OutgoingMessage] = []
                while out.count < budget, let seq = queue.ready.popFirst() {
                    guard let i = queue.index(of: seq), queue.slots[i].isLive, queue.slots[i].isVisible(now: now) else {
                        continue
                    }
                    out.append(queue.outgoing(at: i))
                    queue.remove(at: i, now: now)
                }
                return out
            } ?? []
        var failure: String?
        for message in taken {
            let destination =
                explicitDestination ?? message.extras?.deadLetterSourceQueueName.flatMap { queueIdByName[$0] }
            guard let destination else {
                failure = "The original source queue of a message does not exist."
                // The message stays safe: back into the dead-letter queue it came from.
                _ = withQueue(id: task.sourceQueue) {
                    $0.appendMoved(
                        message, deadLetterSource: message.extras?.deadLetterSourceQueueName, resetCount: false,
                        now: now)
                }
                continue
            }
            _ = withQueue(id: destination) {
                $0.appendMoved(message, deadLetterSource: nil, resetCount: true, now: now)
            }
            task.approximateNumberOfMessagesMoved += 1
            task.creditMilli -= 1000
        }
        if let failure {
            task.fail(failure)
        } else if task.approximateNumberOfMessagesMoved >= task.approximateNumberOfMessagesToMove
            || (taken.count < budget && queues[task.sourceQueue].map { $0.visibleCount == 0 } ?? true)
        {
            task.status = .completed
        }
        moveTasks[index] = task
    }
}
