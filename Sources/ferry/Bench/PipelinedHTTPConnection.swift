import FerryClient
import FerryRuntime
import FerrySQS

/// One keep-alive HTTP/1.1 connection with many requests in flight (pipelining): requests leave in
/// order, responses come back in the same order and are matched to the tag each request was sent
/// with. Loop thread only.
///
/// When the connection breaks, every request still in flight is reported through `onLost` (its fate
/// on the server is unknown) and the connection redials after `redialDelayMs`.
final class PipelinedHTTPConnection<Tag> {
    /// Pause before redialling a broken connection: long enough not to spin on a node that is down,
    /// short enough that a restarted node is back in the run within a progress line.
    static var redialDelayMs: UInt64 { 200 }

    let loop: EventLoop
    let endpoint: Endpoint
    /// A response, with the tag its request was sent with.
    var onResponse: ((Tag, HTTPResponse) -> Void)?
    /// A request whose response will never come (the connection broke), and why.
    var onLost: ((Tag, String) -> Void)?
    /// The connection is (again) up: requests may be sent.
    var onReady: (() -> Void)?

    private var connection: TCPConnection?
    private var parser = HTTPResponseParser()
    private var inFlightTags = FIFO<Tag>()
    private var isStopped = false
    /// Connections that broke since the start, for the report.
    private(set) var breakCount = 0

    init(loop: EventLoop, endpoint: Endpoint) {
        self.loop = loop
        self.endpoint = endpoint
    }

    /// Requests sent and not yet answered.
    var inFlight: Int { inFlightTags.count }
    /// True when connected and not pushing back (write queue below its high-water mark).
    var isReady: Bool { connection.map { $0.isWritable && !isConnecting } ?? false }
    private var isConnecting = true

    func start() { dial() }

    /// Closes for good; requests in flight are dropped without `onLost`.
    func stop() {
        isStopped = true
        onResponse = nil
        onLost = nil
        onReady = nil
        connection?.close()
        connection = nil
    }

    /// Queues one serialized request. False (nothing sent) when not ready.
    @discardableResult
    func send(_ request: [UInt8], tag: Tag) -> Bool {
        guard let connection, isReady else { return false }
        if connection.write(request) == .closed { return false }
        inFlightTags.push(tag)
        return true
    }

    private func dial() {
        guard !isStopped else { return }
        isConnecting = true
        parser = HTTPResponseParser()
        do {
            var opened: TCPConnection?
            opened = try TCPConnection.connect(loop: loop, host: endpoint.address, port: endpoint.port) {
                [weak self] error in
                guard let self, let connection = opened, error == nil else { return }
                self.isConnecting = false
                connection.startReading()
                self.onReady?()
            }
            let connection = opened!
            connection.onRead = { [weak self] bytes in self?.didRead(bytes) }
            connection.onWritable = { [weak self] in self?.onReady?() }
            connection.onClose = { [weak self, weak connection] reason in
                guard let self, let connection, self.connection === connection else { return }
                self.didBreak("\(reason)")
            }
            self.connection = connection
        } catch {
            scheduleRedial()
        }
    }

    private func didRead(_ bytes: UnsafeRawBufferPointer) {
        for event in parser.feed(bytes) {
            switch event {
            case .response(let response):
                guard let tag = inFlightTags.pop() else {
                    connection?.close(reason: .local)
                    didBreak("a response without a request")
                    return
                }
                onResponse?(tag, response)
            case .error(let error):
                connection?.close(reason: .local)
                didBreak("\(error)")
                return
            }
        }
    }

    private func didBreak(_ why: String) {
        connection = nil
        guard !isStopped else { return }
        breakCount += 1
        while let tag = inFlightTags.pop() { onLost?(tag, why) }
        scheduleRedial()
    }

    private func scheduleRedial() {
        guard !isStopped else { return }
        _ = try? loop.scheduleOnce(afterMs: Self.redialDelayMs) { [weak self] in self?.dial() }
    }
}

/// A first-in first-out queue with amortised O(1) push and pop (an array and a head index).
struct FIFO<Element> {
    private var items: [Element?] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func push(_ item: Element) { items.append(item) }

    mutating func pop() -> Element? {
        guard head < items.count else { return nil }
        let item = items[head]
        items[head] = nil
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
