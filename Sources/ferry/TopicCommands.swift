import ArgumentParser
import FerrySQS
import Foundation

/// `ferry topic …`: create, list and delete SNS topics (docs/sns-wire.md).
struct TopicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic", abstract: "Create, list and delete SNS topics.",
        subcommands: [TopicCreate.self, TopicList.self, TopicDelete.self])
}

struct TopicCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a topic and print its ARN.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Topic name: 1-256 of A-Z a-z 0-9 - _; a FIFO topic's name ends in .fifo (added if missing).")
    var name: String

    @Flag(help: "Create a FIFO topic.")
    var fifo = false

    @Flag(help: "FIFO only: derive deduplication ids from the message (ContentBasedDeduplication).")
    var contentBasedDeduplication = false

    func run() throws {
        try reportingErrors {
            var topicName = name
            var attributes: [(String, String)] = []
            if fifo {
                if !topicName.hasSuffix(".fifo") { topicName += ".fifo" }
                attributes.append(("FifoTopic", "true"))
            }
            if contentBasedDeduplication { attributes.append(("ContentBasedDeduplication", "true")) }
            var parameters = [("Name", topicName)]
            for (index, (key, value)) in attributes.enumerated() {
                parameters += [
                    ("Attributes.entry.\(index + 1).key", key), ("Attributes.entry.\(index + 1).value", value),
                ]
            }
            let xml = try SNSClient(endpoint: options.endpoint).call("CreateTopic", parameters)
            print(SNSClient.values("TopicArn", in: xml).first ?? "(no TopicArn in the response)")
        }
    }
}

struct TopicList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List topic ARNs (every page).")

    @OptionGroup var options: ClientOptions

    func run() throws {
        try reportingErrors {
            let client = SNSClient(endpoint: options.endpoint)
            var token: String?
            repeat {
                let xml = try client.call("ListTopics", token.map { [("NextToken", $0)] } ?? [])
                for arn in SNSClient.values("TopicArn", in: xml) { print(arn) }
                token = SNSClient.values("NextToken", in: xml).first
            } while token != nil
        }
    }
}

struct TopicDelete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a topic and its subscriptions.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Topic ARN.")
    var topicArn: String

    func run() throws {
        try reportingErrors {
            _ = try SNSClient(endpoint: options.endpoint).call("DeleteTopic", [("TopicArn", topicArn)])
        }
    }
}

/// `ferry subscribe TOPIC QUEUE`: subscribes a queue (by name, URL or ARN) to a topic (by ARN or name).
struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe", abstract: "Subscribe a queue to a topic and print the subscription ARN.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Topic ARN or name.")
    var topic: String

    @Argument(help: "Queue name, URL or ARN.")
    var queue: String

    @Flag(help: "Deliver the message itself, not the JSON envelope (RawMessageDelivery).")
    var raw = false

    @Option(help: "A filter policy (JSON) on the message attributes.")
    var filterPolicy: String?

    func run() throws {
        try reportingErrors {
            let sns = SNSClient(endpoint: options.endpoint)
            let topicArn = try sns.topicArn(topic)
            var endpoint = queue
            if !queue.hasPrefix("arn:") {
                let sqs = options.client()
                let url = try sqs.queueURL(queue)
                let result = try sqs.call(
                    "GetQueueAttributes", ["QueueUrl": .string(url), "AttributeNames": .array([.string("QueueArn")])])
                guard let arn = result["Attributes"]?["QueueArn"]?.string else {
                    throw CLIError.badResponse("no QueueArn")
                }
                endpoint = arn
            }
            var attributes: [(String, String)] = []
            if raw { attributes.append(("RawMessageDelivery", "true")) }
            if let filterPolicy { attributes.append(("FilterPolicy", filterPolicy)) }
            var parameters = [("TopicArn", topicArn), ("Protocol", "sqs"), ("Endpoint", endpoint)]
            for (index, (key, value)) in attributes.enumerated() {
                parameters += [
                    ("Attributes.entry.\(index + 1).key", key), ("Attributes.entry.\(index + 1).value", value),
                ]
            }
            let xml = try sns.call("Subscribe", parameters)
            print(SNSClient.values("SubscriptionArn", in: xml).first ?? "(no SubscriptionArn in the response)")
        }
    }
}

/// `ferry publish TOPIC MESSAGE`.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish a message and print its MessageId.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "Topic ARN or name.")
    var topic: String

    @Argument(help: "The message.")
    var message: String

    @Option(help: "Subject line.")
    var subject: String?

    @Option(help: "FIFO topics: the message group.")
    var groupId: String?

    @Option(help: "FIFO topics: the deduplication id.")
    var deduplicationId: String?

    @Option(
        name: .customLong("attribute"), parsing: .singleValue,
        help: "A String message attribute as K=V; repeat for several.")
    var attributes: [String] = []

    func run() throws {
        try reportingErrors {
            let sns = SNSClient(endpoint: options.endpoint)
            var parameters = [("TopicArn", try sns.topicArn(topic)), ("Message", message)]
            if let subject { parameters.append(("Subject", subject)) }
            if let groupId { parameters.append(("MessageGroupId", groupId)) }
            if let deduplicationId { parameters.append(("MessageDeduplicationId", deduplicationId)) }
            for (index, attribute) in attributes.enumerated() {
                guard let equals = attribute.firstIndex(of: "="), equals != attribute.startIndex else {
                    throw CLIError.usage("--attribute \(attribute): expected K=V")
                }
                let prefix = "MessageAttributes.entry.\(index + 1)"
                parameters += [
                    ("\(prefix).Name", String(attribute[..<equals])), ("\(prefix).Value.DataType", "String"),
                    ("\(prefix).Value.StringValue", String(attribute[attribute.index(after: equals)...])),
                ]
            }
            let xml = try sns.call("Publish", parameters)
            print(SNSClient.values("MessageId", in: xml).first ?? "(no MessageId in the response)")
        }
    }
}
