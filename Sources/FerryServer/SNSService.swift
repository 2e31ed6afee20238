import FerryNode
import FerryQueue
import FerrySQS

/// The SNS operations over the replicated machine (docs/sns-wire.md), beside SQS on every node: the same
/// shape as `SQSService` (validate at the edge, one command or one linearizable read, map the result), and
/// its `submit`/`read`. Loop thread only.
final class SNSService {
    typealias Respond = (Result<SNSResponse, SQSError>) -> Void
    unowned let sqs: SQSService
    var accountId: String { sqs.accountId }
    var region: String { sqs.config.region }

    init(sqs: SQSService) {
        self.sqs = sqs
    }

    func handle(_ query: SNSQuery, caller: AuthenticatedCaller, respond: @escaping Respond) {
        guard caller.accountId == accountId else {
            return respond(
                .failure(
                    SQSError(
                        .accessDenied,
                        "Access to the resource is denied: this cluster serves account \(accountId) only.")))
        }
        do throws(SQSError) {
            switch query.action {
            case .createTopic: try createTopic(query, respond)
            case .deleteTopic:
                let name = try topicName(query.required("TopicArn"))
                submit(.deleteTopic(name: name), respond) { _ in .empty(.deleteTopic) }
            case .listTopics:
                read(respond) { machine in
                    let page = machine.listTopics(nextToken: query.optional("NextToken"))
                    return .success(.topics(arns: page.arns, nextToken: page.nextToken))
                }
            case .getTopicAttributes:
                let name = try topicName(query.required("TopicArn"))
                read(respond) { machine in
                    machine.getTopicAttributes(name).map { .attributes(.getTopicAttributes, Self.dictionary($0)) }
                        .mapError(SQSErrorMapping.map)
                }
            case .setTopicAttributes:
                let name = try topicName(query.required("TopicArn"))
                let attribute = try query.required("AttributeName")
                let value = query.optional("AttributeValue") ?? ""
                submit(.setTopicAttribute(name: name, attribute: attribute, value: value), respond) { _ in
                    .empty(.setTopicAttributes)
                }
            case .subscribe: try subscribe(query, respond)
            case .unsubscribe:
                let arn = try subscriptionArn(query)
                submit(.unsubscribe(subscriptionArn: arn), respond) { _ in .empty(.unsubscribe) }
            case .confirmSubscription: try confirmSubscription(query, respond)
            case .listSubscriptions, .listSubscriptionsByTopic: try listSubscriptions(query, respond)
            case .getSubscriptionAttributes:
                let arn = try subscriptionArn(query)
                read(respond) { machine in
                    machine.getSubscriptionAttributes(arn).map {
                        .attributes(.getSubscriptionAttributes, Self.dictionary($0))
                    }
                    .mapError(SQSErrorMapping.map)
                }
            case .setSubscriptionAttributes:
                let arn = try subscriptionArn(query)
                let attribute = try query.required("AttributeName")
                let value = query.optional("AttributeValue") ?? ""
                submit(.setSubscriptionAttribute(subscriptionArn: arn, attribute: attribute, value: value), respond) {
                    _ in
                    .empty(.setSubscriptionAttributes)
                }
            case .publish: try publish(query, respond)
            case .publishBatch: try publishBatch(query, respond)
            case .tagResource: try tagResource(query, respond)
            case .untagResource:
                let name = try resourceName(query.required("ResourceArn"))
                submit(.untagTopic(name: name, keys: query.list("TagKeys").sorted()), respond) { _ in
                    .empty(.untagResource)
                }
            case .listTagsForResource:
                let name = try resourceName(query.required("ResourceArn"))
                read(respond) { machine in
                    machine.listTopicTags(name).map { .tags(Self.dictionary($0)) }.mapError(SQSErrorMapping.map)
                }
            }
        } catch {
            respond(.failure(error))
        }
    }

    // MARK: - Topics and subscriptions

    private func listSubscriptions(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        let topic = query.action == .listSubscriptionsByTopic ? try topicName(query.required("TopicArn")) : nil
        read(respond) { machine in
            machine.listSubscriptions(topicName: topic, nextToken: query.optional("NextToken"))
                .map { page in
                    .subscriptions(
                        query.action,
                        page.subscriptions.map {
                            SNSResponse.SubscriptionEntry(
                                subscriptionArn: $0.subscriptionArn, owner: $0.owner,
                                protocol: $0.protocol, endpoint: $0.endpoint, topicArn: $0.topicArn)
                        }, nextToken: page.nextToken)
                }
                .mapError(SQSErrorMapping.map)
        }
    }

