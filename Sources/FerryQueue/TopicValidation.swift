/// Stateless checks on topic requests, run at the edge (so bad input costs no log entry) and again by the
/// machine (a command in the log may come from any version of the edge).
public enum TopicValidation {
    struct CreateSettings {
        var isFifo: Bool
        var contentBasedDeduplication: Bool
        var stored: [String: String]
    }

    /// Stored and echoed; Ferry has no IAM, KMS or X-Ray to apply them with (docs/sns-wire.md, "Operations").
    static let storedAttributes: Set<String> = [
        "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId",
        "SignatureVersion", "TracingConfig",
    ]
    /// Refused as unsupported: archiving and replay of FIFO topics.
    static let refusedAttributes: Set<String> = ["ArchivePolicy", "FifoThroughputScope"]

    public static func validateTopicName(_ name: String, isFifo: Bool) throws(QueueError) {
        let base = isFifo && name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        let valid =
            !base.isEmpty && name.utf8.count <= TopicLimits.topicNameCharactersMax
            && base.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D
                    || c == 0x5F
            }
        guard valid else {
            throw .snsInvalid(
                isFifo
                    ? "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                    : "Topic Name")
        }
    }

    static func validateCreate(
        name: String, attributes: [KeyValue], tags: [KeyValue]
    ) throws(QueueError) -> CreateSettings {
        var settings = CreateSettings(isFifo: false, contentBasedDeduplication: false, stored: [:])
        for pair in attributes {
            switch pair.key {
            case "FifoTopic": settings.isFifo = try boolean(pair)
            case "ContentBasedDeduplication": settings.contentBasedDeduplication = try boolean(pair)
            case let key where storedAttributes.contains(key):
                if key == "DisplayName", pair.value.count > 100 {
                    throw .snsInvalid("DisplayName")
                }
                settings.stored[key] = pair.value
            case let key where refusedAttributes.contains(key):
                throw .snsInvalid("Attributes Reason: \(key) is not supported by Ferry")
            default:
                throw .snsInvalid("Attributes Reason: Unknown attribute \(pair.key)")
            }
        }
        if name.hasSuffix(".fifo") != settings.isFifo {
            throw .snsInvalid(
                settings.isFifo
                    ? "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
                    : "Topic Name")
        }
        try validateTopicName(name, isFifo: settings.isFifo)
        if settings.contentBasedDeduplication && !settings.isFifo {
            throw .snsInvalid("Attributes Reason: ContentBasedDeduplication is only valid for FIFO topics")
        }
        try validateTags(tags)
        return settings
    }

    static func validateSet(attribute: String, value: String, isFifo: Bool) throws(QueueError) {
        switch attribute {
        case "ContentBasedDeduplication":
            guard isFifo else { throw .snsInvalid("AttributeName") }
            _ = try boolean(KeyValue(attribute, value))
        case "DisplayName":
            guard value.count <= 100 else { throw .snsInvalid("DisplayName") }
        case let key where storedAttributes.contains(key): break
        case let key where refusedAttributes.contains(key):
            throw .snsInvalid("\(key) is not supported by Ferry")
        default: throw .snsInvalid("AttributeName")
        }
    }

    public static func validateTags(_ tags: [KeyValue]) throws(QueueError) {
        guard tags.count <= TopicLimits.tagsPerTopicMax else {
            throw QueueError(.tagLimitExceeded, "Could not complete request: tag quota of per resource exceeded")
        }
        for tag in tags {
            guard !tag.key.isEmpty, tag.key.count <= 128, tag.value.count <= 256 else {
                throw .snsInvalid("Tags Reason: Tag keys are 1 to 128 characters and values at most 256")
            }
        }
    }

    private static func boolean(_ pair: KeyValue) throws(QueueError) -> Bool {
        switch pair.value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .snsInvalid("Attributes Reason: \(pair.key) must be true or false")
        }
    }
}
