/// What an SNS action answers; `SNSXMLEncoder` writes it as `<{Action}Response><{Action}Result>`.
public enum SNSResponse: Sendable, Equatable {
    public struct SubscriptionEntry: Sendable, Equatable {
        public var subscriptionArn, owner, `protocol`, endpoint, topicArn: String
        public init(subscriptionArn: String, owner: String, protocol: String, endpoint: String, topicArn: String) {
            self.subscriptionArn = subscriptionArn
            self.owner = owner
            self.protocol = `protocol`
            self.endpoint = endpoint
            self.topicArn = topicArn
        }
    }

    public struct BatchSuccess: Sendable, Equatable {
        public var id, messageId: String
        public var sequenceNumber: String?
        public init(id: String, messageId: String, sequenceNumber: String?) {
            self.id = id
            self.messageId = messageId
            self.sequenceNumber = sequenceNumber
        }
    }

    public struct BatchFailure: Sendable, Equatable {
        public var id, code, message: String
        public var senderFault: Bool
        public init(id: String, code: String, message: String, senderFault: Bool) {
            self.id = id
            self.code = code
            self.message = message
            self.senderFault = senderFault
        }
    }

    case empty(SNSAction)
    case topicArn(SNSAction, String)
    case subscriptionArn(SNSAction, String)
    case topics(arns: [String], nextToken: String?)
    case attributes(SNSAction, [String: String])
    case subscriptions(SNSAction, [SubscriptionEntry], nextToken: String?)
    case published(messageId: String, sequenceNumber: String?)
    case publishedBatch(successful: [BatchSuccess], failed: [BatchFailure])
    case tags([String: String])

    var action: SNSAction {
        switch self {
        case .empty(let a), .topicArn(let a, _), .subscriptionArn(let a, _), .attributes(let a, _),
            .subscriptions(let a, _, _):
            return a
        case .topics: return .listTopics
        case .published: return .publish
        case .publishedBatch: return .publishBatch
        case .tags: return .listTagsForResource
        }
    }
}

/// SNS query-protocol XML, as botocore's `sns` model parses it: maps as `<entry><key/><value/></entry>`, lists
/// as `<member>`, tags as `<member><Key/><Value/></member>`.
enum SNSXMLEncoder {
    static func document(_ response: SNSResponse, requestId: String) -> String {
        let action = response.action.rawValue
        var result = XMLWriter()
        body(response, into: &result)
        return XMLWriter.responseDocument(
            action: action, namespace: SNSProtocol.xmlNamespace, result: result.text,
            requestId: requestId)
    }

    static func document(_ error: SQSError, requestId: String) -> String {
        var xml = XMLWriter()
        xml.raw("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"\(SNSProtocol.xmlNamespace)\">")
        xml.element("Error") { e in
            e.element("Type", error.code.fault.rawValue)
            e.element("Code", error.code.rawValue)  // SNS has no AWS.SimpleQueueService.* legacy codes
            e.element("Message", error.message)
        }
        xml.element("RequestId", requestId)
        xml.raw("</ErrorResponse>")
        return xml.text
    }

    private static func body(_ response: SNSResponse, into x: inout XMLWriter) {
        switch response {
        case .empty: break
        case .topicArn(_, let arn): x.element("TopicArn", arn)
        case .subscriptionArn(_, let arn): x.element("SubscriptionArn", arn)
        case .topics(let arns, let nextToken):
            x.element("Topics") { t in for arn in arns { t.element("member") { $0.element("TopicArn", arn) } } }
            x.optional("NextToken", nextToken)
        case .attributes(_, let attributes):
            x.element("Attributes") { a in
                for key in attributes.keys.sorted() {
                    a.element("entry") {
                        $0.element("key", key)
                        $0.element("value", attributes[key]!)
                    }
                }
            }
        case .subscriptions(_, let entries, let nextToken):
            x.element("Subscriptions") { s in
                for entry in entries {
                    s.element("member") { m in
                        m.element("SubscriptionArn", entry.subscriptionArn)
                        m.element("Owner", entry.owner)
                        m.element("Protocol", entry.protocol)
                        m.element("Endpoint", entry.endpoint)
                        m.element("TopicArn", entry.topicArn)
                    }
                }
            }
            x.optional("NextToken", nextToken)
        case .published(let messageId, let sequenceNumber):
            x.element("MessageId", messageId)
            x.optional("SequenceNumber", sequenceNumber)
        case .publishedBatch(let successful, let failed):
            x.element("Successful") { s in
                for entry in successful {
                    s.element("member") { m in
                        m.element("Id", entry.id)
                        m.element("MessageId", entry.messageId)
                        m.optional("SequenceNumber", entry.sequenceNumber)
                    }
                }
            }
            x.element("Failed") { f in
                for entry in failed {
                    f.element("member") { m in
                        m.element("Id", entry.id)
                        m.element("Code", entry.code)
                        m.element("Message", entry.message)
                        m.element("SenderFault", entry.senderFault ? "true" : "false")
                    }
                }
            }
        case .tags(let tags):
            x.element("Tags") { t in
                for key in tags.keys.sorted() {
                    t.element("member") {
                        $0.element("Key", key)
                        $0.element("Value", tags[key]!)
                    }
                }
            }
        }
    }
}
