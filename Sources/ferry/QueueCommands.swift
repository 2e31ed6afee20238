import ArgumentParser
import FerrySQS

/// Options every SQS command shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "The node to send requests to (any node serves; followers forward to the leader).")
    var endpoint: Endpoint = .localDefault

    func client() -> SQSClient { SQSClient(endpoint: endpoint) }
}

/// `ferry queue …`: create, list and delete queues.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Create, list and delete queues.",
        subcommands: [QueueCreate.self, QueueList.self, QueueDelete.self])
}

struct QueueCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a queue (CreateQueue) and print its URL.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Queue name: 1-80 of A-Z a-z 0-9 - _; a FIFO queue's name ends in .fifo (added if missing).")
    var name: String

    @Flag(help: "Create a FIFO queue (sets FifoQueue=true).")
    var fifo = false

    @Option(
        name: .customLong("attribute"), parsing: .singleValue,
        help: "A queue attribute as K=V, e.g. VisibilityTimeout=60; repeat for several.")
    var attributes: [String] = []

    func run() throws {
        try reportingErrors {
            var queueName = name
            var pairs: [String: JSONValue] = [:]
            for attribute in attributes {
                guard let equals = attribute.firstIndex(of: "="), equals != attribute.startIndex else {
                    throw CLIError.usage("--attribute \(attribute): expected K=V")
                }
                pairs[String(attribute[..<equals])] = .string(String(attribute[attribute.index(after: equals)...]))
            }
            if fifo {
                pairs["FifoQueue"] = .string("true")
                if !queueName.hasSuffix(".fifo") { queueName += ".fifo" }
            }
            var request: [String: JSONValue] = ["QueueName": .string(queueName)]
            if !pairs.isEmpty { request["Attributes"] = .object(pairs) }
            let result = try options.client().call("CreateQueue", request)
            print(result["QueueUrl"]?.string ?? "(no QueueUrl in the response)")
        }
    }
}

struct QueueList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List queue URLs (ListQueues, every page).")

    @OptionGroup var options: ClientOptions

    @Option(help: "Only queues whose name starts with this prefix.")
    var prefix: String?

    /// Page size asked for: ListQueues' maximum (docs/sqs-wire.md, "Operations"), so large clusters take few round
    /// trips.
    static let pageResultsMax = 1000

    func run() throws {
        try reportingErrors {
            let client = options.client()
            var token: String?
            repeat {
                var request: [String: JSONValue] = ["MaxResults": .int(Self.pageResultsMax)]
                if let prefix { request["QueueNamePrefix"] = .string(prefix) }
                if let token { request["NextToken"] = .string(token) }
                let result = try client.call("ListQueues", request)
                for url in result["QueueUrls"]?.array ?? [] { print(url.string ?? "\(url)") }
                token = result["NextToken"]?.string
            } while token != nil
        }
    }
}

struct QueueDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a queue and every message in it (DeleteQueue).")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Queue name or URL.")
    var queue: String

    func run() throws {
        try reportingErrors {
            let client = options.client()
            let url = try client.queueURL(queue)
            _ = try client.call("DeleteQueue", ["QueueUrl": .string(url)])
            print("deleted \(url)")
        }
    }
}
