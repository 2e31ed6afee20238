import FerryQueue
import FerrySQS

/// ListDeadLetterSourceQueues and the message move tasks (docs/sqs-wire.md, "Operations", "Dead-letter queues").
extension SQSService {
    func listDeadLetterSourceQueues(_ r: ListDeadLetterSourceQueuesRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.read(respond) { machine in
                machine.listDeadLetterSourceQueues(name, maxResults: r.maxResults, nextToken: r.nextToken)
                    .map {
                        .listDeadLetterSourceQueues(queueUrls: $0.names.map(self.queueUrl), nextToken: $0.nextToken)
                    }
                    .mapError(SQSErrorMapping.map)
            }
        }
    }

    func startMessageMoveTask(_ r: StartMessageMoveTaskRequest, _ respond: @escaping Respond) {
        let request = MoveTaskRequest(
            sourceArn: r.sourceArn, destinationArn: r.destinationArn,
            maxMessagesPerSecond: r.maxNumberOfMessagesPerSecond)
        submit(.startMessageMoveTask(request), respond) { result in
            Self.expect(result) { result in
                guard case .moveTaskStarted(let handle) = result else { return nil }
                return .startMessageMoveTask(taskHandle: handle)
            }
        }
    }

    func cancelMessageMoveTask(_ r: CancelMessageMoveTaskRequest, _ respond: @escaping Respond) {
        submit(.cancelMessageMoveTask(taskHandle: r.taskHandle), respond) { result in
            Self.expect(result) { result in
                guard case .moveTaskCancelled(let moved) = result else { return nil }
                return .cancelMessageMoveTask(approximateNumberOfMessagesMoved: Int64(moved))
            }
        }
    }

    func listMessageMoveTasks(_ r: ListMessageMoveTasksRequest, _ respond: @escaping Respond) {
        read(respond) { machine in
            machine.listMessageMoveTasks(
                sourceArn: r.sourceArn, maxResults: r.maxResults ?? QueueLimits.moveTasksListedMax
            )
            .map { tasks in .listMessageMoveTasks(tasks.map(Self.wire)) }
            .mapError(SQSErrorMapping.map)
        }
    }

    static func wire(_ task: MoveTask) -> MessageMoveTask {
        MessageMoveTask(
            taskHandle: task.taskHandle, status: task.status.rawValue, sourceArn: task.sourceArn,
            destinationArn: task.destinationArn, maxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond,
            approximateNumberOfMessagesMoved: Int64(task.approximateNumberOfMessagesMoved),
            approximateNumberOfMessagesToMove: Int64(task.approximateNumberOfMessagesToMove),
            failureReason: task.failureReason, startedTimestamp: task.startedTimestampMs)
    }
}
