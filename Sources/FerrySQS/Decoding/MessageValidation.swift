/// Checks on a message that need no queue state (docs/sqs-wire.md, "Operations", "Message limits"). The queue's own
/// MaximumMessageSize, FIFO rules (MessageGroupId required, no per-message delay) and
/// deduplication are the queue engine's.
public enum MessageValidation {
    /// Body characters SQS accepts ("Operations"): #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// The first scalar `isAllowed` refuses, in one pass over the UTF-8 bytes. A Swift String is valid
    /// UTF-8, so it holds no surrogates and nothing past U+10FFFF; what is left to refuse is the C0
    /// controls other than tab, LF and CR (single bytes) and U+FFFE / U+FFFF (EF BF BE, EF BF BF).
    public static func firstDisallowed(in text: String) -> Unicode.Scalar? {
        var text = text
        let clean = text.withUTF8 { bytes -> Bool in
            guard let base = bytes.baseAddress else { return true }
            // Eight bytes at a time: a word needs the bytewise look only when a lane is below 0x20 or equals
            // 0xEF (exact bit tricks, no false negatives), so plain text costs about a byte a cycle.
            let ones: UInt64 = 0x0101_0101_0101_0101
            let raw = UnsafeRawPointer(base)
            var i = 0
            while i < bytes.count {
                if i + 8 <= bytes.count {
                    let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let ef = word ^ (ones &* 0xEF)
                    if (((word &- ones &* 0x20) & ~word) | ((ef &- ones) & ~ef)) & 0x8080_8080_8080_8080 == 0 {
                        i += 8
                        continue
                    }
                }
                let end = min(i + 8, bytes.count)
                while i < end {
                    let byte = base[i]
                    if byte < 0x20 {
                        if byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
                    } else if byte == 0xEF, i + 2 < bytes.count, base[i + 1] == 0xBF, base[i + 2] >= 0xBE {
                        return false
                    }
                    i += 1
                }
            }
            return true
        }
        if clean { return nil }
        return text.unicodeScalars.first { !isAllowed($0) }
    }

    /// Body plus attribute names, types and values, in bytes ("Message limits"). AWSTraceHeader does not count.
    public static func sizeBytes(of message: OutgoingMessage) -> Int {
        var size = message.body.utf8.count
        for (name, value) in message.messageAttributes {
            size += name.utf8.count + value.dataType.utf8.count
            size += value.stringValue?.utf8.count ?? 0
            size += value.binaryValue?.count ?? 0
        }
        return size
    }

    public static func validate(_ message: OutgoingMessage) throws(SQSError) {
        if message.body.isEmpty { throw .missingParameter("MessageBody") }
        if let bad = firstDisallowed(in: message.body) {
            throw SQSError(
                .invalidMessageContents,
                "Invalid binary character '#x\(String(bad.value, radix: 16, uppercase: true))' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
            )
        }
        if let delay = message.delaySeconds, !(0...SQSLimits.delaySecondsMax).contains(delay) {
            throw .invalidParameter(
                "DelaySeconds", value: String(delay),
                "Must be between 0 and \(SQSLimits.delaySecondsMax), if provided.")
        }
        try validateAttributes(message.messageAttributes)
        try validateSystemAttributes(message.messageSystemAttributes)
        for (name, id) in [
            ("MessageGroupId", message.messageGroupId),
            ("MessageDeduplicationId", message.messageDeduplicationId),
        ] {
            if let id { try validateFifoId(id, name: name) }
        }
        let size = sizeBytes(of: message)
        if size > SQSLimits.messageBytesMax {
            throw SQSError(
                .invalidParameterValue,
                "One or more parameters are invalid. Reason: Message must be shorter than \(SQSLimits.messageBytesMax) bytes."
            )
        }
    }

    /// MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId: 1-128 characters,
    /// alphanumeric and punctuation `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~` (docs/sqs-wire.md, "Operations").
    public static func validateFifoId(_ id: String, name: String) throws(SQSError) {
        let ok =
            !id.isEmpty && id.utf8.count <= SQSLimits.fifoIdCharsMax
            && id.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
        if !ok {
            throw .invalidParameter(
                name, value: id,
                "\(name) can only include alphanumeric and punctuation characters. 1 to 128 in length.")
        }
    }

