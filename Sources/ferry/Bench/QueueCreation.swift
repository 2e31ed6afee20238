import FerryClient
import FerryRuntime
import FerrySQS

#if canImport(Glibc)
import Glibc
#endif

/// Creates a run's queues before it starts, with CreateQueue requests pipelined over a few connections so the
/// leader commits many per log write: one at a time, each waited for its own commit, and 10,000 queues took
/// 85 s on the local three-node cluster. CreateQueue is idempotent (same name, same attributes), so a request
/// lost with its connection or answered 5xx is sent again, up to `attemptsMax` times. Loop thread only.
final class QueueCreation {
    static let connections = 4
    static let pipelineDepth = 32
    static let attemptsMax = 5
    /// Pause before a connection sends again after a 5xx (no leader yet).
    static let retryPauseMs: UInt64 = 100

    private let loop: EventLoop
    private let framing: SQSRequestFraming
    private let names: [String]
    /// The CreateQueue body's members besides QueueName, serialized (`,"Attributes":{…}` or empty).
    private let attributesJSON: [UInt8]
    private var urls: [String?]
    private var attempts: [Int]
    /// Indices of `names` still to send, next first.
    private var pending: FIFO<Int>
    private var created = 0
    private var connections: [PipelinedHTTPConnection<Int>] = []
    private var failure: CLIError?

    private init(loop: EventLoop, framing: SQSRequestFraming, names: [String], attributes: [String: JSONValue]) {
        self.loop = loop
        self.framing = framing
        self.names = names
        var members = JSONWriter.serialize(.object(attributes))
        members.removeFirst()  // "{"
        members.removeLast()  // "}"
        attributesJSON = members.isEmpty ? [] : [UInt8(ascii: ",")] + members
        urls = Array(repeating: nil, count: names.count)
        attempts = Array(repeating: 0, count: names.count)
        pending = FIFO()
        for index in names.indices { pending.push(index) }
    }

    /// The QueueUrl of each of `names`, in order; throws the first CreateQueue error that is not a 5xx, or the
    /// last one once a queue's attempts are used up.
    static func create(
        _ names: [String], attributes: [String: JSONValue], endpoint: Endpoint, signer: SigV4Signer?
    ) throws(CLIError) -> [String] {
        let loop: EventLoop
        do { loop = try EventLoop() } catch { throw CLIError.transport("event loop: \(error)") }
        let creation = QueueCreation(
            loop: loop, framing: SQSRequestFraming(host: endpoint.hostHeader, signer: signer), names: names,
            attributes: attributes)
        creation.run(endpoint: endpoint)
        loop.shutdown()
        if let failure = creation.failure { throw failure }
        return creation.urls.map { $0! }
    }

    private func run(endpoint: Endpoint) {
        for _ in 0..<min(Self.connections, names.count) {
            let connection = PipelinedHTTPConnection<Int>(loop: loop, endpoint: endpoint)
            connection.onReady = { [unowned self, unowned connection] in self.fill(connection) }
            connection.onResponse = { [unowned self, unowned connection] index, response in
                self.didAnswer(index, response, on: connection)
            }
            connection.onLost = { [unowned self] index, why in
                self.retry(index, CLIError.transport("CreateQueue \(self.names[index]): connection lost (\(why))"))
            }
            connections.append(connection)
        }
        for connection in connections { connection.start() }
        loop.run()
        for connection in connections { connection.stop() }
    }

    private func fill(_ connection: PipelinedHTTPConnection<Int>) {
        while failure == nil, connection.isReady, connection.inFlight < Self.pipelineDepth, let index = pending.pop() {
            var body = Array("{\"QueueName\":".utf8)
            BenchRequests.appendJSONString(names[index], to: &body)
            body += attributesJSON
            body.append(UInt8(ascii: "}"))
            attempts[index] += 1
            guard
                connection.send(framing.frame(operation: "CreateQueue", body: body, now: Int64(time(nil))), tag: index)
            else {
                attempts[index] -= 1
                pending.push(index)
                return
            }
        }
    }

    private func didAnswer(_ index: Int, _ response: HTTPResponse, on connection: PipelinedHTTPConnection<Int>) {
        guard response.status == 200 else {
            let error = SQSClient.error(from: response)
            guard response.status >= 500 else { return stop(error) }
            retry(index, error)
            _ = try? loop.scheduleOnce(afterMs: Self.retryPauseMs) { [weak self, weak connection] in
                if let self, let connection { self.fill(connection) }
            }
            return
        }
        guard let url = (try? JSONParser.parse(response.body))?["QueueUrl"]?.string else {
            return stop(.badResponse("CreateQueue without QueueUrl"))
        }
        if urls[index] == nil { created += 1 }
        urls[index] = url
        if created == names.count { return loop.stop() }
        fill(connection)
    }

    private func retry(_ index: Int, _ error: CLIError) {
        guard attempts[index] < Self.attemptsMax else { return stop(error) }
        pending.push(index)
    }

    private func stop(_ error: CLIError) {
        guard failure == nil else { return }
        failure = error
        loop.stop()
    }
}
