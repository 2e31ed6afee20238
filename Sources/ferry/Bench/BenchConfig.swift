/// What one `ferry bench` run does; filled from the command line by `SQSBench`.
struct BenchConfig {
    /// One entry per producer connection: the node it talks to. Empty: drain a backlog another run filled.
    var producerEndpoints: [Endpoint]
    /// One entry per consumer connection. Empty (and no long polls): fill a backlog and leave it.
    var consumerEndpoints: [Endpoint]
    /// One entry per parked long poll: a connection of its own with one ReceiveMessage of
    /// `longPollWaitSeconds` in flight (a server answers a connection's requests in order).
    var longPollEndpoints: [Endpoint]
    /// Requests in flight per connection (consumers: ReceiveMessage calls; their deletes ride on top).
    var pipelineDepth: Int
    /// Messages per send request: 1 is SendMessage, 2-10 SendMessageBatch.
    var batchEntries: Int
    /// WaitTimeSeconds of the consumers' receives and of the long polls'.
    var receiveWaitSeconds: Int
    var longPollWaitSeconds: Int
    /// Stop producing after this long, if set.
    var durationSeconds: Double?
    /// Stop producing after this many messages (draining: after consuming this many), if set.
    var messagesMax: Int?
    /// Open-loop target in messages per second; nil means as fast as the pipeline allows.
    var rateMessagesPerSecond: Double?
    /// Excluded from rates and latencies: connections warm up, the leader's log segment is created.
    var warmupSeconds: Double
    /// After producing stops, consumers have this long to receive every acknowledged message.
    var drainSeconds: Double
    /// Print a progress line every second.
    var progress: Bool

    var producesMessages: Bool { !producerEndpoints.isEmpty }
    var consumesMessages: Bool { !consumerEndpoints.isEmpty || !longPollEndpoints.isEmpty }
}