    static func validateAttributes(_ attributes: [String: MessageAttributeValue]) throws(SQSError) {
        if attributes.count > SQSLimits.messageAttributesMax {
            throw SQSError(
                .invalidParameterValue,
                "Number of message attributes [\(attributes.count)] exceeds the allowed maximum [\(SQSLimits.messageAttributesMax)]."
            )
        }
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            try validateAttributeName(name)
            try validateAttributeValue(name, value)
        }
    }

    /// Names ("Message limits"): ≤256 of `[A-Za-z0-9_.-]`, no `AWS.`/`Amazon.` prefix in any case, no leading,
    /// trailing or doubled `.`.
    static func validateAttributeName(_ name: String) throws(SQSError) {
        let lower = name.lowercased()
        let charsOK = name.utf8.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
        }
        let ok =
            !name.isEmpty && name.utf8.count <= SQSLimits.messageAttributeNameCharsMax && charsOK
            && !lower.hasPrefix("aws.") && !lower.hasPrefix("amazon.")
            && !name.hasPrefix(".") && !name.hasSuffix(".") && !name.contains("..")
        if !ok {
            throw SQSError(.invalidParameterValue, "Message attribute name '\(name)' is invalid.")
        }
    }

    static func validateAttributeValue(_ name: String, _ value: MessageAttributeValue) throws(SQSError) {
        let base = value.dataType.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let labelOK = !value.dataType.contains(".") || value.dataType.split(separator: ".", maxSplits: 1).count == 2
        guard ["String", "Number", "Binary"].contains(base), labelOK, value.dataType.utf8.count <= 256 else {
            throw SQSError(
                .invalidParameterValue,
                "The type of message (user) attribute '\(name)' is invalid. You must use only the following supported type prefixes: Binary, Number, String."
            )
        }
        switch (value.stringValue, value.binaryValue) {
        case (let s?, nil):
            guard base != "Binary" else {
                throw SQSError(
                    .invalidParameterValue,
                    "Message (user) attribute '\(name)' with type 'Binary' must use field 'Binary'.")
            }
            guard !s.isEmpty else {
                throw SQSError(
                    .invalidParameterValue,
                    "Message (user) attribute '\(name)' must contain a non-empty value of type '\(base)'.")
            }
            if firstDisallowed(in: s) != nil {
                throw SQSError(
                    .invalidParameterValue, "Message (user) attribute '\(name)' contains an invalid character.")
            }
            if base == "Number", Double(s) == nil {
                throw SQSError(
                    .invalidParameterValue, "Can't cast the value of message (user) attribute '\(name)' to a number.")
            }
        case (nil, let b?):
            guard base == "Binary" else {
                throw SQSError(
                    .invalidParameterValue,
                    "Message (user) attribute '\(name)' with type '\(base)' must use field 'String'.")
            }
            guard !b.isEmpty else {
                throw SQSError(
                    .invalidParameterValue,
                    "Message (user) attribute '\(name)' must contain a non-empty value of type 'Binary'.")
            }
        case (nil, nil):
            throw SQSError(
                .invalidParameterValue,
                "The message attribute '\(name)' must contain a non-empty message attribute value.")
        case (.some, .some):
            throw SQSError(
                .invalidParameterValue,
                "Message (user) attribute '\(name)' must have exactly one of StringValue or BinaryValue.")
        }
    }

    /// Only `AWSTraceHeader`, of type String (docs/sqs-wire.md, "Operations").
    static func validateSystemAttributes(_ attributes: [String: MessageAttributeValue]) throws(SQSError) {
        for (name, value) in attributes {
            guard name == "AWSTraceHeader" else {
                throw SQSError(.invalidParameterValue, "Message system attribute name '\(name)' is invalid.")
            }
            guard value.dataType == "String", let s = value.stringValue, !s.isEmpty, value.binaryValue == nil else {
                throw SQSError(
                    .invalidParameterValue, "Message system attribute 'AWSTraceHeader' must be a non-empty String.")
            }
        }
    }

    /// Batch entry ids (docs/sqs-wire.md, "Operations"): 1-80 of `[A-Za-z0-9_-]`, distinct; 1-10 entries.
    static func validateBatch(ids: [String], entryName: String) throws(SQSError) {
        if ids.isEmpty {
            throw SQSError(.emptyBatchRequest, "There should be at least one \(entryName) in the request.")
        }
        if ids.count > SQSLimits.batchEntriesMax {
            throw SQSError(
                .tooManyEntriesInBatchRequest,
                "Maximum number of entries per request are \(SQSLimits.batchEntriesMax). You have sent \(ids.count).")
        }
        for (position, id) in ids.enumerated() {
            let ok =
                !id.isEmpty && id.utf8.count <= SQSLimits.batchEntryIdCharsMax
                && id.utf8.allSatisfy { b in
                    (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                        || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
                }
            if !ok {
                throw SQSError(
                    .invalidBatchEntryId,
                    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most \(SQSLimits.batchEntryIdCharsMax) letters long."
                )
            }
            // At most ten ids: comparing with the earlier ones is cheaper than hashing them into a Set.
            if ids[..<position].contains(id) {
                throw SQSError(.batchEntryIdsNotDistinct, "Id \(id) repeated.")
            }
        }
    }

    /// Queue names ("Operations"): 1-80 of `[A-Za-z0-9_-]`, with an optional `.fifo` suffix counted in the 80.
    public static func validateQueueName(_ name: String) throws(SQSError) {
        let stem = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        let ok =
            !stem.isEmpty && name.utf8.count <= SQSLimits.queueNameCharsMax
            && stem.utf8.allSatisfy { b in
                (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                    || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            }
        if !ok {
            throw SQSError(
                .invalidParameterValue,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
        }
    }
}
