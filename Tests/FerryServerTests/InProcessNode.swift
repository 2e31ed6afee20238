import FerryRuntime
import Foundation
import Logging

@testable import FerrySQS
@testable import FerryServer

/// A one-node Ferry cluster in the test process: the real `Server` (durable log in a temporary directory,
/// Raft, the queue machine, `SQSService`) on its own libuv loop, with no socket. `answer` takes the bytes
/// a client would send and returns the response the node would write: HTTP parsing, SigV4 (auth off),
/// decoding, validation, the Raft proposal, its commit and apply, and the response encoding all run.
///
/// `answer` is `HTTPServer.respond`, what the server does with each request a connection parses; the
/// connection handling itself is tested with real sockets in Tests/integration.
final class InProcessNode {
    let server: Server
    let directory: String
    private var tickTimer: LoopTimer?
    /// A request not answered in this long is a hang: the node's own command timeout is 10 s.
    static let answerTimeoutMs: UInt64 = 30_000

    var loop: EventLoop { server.loop }

    /// `extraConfig`: more config-file lines (root keys).
    init(extraConfig: String = "") throws {
        directory = NSTemporaryDirectory() + "ferry-inprocess-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let text = """
            node_id = 1
            data_dir = "\(directory)"
            client_listen = "127.0.0.1:9"
            cluster_secret = "in-process-cluster-secret"
            auth = "off"
            preallocate_segments = false
            \(extraConfig)

            [peers]
            1 = "127.0.0.1:9"
            """
        let config = try ServerConfig(file: try ConfigFile(parsing: text))
        var logger = Logger(label: "ferry-inprocess")
        logger.logLevel = .critical
        server = try Server(config: config, logger: logger)
        tickTimer = try loop.scheduleRepeating(everyMs: UInt64(config.tickMs)) { [unowned self] in
            self.server.node.tick()
        }
        try runUntil(timeoutMs: Self.answerTimeoutMs) { [unowned self] done in
            let poll = try? self.loop.scheduleRepeating(everyMs: 5) {
                if self.server.node.raft.leader == self.server.config.nodeID { done() }
            }
            return { poll?.close() }
        }
    }

    deinit {
        tickTimer?.close()
        server.http.stop()
        server.loop.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct Hang: Error, CustomStringConvertible {
        var description: String { "the node did not answer within \(InProcessNode.answerTimeoutMs) ms" }
    }

    /// One HTTP/1.1 request's bytes, parsed: the request, or the answer the parser gives instead.
    enum Parsed {
        case request(HTTPRequest)
        case refused(HTTPResponse)
    }

    static func parse(_ bytes: [UInt8]) -> Parsed {
        var parser = HTTPRequestParser()
        for event in parser.feed(bytes) {
            switch event {
            case .sendContinue: continue
            case .error(let error): return .refused(error.response)
            case .request(let parsed): return .request(parsed)
            }
        }
        return .refused(HTTPResponse(status: 0, body: Array("incomplete request".utf8)))
    }

    /// The node's answer to `bytes`, one HTTP/1.1 request.
    func answer(_ bytes: [UInt8]) throws -> HTTPResponse {
        let request: HTTPRequest
        switch Self.parse(bytes) {
        case .request(let parsed): request = parsed
        case .refused(let response): return response
        }
        var response: HTTPResponse?
        try runUntil(timeoutMs: Self.answerTimeoutMs) { [unowned self] done in
            self.server.http.respond(to: request, clientGone: { false }) { answered in
                response = answered
                done()
            }
            return {}
        }
        return response!
    }

    /// The bytes of a JSON-protocol request.
    static func jsonRequestBytes(_ action: String, _ members: [String: JSONValue]) -> [UInt8] {
        let body = JSONWriter.serialize(.object(members))
        let head =
            "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            + "X-Amz-Target: AmazonSQS.\(action)\r\nContent-Length: \(body.count)\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// A JSON-protocol request: the status and the parsed body.
    func json(_ action: String, _ members: [String: JSONValue]) throws -> (status: Int, body: [String: JSONValue]) {
        let response = try answer(Self.jsonRequestBytes(action, members))
        guard case .object(let object) = try JSONParser.parse(response.body) else { return (response.status, [:]) }
        return (response.status, object)
    }

    /// Runs the loop until `start`'s `done` is called (from a loop callback), or throws `Hang`. `start`
    /// runs on the loop and returns what to clean up afterwards.
    func runUntil(timeoutMs: UInt64, _ start: @escaping (_ done: @escaping () -> Void) -> (() -> Void)) throws {
        var finished = false
        var cleanup: () -> Void = {}
        let done = { [unowned self] in
            guard !finished else { return }
            finished = true
            self.loop.stop()
        }
        let kickoff = try loop.scheduleOnce(afterMs: 0) { cleanup = start(done) }
        let watchdog = try loop.scheduleOnce(afterMs: timeoutMs) { [unowned self] in self.loop.stop() }
        loop.run()
        kickoff.close()
        watchdog.close()
        cleanup()
        guard finished else { throw Hang() }
    }
}
