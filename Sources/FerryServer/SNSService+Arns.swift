import FerryQueue
import FerrySQS

/// Topic and subscription ARNs as request parameters, refused with AWS's words (recorded by LocalStack against
/// AWS: test_publish_wrong_arn_format, test_unsubscribe_wrong_arn_format, test_cross_region_access,
/// test_publish_non_existent_target).
extension SNSService {
    /// The topic a TopicArn (or Publish's TargetArn) names in this cluster's account and region. Another
    /// region's topic is an invalid parameter, as AWS answers; another account's is not here (NotFound).
    func topicName(_ text: String, parameter: String = "TopicArn") throws(SQSError) -> String {
        try Self.requireArnElements(text, parameter: parameter)
        if parameter == "TargetArn", text.split(separator: ":").last?.contains("/") == true {
            // A platform application endpoint (`endpoint/APNS/...`): Ferry has none.
            throw SQSError(
                .invalidParameter, "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
            )
        }
        guard let arn = TopicARN(text), arn.subscriptionId == nil else {
            throw SQSError(.invalidParameter, "Invalid parameter: \(parameter)")
        }
        guard arn.region == region else { throw SQSError(.invalidParameter, "Invalid parameter: \(parameter)") }
        guard arn.accountId == accountId else { throw SQSError(.notFound, "Topic does not exist") }
        return arn.topicName
    }

    /// A SubscriptionArn parameter: present, at least six elements, and a seventh (the subscription id).
    func subscriptionArn(_ query: SNSQuery) throws(SQSError) -> String {
        guard let text = query.optional("SubscriptionArn"), !text.isEmpty else {
            throw SQSError(
                .invalidParameter, "Invalid parameter: SubscriptionArn Reason: no value for required parameter")
        }
        try Self.requireArnElements(text, parameter: "SubscriptionArn")
        guard TopicARN(text)?.subscriptionId != nil else {
            throw SQSError(.invalidParameter, "Invalid parameter: SubscriptionId")
        }
        return text
    }

    static func requireArnElements(_ text: String, parameter: String) throws(SQSError) {
        let elements = text.split(separator: ":", omittingEmptySubsequences: false).count
        guard elements >= 6 else {
            throw SQSError(
                .invalidParameter,
                "Invalid parameter: \(parameter) Reason: An ARN must have at least 6 elements, not \(elements)")
        }
    }

    /// Tags from `Tags.member.N.Key/Value`; a key given twice is refused (recorded: test_tags).
    static func tags(_ query: SNSQuery) throws(SQSError) -> [KeyValue] {
        var tags: [String: String] = [:]
        for member in query.members("Tags") {
            let key = member.optional("Key") ?? ""
            guard tags.updateValue(member.optional("Value") ?? "", forKey: key) == nil else {
                throw SQSError(.invalidParameter, "Invalid parameter: Duplicated keys are not allowed.")
            }
        }
        return SQSService.sortedPairs(tags)
    }
}
