/// The SNS actions Ferry serves (docs/sns-wire.md, "Operations").
public enum SNSAction: String, Sendable, CaseIterable {
    case createTopic = "CreateTopic"
    case deleteTopic = "DeleteTopic"
    case listTopics = "ListTopics"
    case getTopicAttributes = "GetTopicAttributes"
    case setTopicAttributes = "SetTopicAttributes"
    case subscribe = "Subscribe"
    case unsubscribe = "Unsubscribe"
    case confirmSubscription = "ConfirmSubscription"
    case listSubscriptions = "ListSubscriptions"
    case listSubscriptionsByTopic = "ListSubscriptionsByTopic"
    case getSubscriptionAttributes = "GetSubscriptionAttributes"
    case setSubscriptionAttributes = "SetSubscriptionAttributes"
    case publish = "Publish"
    case publishBatch = "PublishBatch"
    case tagResource = "TagResource"
    case untagResource = "UntagResource"
    case listTagsForResource = "ListTagsForResource"
}

/// One SNS query-protocol request: its action and flat parameters (`Attributes.entry.1.key=...`), read with
/// typed accessors that answer AWS's errors for missing or malformed members. SNS speaks only the query
/// protocol (botocore's `sns` model), so there is no JSON form.
public struct SNSQuery: Sendable {
    public let action: SNSAction
    public let parameters: [String: String]

    /// Flattened members one request may carry: PublishBatch's 10 entries of 10 attributes of 4 fields is
    /// about 460; anything far beyond is refused rather than stored.
    public static let parametersMax = 1_000

    public init(action: SNSAction, parameters: [String: String]) {
        self.action = action
        self.parameters = parameters
    }

    public func optional(_ name: String) -> String? { parameters[name] }

    public func required(_ name: String) throws(SQSError) -> String {
        guard let value = parameters[name] else {
            throw SQSError(.invalidParameter, "Invalid parameter: \(name)")
        }
        return value
    }

    /// `prefix.entry.N.key` / `prefix.entry.N.value` (SNS's maps), in index order; the last of a repeated key wins.
    public func map(
        _ prefix: String, key: String = "key", value: String = "value", entry: String = "entry"
    ) -> [String: String] {
        var out: [String: String] = [:]
        for index in indices(of: "\(prefix).\(entry).") {
            guard let k = parameters["\(prefix).\(entry).\(index).\(key)"] else { continue }
            out[k] = parameters["\(prefix).\(entry).\(index).\(value)"] ?? ""
        }
        return out
    }

    /// `prefix.member.N` values in index order.
    public func list(_ prefix: String) -> [String] {
        indices(of: "\(prefix).member.").compactMap { parameters["\(prefix).member.\($0)"] }
    }

    /// `prefix.member.N.*` as sub-queries, in index order (PublishBatch entries; `entry` for attribute maps).
    public func members(_ prefix: String, member: String = "member") -> [SNSQuery] {
        let head = "\(prefix).\(member)."
        return indices(of: head).map { index in
            let inner = "\(head)\(index)."
            var sub: [String: String] = [:]
            for (name, value) in parameters where name.hasPrefix(inner) {
                sub[String(name.dropFirst(inner.count))] = value
            }
            return SNSQuery(action: action, parameters: sub)
        }
    }

    /// Positive list positions that occur after `head`, sorted.
    private func indices(of head: String) -> [Int] {
        var found = Set<Int>()
        for name in parameters.keys where name.hasPrefix(head) {
            let rest = name.dropFirst(head.count)
            if let index = Int(rest.prefix { $0 != "." }), index > 0 { found.insert(index) }
        }
        return found.sorted()
    }
}

/// SNS requests arrive on the SQS port: told apart by the signing scope's service, or without SigV4 by the action.
public enum SNSProtocol {
    public static let xmlNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"

    /// True when the request is for SNS: signed for service `sns`, or unsigned with an SNS action.
    public static func isSNS(_ request: HTTPRequest) -> Bool {
        isSNS(request, authorization: PresentedAuthorization(request))
    }

    /// `isSNS(_:)` with the Authorization header already parsed.
    public static func isSNS(_ request: HTTPRequest, authorization: PresentedAuthorization) -> Bool {
        if let service = authorization.service { return service == "sns" }
        guard SQSProtocol.wireProtocol(of: request) == .query, let pairs = formPairs(request) else { return false }
        guard let action = pairs.last(where: { $0.0 == "Action" })?.1 else { return false }
        return SNSAction(rawValue: action) != nil
    }

    public static func decode(_ request: HTTPRequest) throws(SQSError) -> SNSQuery {
        guard let pairs = formPairs(request) else {
            throw SQSError(.invalidParameterValue, "The request body is not correctly form-encoded.")
        }
        guard pairs.count <= SNSQuery.parametersMax else {
            throw SQSError(
                .invalidParameter, "Invalid parameter: too many parameters (at most \(SNSQuery.parametersMax))")
        }
        guard let actionName = pairs.last(where: { $0.0 == "Action" })?.1, !actionName.isEmpty else {
            throw SQSError(.missingAction, "The request must contain the parameter Action.")
        }
        guard let action = SNSAction(rawValue: actionName) else {
            throw SQSError(.invalidAction, "The action \(actionName) is not valid for this endpoint.")
        }
        var parameters: [String: String] = [:]
        for (name, value) in pairs { parameters[name] = value }
        return SNSQuery(action: action, parameters: parameters)
    }

    private static func formPairs(_ request: HTTPRequest) -> [(String, String)]? {
        guard var pairs = FormDecoding.pairs(request.query) else { return nil }
        if !request.body.isEmpty {
            guard let text = String(validating: request.body, as: UTF8.self), let body = FormDecoding.pairs(text) else {
                return nil
            }
            pairs += body
        }
        return pairs
    }

    public static func encode(_ response: SNSResponse, requestId: String) -> HTTPResponse {
        SQSProtocol.make(
            status: 200, contentType: SQSProtocol.xmlContentType, requestId: requestId,
            body: Array(SNSXMLEncoder.document(response, requestId: requestId).utf8))
    }

    public static func encode(_ error: SQSError, requestId: String) -> HTTPResponse {
        SQSProtocol.make(
            status: error.code.status, contentType: SQSProtocol.xmlContentType, requestId: requestId,
            body: Array(SNSXMLEncoder.document(error, requestId: requestId).utf8))
    }
}
