import ArgumentParser
import FerrySQS

/// `ferry send`: one SendMessage.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send one message (SendMessage) and print its MessageId.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Queue name or URL.")
    var queue: String

    @Argument(help: "The message body.")
    var body: String

    @Option(help: "MessageGroupId (required by FIFO queues).")
    var group: String?

    @Option(help: "MessageDeduplicationId (FIFO queues without content-based deduplication).")
    var dedup: String?

    @Option(help: "DelaySeconds, 0-900.")
    var delay: Int?

    func run() throws {
        try reportingErrors {
            let client = options.client()
            var request: [String: JSONValue] = [
                "QueueUrl": .string(try client.queueURL(queue)), "MessageBody": .string(body),
            ]
            if let group { request["MessageGroupId"] = .string(group) }
            if let dedup { request["MessageDeduplicationId"] = .string(dedup) }
            if let delay { request["DelaySeconds"] = .int(delay) }
            let result = try client.call("SendMessage", request)
            var line = result["MessageId"]?.string ?? "(no MessageId)"
            if let sequence = result["SequenceNumber"]?.string { line += "  sequence \(sequence)" }
            print(line)
        }
    }
}

/// `ferry receive`: one ReceiveMessage, optionally deleting what it got.
struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive messages (ReceiveMessage); print each one's id, receive count, receipt handle and body.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Queue name or URL.")
    var queue: String

    @Option(help: "MaxNumberOfMessages, 1-10.")
    var max = 1

    @Option(help: "WaitTimeSeconds, 0-20: long-poll this long when the queue is empty.")
    var wait = 0

    @Option(help: "VisibilityTimeout in seconds for the received messages (default: the queue's).")
    var visibility: Int?

    @Flag(help: "Delete the received messages afterwards (DeleteMessageBatch).")
    var delete = false

    func validate() throws {
        guard (1...10).contains(max) else { throw ValidationError("--max must be 1-10") }
        guard (0...20).contains(wait) else { throw ValidationError("--wait must be 0-20") }
    }

    func run() throws {
        try reportingErrors {
            let client = options.client()
            let url = try client.queueURL(queue)
            var request: [String: JSONValue] = [
                "QueueUrl": .string(url), "MaxNumberOfMessages": .int(max), "WaitTimeSeconds": .int(wait),
                "MessageSystemAttributeNames": .array([.string("ApproximateReceiveCount")]),
            ]
            if let visibility { request["VisibilityTimeout"] = .int(visibility) }
            let messages = try client.call("ReceiveMessage", request, waitSeconds: wait)["Messages"]?.array ?? []
            if messages.isEmpty { print("no messages") }
            for message in messages {
                let count = message["Attributes"]?["ApproximateReceiveCount"]?.string ?? "?"
                print("\(message["MessageId"]?.string ?? "?")  received \(count)x")
                print("  receipt: \(message["ReceiptHandle"]?.string ?? "?")")
                print("  body:    \(message["Body"]?.string ?? "")")
            }
            guard delete, !messages.isEmpty else { return }
            let entries: [JSONValue] = messages.enumerated().map { index, message in
                .object(["Id": .string("m\(index)"), "ReceiptHandle": message["ReceiptHandle"] ?? .string("")])
            }
            let result = try client.call("DeleteMessageBatch", ["QueueUrl": .string(url), "Entries": .array(entries)])
            let failed = result["Failed"]?.array ?? []
            print("deleted \(messages.count - failed.count) of \(messages.count)")
            for failure in failed {
                printError(
                    "  \(failure["Id"]?.string ?? "?"): \(failure["Code"]?.string ?? "?") \(failure["Message"]?.string ?? "")"
                )
            }
            if !failed.isEmpty { throw ExitCode(1) }
        }
    }
}

/// `ferry delete`: one DeleteMessage.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete one received message by its receipt handle (DeleteMessage).")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Queue name or URL.")
    var queue: String

    @Argument(help: "The receipt handle from `ferry receive`.")
    var receiptHandle: String

    func run() throws {
        try reportingErrors {
            let client = options.client()
            let url = try client.queueURL(queue)
            _ = try client.call("DeleteMessage", ["QueueUrl": .string(url), "ReceiptHandle": .string(receiptHandle)])
            print("deleted")
        }
    }
}
