import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// A node's HTTP address, `http://host:port`. The host is resolved once, to an IPv4 or IPv6 literal,
/// because the event-loop client dials literals only.
struct Endpoint: Equatable, CustomStringConvertible, ExpressibleByArgument {
    /// The node's default SQS port (what `Scripts/cluster-up` gives node 1, and ElasticMQ's default).
    static let sqsPortDefault: UInt16 = 9324

    /// As the user wrote it, without a trailing slash (used for the Host header and messages).
    let text: String
    /// The name or address after `http://`.
    let host: String
    let port: UInt16
    /// `host` resolved to a numeric address.
    let address: String

    var description: String { text }
    /// The Host header value: `host:port`, as a browser would send it.
    var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    init?(argument: String) {
        try? self.init(parsing: argument)
    }

    init(parsing raw: String) throws(CLIError) {
        var rest = Substring(raw)
        while rest.hasSuffix("/") { rest.removeLast() }
        text = String(rest)
        if rest.hasPrefix("https://") { throw .usage("\(raw): https is not supported; use http://") }
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        if rest.contains("/") { throw .usage("\(raw): an endpoint has no path; expected http://host:port") }
        var hostPart = rest
        var portPart: Substring = ""
        if rest.hasPrefix("[") {  // [::1]:9324
            guard let close = rest.firstIndex(of: "]") else { throw .usage("\(raw): unclosed [") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw .usage("\(raw): no host; expected http://host:port") }
        host = String(hostPart)
        if portPart.isEmpty {
            port = Self.sqsPortDefault
        } else {
            guard let value = UInt16(portPart), value > 0 else { throw .usage("\(raw): bad port \(portPart)") }
            port = value
        }
        address = try Self.resolve(host)
    }

    /// Numeric address for `host` (getaddrinfo; literals pass through).
    static func resolve(_ host: String) throws(CLIError) -> String {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else {
            throw .usage("cannot resolve host \(host)")
        }
        defer { freeaddrinfo(result) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard
            getnameinfo(
                first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count),
                nil, 0, NI_NUMERICHOST) == 0
        else {
            throw .usage("cannot resolve host \(host)")
        }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `a,b,c` into endpoints, in order.
    static func list(_ raw: String) throws(CLIError) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for part in raw.split(separator: ",") where !part.trimmingCharacters(in: " ").isEmpty {
            endpoints.append(try Endpoint(parsing: part.trimmingCharacters(in: " ")))
        }
        if endpoints.isEmpty { throw .usage("no endpoint in \"\(raw)\"") }
        return endpoints
    }
}

extension StringProtocol {
    /// Drops leading and trailing characters in `set` (no Foundation in this tool).
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
