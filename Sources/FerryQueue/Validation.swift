/// Checks that need no state, so the API layer can reject bad input before proposing it through Raft. The
/// machine runs them again when it applies (replicas must not trust a proposer running other code).
public enum QueueValidation {
    /// docs/sqs-wire.md, "Operations": 1-80 characters of `[A-Za-z0-9_-]`, optionally ending in `.fifo` (counted in the
    /// 80).
    public static func validateQueueName(_ name: String) throws {
        let base = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        guard !base.isEmpty, name.utf8.count <= QueueLimits.queueNameCharactersMax,
            base.utf8.allSatisfy(isNameByte)
        else {
            throw QueueError.invalidParameter(
                "QueueName",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.")
        }
    }

    /// The queue's effective attributes after a CreateQueue; checks that `.fifo` and FifoQueue agree.
    public static func validateCreate(name: String, attributes: [KeyValue], tags: [KeyValue]) throws -> QueueAttributes
    {
        try validateQueueName(name)
        try QueueAttributes.checkOneEncryption(attributes)
        let parsed = try QueueAttributes().applying(attributes.map { ($0.key, $0.value) }, creating: true)
        if parsed.isFifo != name.hasSuffix(".fifo") {
            throw QueueError.invalidParameter(
                "QueueName",
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                    + "must end with .fifo suffix; a standard queue's name must not.")
        }
        try validateTags(tags, queueName: name)
        return parsed
    }

    /// At most 50 tags per queue, in the words moto's AWS-checked tests use (not recorded by LocalStack; see
    /// docs/sqs-compatibility.md).
    public static func validateTags(_ tags: [KeyValue], queueName: String) throws {
        guard tags.count <= QueueLimits.tagsPerQueueMax else {
            throw QueueError(.invalidParameterValue, "Too many tags added for queue \(queueName).")
        }
        for tag in tags {
            guard !tag.key.isEmpty, tag.key.count <= QueueLimits.tagKeyCharactersMax,
                tag.value.count <= QueueLimits.tagValueCharactersMax
            else {
                throw QueueError.invalidParameter("Tags", "Tag keys are 1-128 characters, values at most 256.")
            }
        }
    }

    /// Batch-level checks for SendMessageBatch, DeleteMessageBatch and ChangeMessageVisibilityBatch.
    public static func validateBatchIds(_ ids: [String]) throws {
        guard !ids.isEmpty else {
            throw QueueError(.emptyBatchRequest, "There should be at least one entry in the request.")
        }
        guard ids.count <= QueueLimits.batchEntriesMax else {
            throw QueueError(
                .tooManyEntriesInBatchRequest,
                "Maximum number of entries per request are \(QueueLimits.batchEntriesMax). You have sent \(ids.count).")
        }
        for id in ids {
            guard !id.isEmpty, id.utf8.count <= QueueLimits.batchEntryIdCharactersMax, id.utf8.allSatisfy(isNameByte)
            else {
                throw QueueError(
                    .invalidBatchEntryId,
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long."
                )
            }
        }
        guard allDistinct(ids) else {
            throw QueueError(.batchEntryIdsNotDistinct, "Two or more batch entries in the request have the same Id.")
        }
    }

    /// For the at most ten ids of a batch, comparing pairs is cheaper than hashing them into a Set (every
    /// replica runs this on every batch it applies).
    static func allDistinct(_ ids: [String]) -> Bool {
        for i in ids.indices {
            for j in ids.indices where j > i && ids[i] == ids[j] { return false }
        }
        return true
    }

    /// SendMessageBatch's whole-request checks: the ids, and the 1 MiB total payload.
    public static func validateSendBatch(_ entries: [SendEntry]) throws {
        try validateBatchIds(entries.map(\.id))
        let total = entries.reduce(0) { $0 + $1.sizeBytes }
        guard total <= QueueLimits.batchBytesMax else {
            throw QueueError(
                .batchRequestTooLong,
                "Batch requests cannot be longer than \(QueueLimits.batchBytesMax) bytes. You have sent \(total) bytes."
            )
        }
    }

    /// One message's state-independent checks: body characters, attributes, delay, FIFO id syntax. What the
    /// machine runs on every send it applies: a command from the log is input like any other.
    public static func validateSendEntry(_ entry: SendEntry) throws {
        try validateMessageBody(entry.body)
        try validateSendEntryExceptBody(entry)
    }

    /// A body is not empty and holds XML 1.0 characters only.
    public static func validateMessageBody(_ body: [UInt8]) throws {
        guard !body.isEmpty else {
            throw QueueError(.missingParameter, "The request must contain the parameter MessageBody.")
        }
        guard isValidMessageText(body) else {
            throw QueueError(
                .invalidMessageContents,
                "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
            )
        }
    }

    /// `validateSendEntry` after `validateMessageBody`, in the same order, for an edge that holds proof the
    /// body passed the same rules already (FerrySQS builds a `SendMessageRequest` only after its own body check,
    /// which refuses exactly what `validateMessageBody` refuses, with SQS's wording): it spares the edge a
    /// second pass over the body. The machine still runs the whole of `validateSendEntry`.
    public static func validateSendEntryExceptBody(_ entry: SendEntry) throws {
        guard entry.sizeBytes <= QueueLimits.messageBytesMax else {
            throw QueueError.messageTooLong(maximumBytes: QueueLimits.messageBytesMax)
        }
        if let delay = entry.delaySeconds, !(0...QueueLimits.delaySecondsMax).contains(delay) {
            throw QueueError.invalidParameter("DelaySeconds", "must be 0-\(QueueLimits.delaySecondsMax).")
        }
        try validateMessageAttributes(entry.attributes)
        if let trace = entry.awsTraceHeader {
            guard !trace.isEmpty, trace.utf8.count <= QueueLimits.traceHeaderBytesMax,
                isValidMessageText(Array(trace.utf8))
            else {
                throw QueueError.invalidParameter(
                    "AWSTraceHeader", "must be 1-\(QueueLimits.traceHeaderBytesMax) valid characters.")
            }
        }
        if let group = entry.messageGroupId { try validateFifoId("MessageGroupId", group) }
        if let dedup = entry.messageDeduplicationId { try validateFifoId("MessageDeduplicationId", dedup) }
    }

    public static func validateMessageAttributes(_ attributes: [MessageAttribute]) throws {
        guard attributes.count <= QueueLimits.messageAttributesMax else {
            throw QueueError.invalidParameter(
                "MessageAttributes",
                "Number of message attributes [\(attributes.count)] exceeds the allowed maximum [\(QueueLimits.messageAttributesMax)]."
            )
        }
        guard allDistinct(attributes.map(\.name)) else {
            throw QueueError.invalidParameter("MessageAttributes", "Message attribute names must be unique.")
        }
        for attribute in attributes {
            try validateAttributeName(attribute.name)
            try validateAttributeValue(attribute)
        }
    }

    /// docs/sqs-wire.md, "Message limits": `[A-Za-z0-9_.-]`, at most 256, no `AWS.`/`Amazon.` prefix, no leading,
    /// trailing or double dot.
    static func validateAttributeName(_ name: String) throws {
        guard isValidAttributeName(name.utf8) else {
            throw QueueError.invalidParameter("MessageAttributeName", "Message attribute name '\(name)' is invalid.")
        }
    }

    /// One pass over the bytes, no copies: every replica checks every attribute of every message it applies.
    static func isValidAttributeName(_ bytes: String.UTF8View) -> Bool {
        let dot = UInt8(ascii: ".")
        guard !bytes.isEmpty, bytes.count <= QueueLimits.messageAttributeNameCharactersMax else { return false }
        var previous = dot  // so that a leading dot reads as a double one
        for byte in bytes {
            guard isNameByte(byte) || byte == dot, !(byte == dot && previous == dot) else { return false }
            previous = byte
        }
        return previous != dot && !startsIgnoringCase(bytes, with: "aws.")
            && !startsIgnoringCase(bytes, with: "amazon.")
    }

    /// For name bytes only (`[A-Za-z0-9_.-]`): setting bit 0x20 lower-cases a letter and leaves `.`, digits, `-` be.
    private static func startsIgnoringCase(_ bytes: String.UTF8View, with lowercasePrefix: StaticString) -> Bool {
        guard bytes.count >= lowercasePrefix.utf8CodeUnitCount else { return false }
        return lowercasePrefix.withUTF8Buffer { prefix in
            zip(bytes, prefix).allSatisfy { byte, expected in byte | 0x20 == expected }
        }
    }

    static func validateAttributeValue(_ attribute: MessageAttribute) throws {
        let type = attribute.dataType
        let base = AttributeDataType.base(type)
        guard type.utf8.count <= QueueLimits.messageAttributeTypeCharactersMax,
            base == "String" || base == "Number" || base == "Binary",
            type.utf8.count == base.utf8.count || type.utf8.count > base.utf8.count + 1
        else {
            throw QueueError.invalidParameter(
                "MessageAttributes", "The type of message attribute '\(attribute.name)' is invalid.")
        }
        switch (base, attribute.value) {
        case ("Binary", .binary(let b)):
            guard !b.isEmpty else { throw emptyValue(attribute.name) }
        case ("String", .string(let s)):
            guard !s.isEmpty else { throw emptyValue(attribute.name) }
            guard isValidMessageText(Array(s.utf8)) else {
                throw QueueError(
                    .invalidMessageContents, "Invalid characters in message attribute '\(attribute.name)'.")
            }
        case ("Number", .string(let s)):
            guard isNumber(s) else {
                throw QueueError.invalidParameter(
                    "MessageAttributes", "Can't cast the value of message attribute '\(attribute.name)' to a number.")
            }
        default:
            throw QueueError.invalidParameter(
                "MessageAttributes", "Message attribute '\(attribute.name)' value does not match its type \(type).")
        }
    }

    /// MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: 1-128 of ASCII 0x21-0x7E.
    public static func validateFifoId(_ parameter: String, _ value: String) throws {
        guard !value.isEmpty, value.utf8.count <= QueueLimits.fifoIdCharactersMax,
            value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7e })
        else {
            throw QueueError.invalidParameter(
                parameter,
                "\(parameter) can only include alphanumeric and punctuation characters. 1 to 128 in length.")
        }
    }

    public static func validateReceive(_ request: ReceiveRequest) throws {
        guard (1...QueueLimits.batchEntriesMax).contains(request.maxMessages) else {
            throw QueueError.invalidParameter(
                "MaxNumberOfMessages", "must be between 1 and \(QueueLimits.batchEntriesMax).")
        }
        if let timeout = request.visibilityTimeoutSeconds { try validateVisibilityTimeout(timeout) }
        if let attempt = request.receiveRequestAttemptId { try validateFifoId("ReceiveRequestAttemptId", attempt) }
    }

    public static func validateWaitTime(_ seconds: Int) throws {
        guard (0...QueueLimits.waitTimeSecondsMax).contains(seconds) else {
            throw QueueError.invalidParameter("WaitTimeSeconds", "must be 0-\(QueueLimits.waitTimeSecondsMax).")
        }
    }

    public static func validateVisibilityTimeout(_ seconds: Int) throws {
        guard (0...QueueLimits.visibilityTimeoutSecondsMax).contains(seconds) else {
            throw QueueError.invalidParameter(
                "VisibilityTimeout",
                "must be between 0 and \(QueueLimits.visibilityTimeoutSecondsMax).")
        }
    }

    /// XML 1.0 characters only (docs/sqs-wire.md, "Operations"), and valid UTF-8.
    public static func isValidMessageText(_ bytes: [UInt8]) -> Bool {
        switch asciiVerdict(bytes) {
        case .valid: return true
        case .invalid: return false
        case .notAscii: break
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let ok =
                v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v)
                || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
            if !ok { return false }
        }
        return true
    }

    private enum AsciiVerdict { case valid, invalid, notAscii }

    /// One pass, on every send and every fan-out copy: an ASCII byte is valid unless it is a control character
    /// other than tab, line feed and carriage return. Eight bytes at a time (SWAR): a word with a high bit set
    /// is not ASCII; one with a lane below 0x20 (every SNS envelope has line feeds) is judged byte by byte.
    private static func asciiVerdict(_ bytes: [UInt8]) -> AsciiVerdict {
        func judge(_ byte: UInt8) -> AsciiVerdict {
            if byte >= 0x80 { return .notAscii }
            if byte < 0x20 && byte != 0x9 && byte != 0xA && byte != 0xD { return .invalid }
            return .valid
        }
        return bytes.withUnsafeBytes { raw -> AsciiVerdict in
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            // With no high bit set, nonzero exactly when some lane is below 0x20.
            func lanesBelowSpace(_ v: UInt64) -> UInt64 { (v &- ones &* 0x20) & ~v & highs }
            var offset = 0
            // 32 bytes a step while whole blocks remain: four words judged together (a 1 KiB body is 32 steps).
            // A block with a high bit is not ASCII, whatever else is in it: the caller then checks every scalar.
            while offset + 32 <= raw.count {
                let a = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                let b = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
                let c = raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)
                let d = raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)
                if (a | b | c | d) & highs != 0 { return .notAscii }
                if lanesBelowSpace(a) | lanesBelowSpace(b) | lanesBelowSpace(c) | lanesBelowSpace(d) != 0 {
                    for k in offset..<offset + 32 where judge(raw[k]) == .invalid { return .invalid }
                }
                offset += 32
            }
            while offset + 8 <= raw.count {
                let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                if v & highs != 0 { return .notAscii }
                if lanesBelowSpace(v) != 0 {
                    for k in offset..<offset + 8 where judge(raw[k]) == .invalid { return .invalid }
                }
                offset += 8
            }
            while offset < raw.count {
                let verdict = judge(raw[offset])
                if verdict != .valid { return verdict }
                offset += 1
            }
            return .valid
        }
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    private static func emptyValue(_ name: String) -> QueueError {
        QueueError.invalidParameter("MessageAttributes", "Message attribute '\(name)' must contain a non-empty value.")
    }

    /// A decimal number: optional sign, digits, optional fraction, optional exponent.
    private static func isNumber(_ s: String) -> Bool {
        var bytes = Array(s.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let intPart = bytes.prefix(while: isDigit)
        bytes = bytes.dropFirst(intPart.count)
        var fraction = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fraction = bytes.prefix(while: isDigit).count
            bytes = bytes.dropFirst(fraction)
        }
        guard intPart.count + fraction > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                bytes = bytes.dropFirst()
            }
            let exp = bytes.prefix(while: isDigit).count
            guard exp > 0 else { return false }
            bytes = bytes.dropFirst(exp)
        }
        return bytes.isEmpty
    }
}
