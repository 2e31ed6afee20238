/// What one `ferry bench` run does; filled from the command line by `SQSBench`.
struct BenchConfig {
    /// One entry per producer connection: the node it talks to.
    var producerEndpoints: [Endpoint]
    /// One entry per consumer connection.
    var consumerEndpoints: [Endpoint]
    /// Requests in flight per connection (consumers: ReceiveMessage calls; their deletes ride on top).
    var pipelineDepth: Int
    /// Messages per SendMessageBatch, 1-10.
    var batchEntries: Int
    /// Stop producing after this long, if set.
    var durationSeconds: Double?
    /// Stop producing after this many messages, if set.
    var messagesMax: Int?
    /// Open-loop target in messages per second; nil means as fast as the pipeline allows.
    var rateMessagesPerSecond: Double?
    /// Excluded from rates and latencies: connections warm up, the leader's log segment is created.
    var warmupSeconds: Double
    /// After producing stops, consumers have this long to receive every acknowledged message.
    var drainSeconds: Double
    /// Print a progress line every second.
    var progress: Bool
}
