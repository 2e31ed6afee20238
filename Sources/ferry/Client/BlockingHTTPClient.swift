import FerryClient
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// One keep-alive HTTP/1.1 connection on a blocking socket, one request at a time: enough for the
/// CLI's one-shot commands (the benchmark uses the event-loop client in Bench/).
final class BlockingHTTPClient {
    /// Bound on the TCP connect: a node that does not answer within this is down or unreachable.
    static let connectTimeoutSeconds = 3
    /// Read timeout on top of what the request itself may wait for (a long poll's WaitTimeSeconds):
    /// a healthy node answers within a Raft round trip, so 10 s of silence means it is stuck.
    static let readTimeoutMarginSeconds = 10

    let endpoint: Endpoint
    /// Signs every request when set (a cluster with auth = "sigv4").
    let signer: SigV4Signer?
    private var socket: Int32 = -1
    private var parser = HTTPResponseParser()

    init(endpoint: Endpoint, signer: SigV4Signer? = nil) {
        self.endpoint = endpoint
        self.signer = signer
    }

    deinit { disconnect() }

    /// Sends one request and waits for its response. Reconnects once if a kept-alive connection
    /// turns out to be closed before any byte of the response arrived.
    func send(
        method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        waitSeconds: Int = 0
    ) throws(CLIError) -> HTTPResponse {
        let sent =
            signer?.headers(method: method, target: path, host: endpoint.hostHeader, headers: headers, body: body)
            ?? headers
        let request = Self.serialize(method: method, path: path, host: endpoint.hostHeader, headers: sent, body: body)
        let reused = socket >= 0
        do {
            return try exchange(request, method: method, waitSeconds: waitSeconds)
        } catch {
            disconnect()
            guard reused else { throw error }
            return try exchange(request, method: method, waitSeconds: waitSeconds)
        }
    }

    static func serialize(
        method: String, path: String, host: String, headers: [(String, String)],
        body: [UInt8]
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    private func exchange(_ request: [UInt8], method: String, waitSeconds: Int) throws(CLIError) -> HTTPResponse {
        if socket < 0 { try connect() }
        try setReadTimeout(seconds: waitSeconds + Self.readTimeoutMarginSeconds)
        try writeAll(request)
        if method == "HEAD" { parser.expectNoBody() }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            let events: [HTTPResponseParser.Event]
            if count > 0 {
                events = parser.feed(buffer[..<count])
            } else if count == 0 {
                events = parser.finish()
                if events.isEmpty { throw .transport("\(endpoint) closed the connection") }
            } else {
                let why = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : String(cString: strerror(errno))
                throw .transport("reading from \(endpoint): \(why)")
            }
            for event in events {
                switch event {
                case .response(let response):
                    if response.headers["Connection"]?.lowercased() == "close" || count == 0 { disconnect() }
                    return response
                case .error(let error):
                    throw .transport("\(endpoint): \(error)")
                }
            }
        }
    }

    private func connect() throws(CLIError) {
        let family = endpoint.address.contains(":") ? AF_INET6 : AF_INET
        let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .transport("socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: Self.connectTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var status: Int32
        if family == AF_INET6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = endpoint.port.bigEndian
            inet_pton(AF_INET6, endpoint.address, &address.sin6_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = endpoint.port.bigEndian
            inet_pton(AF_INET, endpoint.address, &address.sin_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard status == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw .transport("cannot connect to \(endpoint): \(why)")
        }
        socket = fd
        parser = HTTPResponseParser()
    }

    private func setReadTimeout(seconds: Int) throws(CLIError) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        guard setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw .transport("setsockopt: \(String(cString: strerror(errno)))")
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(CLIError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw .transport("writing to \(endpoint): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    func disconnect() {
        if socket >= 0 { close(socket) }
        socket = -1
    }
}