    private func tagResource(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        let name = try resourceName(query.required("ResourceArn"))
        let pairs = try Self.tags(query)
        guard !pairs.isEmpty else { throw SQSError(.invalidParameter, "Invalid parameter: Tags") }
        if let error = SQSService.validate({ try TopicValidation.validateTags(pairs) }) { throw error }
        submit(.tagTopic(name: name, tags: pairs), respond) { _ in .empty(.tagResource) }
    }

    private func createTopic(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        let name = try query.required("Name")
        let attributes = SQSService.sortedPairs(query.map("Attributes"))
        let tags = try Self.tags(query)
        let isFifo = attributes.contains { $0.key == "FifoTopic" && $0.value.lowercased() == "true" }
        if let error = SQSService.validate({
            try TopicValidation.validateTopicName(name, isFifo: isFifo)
            try TopicValidation.validateTags(tags)
        }) {
            throw error
        }
        submit(.createTopic(name: name, attributes: attributes, tags: tags), respond) { result in
            guard case .topicCreated(let arn) = result else { return nil }
            return .topicArn(.createTopic, arn)
        }
    }

    /// Protocol `sqs` to a queue of this cluster's account; every other protocol is refused as AWS refuses
    /// an unknown one (Ferry delivers to its own queues only).
    private func subscribe(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        let name = try topicName(query.required("TopicArn"))
        let protocolName = try query.required("Protocol")
        guard protocolName == "sqs" else {
            throw SQSError(
                .invalidParameter,
                "Invalid parameter: Amazon SNS does not support this protocol string: \(protocolName)")
        }
        let endpoint = try query.required("Endpoint")
        guard let arn = QueueARN(endpoint), arn.accountId == accountId, arn.region == region else {
            throw SQSError(.invalidParameter, "Invalid parameter: SQS endpoint ARN")
        }
        let attributes = SQSService.sortedPairs(query.map("Attributes"))
        submit(.subscribe(topicName: name, endpoint: endpoint, attributes: attributes), respond) { result in
            guard case .subscribed(let arn) = result else { return nil }
            return .subscriptionArn(.subscribe, arn)
        }
    }

    /// SQS subscriptions of the same account are confirmed at Subscribe, so no token is ever issued: every
    /// token is one AWS did not send, "Invalid parameter: Token" whether or not the topic exists; an ARN that
    /// names no topic is "Invalid parameter: Topic" (recorded: test_sns_confirm_subscription_wrong_token,
    /// test_subscribe_external_http_endpoint).
    private func confirmSubscription(_ query: SNSQuery, _ respond: @escaping Respond) throws(SQSError) {
        guard let arn = TopicARN(try query.required("TopicArn")), arn.subscriptionId == nil, arn.region == region else {
            throw SQSError(.invalidParameter, "Invalid parameter: Topic")
        }
        _ = try query.required("Token")
        throw SQSError(.invalidParameter, "Invalid parameter: Token")
    }

    // MARK: - Helpers

    /// Tagging: topics only (SQS queues are tagged with TagQueue).
    private func resourceName(_ text: String) throws(SQSError) -> String {
        guard let arn = TopicARN(text), arn.subscriptionId == nil, arn.accountId == accountId, arn.region == region
        else {
            throw SQSError(.resourceNotFound, "Resource does not exist")
        }
        return arn.topicName
    }

    func submit(_ command: TopicCommand, _ respond: @escaping Respond, _ body: @escaping (QueueResult) -> SNSResponse?)
    {
        sqs.submit(.topic(command), respond) { result in
            if case .failed(let error) = result { return .failure(SQSErrorMapping.map(error)) }
            guard let response = body(result) else {
                return .failure(SQSError(.internalFailure, "unexpected queue machine result \(result)"))
            }
            return .success(response)
        }
    }

    func read(_ respond: @escaping Respond, _ body: @escaping (QueueMachine) -> Result<SNSResponse, SQSError>) {
        sqs.read(respond, body)
    }

    static func dictionary(_ pairs: [KeyValue]) -> [String: String] { SQSService.dictionary(pairs) }
}
