/// Queue URLs and ARNs (docs/sqs-wire.md, "Queue URLs"): `{advertised base}/{account}/{name}` and
/// `arn:aws:sqs:{region}:{account}:{name}`. The base must be the same whichever node answers,
/// so it comes from configuration, never from the request's Host.
public struct QueueAddressing: Sendable, Equatable {
    /// `scheme://host:port[/prefix]`, without a trailing slash.
    public let advertisedBase: String
    public let region: String

    public init(advertisedBase: String, region: String = "us-east-1") {
        var base = advertisedBase
        while base.hasSuffix("/") { base.removeLast() }
        self.advertisedBase = base
        self.region = region
    }

    public func url(account: String, queueName: String) -> String {
        "\(advertisedBase)/\(account)/\(queueName)"
    }

    public func arn(account: String, queueName: String) -> String {
        "arn:aws:sqs:\(region):\(account):\(queueName)"
    }
}

/// A queue named by URL or ARN, parsed back.
public struct QueueAddress: Sendable, Equatable {
    public var account: String
    public var queueName: String

    public init(account: String, queueName: String) {
        self.account = account
        self.queueName = queueName
    }

    /// Accepts any host (clients keep URLs from other nodes, load balancers, even
    /// `sqs.us-east-1.amazonaws.com`) and any path prefix: the last two path segments are
    /// `{account}/{queue}`. Also accepts the bare legacy path form `/{account}/{queue}` used when
    /// .NET and Java v1 send requests to the queue URL itself ("Query protocol"). A query or fragment is
    /// ignored. nil when there are fewer than two segments or the name is not a legal queue name.
    public static func parse(url: String) -> QueueAddress? {
        var url = url
        if let parsed = url.withUTF8({ parseASCII($0) }) { return parsed }
        return parseGeneral(url: url)
    }

    /// `parse(url:)` for the usual URL: ASCII, without percent escapes, naming a legal queue. nil for
    /// anything else, which `parseGeneral` then decides. On ASCII text a Character is a byte, so searching
    /// bytes finds what the Character-level search finds.
    static func parseASCII(_ url: UnsafeBufferPointer<UInt8>) -> QueueAddress? {
        guard !url.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "%") }) else { return nil }
        var start = 0
        var end = url.count
        if let schemeEnd = firstIndex(of: "://", in: url) {
            guard let slash = url[(schemeEnd + 3)...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
            start = slash
        }
        if let cut = url[start...].firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            end = cut
        }
        // The last two non-empty segments of url[start..<end].
        var segments: [Range<Int>] = []
        var i = end
        while i > start, segments.count < 2 {
            while i > start, url[i - 1] == UInt8(ascii: "/") { i -= 1 }
            let segmentEnd = i
            while i > start, url[i - 1] != UInt8(ascii: "/") { i -= 1 }
            if i < segmentEnd { segments.append(i..<segmentEnd) }
        }
        guard segments.count == 2 else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: url[segments[0]]), as: UTF8.self)
        let account = String(decoding: UnsafeBufferPointer(rebasing: url[segments[1]]), as: UTF8.self)
        guard (try? MessageValidation.validateQueueName(name)) != nil else { return nil }
        return QueueAddress(account: account, queueName: name)
    }

    static func firstIndex(of needle: StaticString, in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        needle.withUTF8Buffer { needle in
            guard haystack.count >= needle.count else { return nil }
            for i in 0...(haystack.count - needle.count)
            where haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            return nil
        }
    }

    static func parseGeneral(url: String) -> QueueAddress? {
        var rest = Substring(url)
        if let schemeEnd = rest.range(of: "://") {
            rest = rest[schemeEnd.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            rest = rest[slash...]
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        let segments = rest.split(separator: "/")
        guard segments.count >= 2 else { return nil }
        guard let name = FormDecoding.percentDecode(segments[segments.count - 1], plusIsSpace: false),
            let account = FormDecoding.percentDecode(segments[segments.count - 2], plusIsSpace: false),
            !account.isEmpty, (try? MessageValidation.validateQueueName(name)) != nil
        else { return nil }
        return QueueAddress(account: account, queueName: name)
    }

    /// `arn:aws:sqs:{region}:{account}:{name}` (any partition). nil otherwise.
    public static func parse(arn: String) -> (region: String, address: QueueAddress)? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == "sqs", !parts[4].isEmpty,
            (try? MessageValidation.validateQueueName(parts[5])) != nil
        else { return nil }
        return (parts[3], QueueAddress(account: parts[4], queueName: parts[5]))
    }
}
