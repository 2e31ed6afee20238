import Histogram

/// Counters and latency histograms of one run. Latencies are in microseconds.
struct BenchStats {
    /// Highest latency a histogram tracks: one minute, far above any request that did not time out.
    static let latencyMicrosMax: UInt64 = 60_000_000

    /// Per SendMessageBatch request: from the request's write to its response.
    var sendLatency = BenchStats.histogram()
    /// The same, for the answers since the last progress line (warm-up included): shows whether slow sends
    /// come together (a disk stall, a snapshot, an election) or are spread over the run.
    var sendLatencySinceProgress = BenchStats.histogram()
    /// Per message: from its send to its first receive.
    var endToEndLatency = BenchStats.histogram()
    /// Per ReceiveMessage that returned messages.
    var receiveLatency = BenchStats.histogram()

    /// Messages acknowledged / first received inside the measurement window (after the warm-up).
    var sentMeasured = 0
    var consumedMeasured = 0
    /// Requests answered, for the report.
    var sendRequests = 0
    var receiveRequests = 0
    var emptyReceives = 0
    var deleteRequests = 0
    var deletedMessages = 0
    /// Errors by SQS code (or a transport reason), counted per request or per failed batch entry.
    var errors: [String: Int] = [:]

    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: latencyMicrosMax,
            numberOfSignificantValueDigits: .three)
    }

    mutating func countError(_ code: String, _ count: Int = 1) {
        errors[code, default: 0] += count
    }

    var errorCount: Int { errors.values.reduce(0, +) }

    static func record(_ histogram: inout Histogram<UInt64>, nanos: UInt64) {
        _ = histogram.record(min(max(nanos / 1000, 1), latencyMicrosMax))
    }
}
