import FerrySQS
import Prometheus

/// The SQS API's figures: requests by operation and outcome, latency by operation, bytes in and out.
/// Label values come only from closed sets (the operations, the SQS error codes, "ok", "unknown"), never
/// from what a client sent, so no client can grow the series count. Loop thread only.
final class RequestMetrics {
    private final class Operation {
        let name: String
        let seconds: ValueHistogram
        /// nil for "unknown": a request refused before decoding never succeeds.
        let ok: Counter?
        /// Made on first use: most operations only ever see a few of the error codes.
        var failures: [SQSErrorCode: Counter] = [:]

        init(name: String, registry: MetricRegistry, canSucceed: Bool = true) {
            self.name = name
            seconds = registry.histogram(MetricCatalog.sqsRequestSeconds, name)
            ok = canSucceed ? registry.counter(MetricCatalog.sqsRequests, name, "ok") : nil
        }
    }

    private let registry: MetricRegistry
    private var operations: [SQSOperation: Operation] = [:]
    /// Requests refused before their operation was known (signature, decoding).
    private let unknown: Operation
    let receivedBytes: Counter
    let sentBytes: Counter

    init(registry: MetricRegistry) {
        self.registry = registry
        for operation in SQSOperation.allCases {
            operations[operation] = Operation(name: operation.rawValue, registry: registry)
        }
        unknown = Operation(name: "unknown", registry: registry, canSucceed: false)
        receivedBytes = registry.counter(MetricCatalog.httpReceivedBytes)
        sentBytes = registry.counter(MetricCatalog.httpSentBytes)
    }

    /// One request answered: `operation` nil when it was refused before decoding, `failure` nil on success;
    /// `startedNs` from `RuntimeEnvironment.monotonicNowNs()`.
    func answered(_ operation: SQSOperation?, failure: SQSErrorCode?, startedNs: UInt64) {
        let entry = operation.flatMap { operations[$0] } ?? unknown
        entry.seconds.record(Double(RuntimeEnvironment.monotonicNowNs() &- startedNs) / 1e9)
        guard let failure else { return entry.ok?.increment() ?? () }
        if let counter = entry.failures[failure] { return counter.increment() }
        let counter = registry.counter(MetricCatalog.sqsRequests, entry.name, failure.rawValue)
        entry.failures[failure] = counter
        counter.increment()
    }
}
