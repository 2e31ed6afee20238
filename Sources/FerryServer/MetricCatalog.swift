/// One metric family ferryd exposes at `/metrics`. The catalog below is the only place a family is defined:
/// `NodeMetrics` registers from it, and docs/metrics.md is rendered from it (a test compares the two).
struct MetricDefinition: Sendable, Equatable {
    enum Kind: String, Sendable { case counter, gauge, histogram }

    let name: String
    let kind: Kind
    /// Label names, in the order values are given.
    let labels: [String]
    let help: String
    /// Histograms only: upper bounds, in the family's unit.
    let buckets: [Double]

    init(_ name: String, _ kind: Kind, labels: [String] = [], buckets: [Double] = [], _ help: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.help = help
        self.buckets = buckets
    }
}

/// Every family, grouped as docs/metrics.md groups them. Names follow Prometheus conventions: the `ferry_`
/// prefix, base units (seconds, bytes), `_total` on counters.
enum MetricCatalog {
    /// Latency buckets from 250 µs (an fdatasync on NVMe) to 10 s (a long poll's ceiling is 20 s, but
    /// ReceiveMessage latency past 10 s is a long poll doing its job, not a slow node).
    static let latencySecondsBuckets: [Double] = [
        0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    static let writeBytesBuckets: [Double] = [512, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216]
    static let writeEntriesBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024]

    // MARK: Raft
    static let raftTerm = MetricDefinition("ferry_raft_term", .gauge, "The node's current Raft term.")
    static let raftRole = MetricDefinition(
        "ferry_raft_role", .gauge, labels: ["role"],
        "1 for the node's current Raft role (follower, preCandidate, candidate, leader), 0 for the others.")
    static let raftLeader = MetricDefinition(
        "ferry_raft_leader_id", .gauge,
        "The node id this node believes leads the cluster; 0 when it knows of none.")
    static let raftNodeID = MetricDefinition(
        "ferry_raft_node_id", .gauge, "This node's id (join key for the leader id).")
    static let raftCommitIndex = MetricDefinition(
        "ferry_raft_commit_index", .gauge, "Highest log index known committed.")
    static let raftAppliedIndex = MetricDefinition(
        "ferry_raft_applied_index", .gauge,
        "Highest log index applied to the queue machine.")
    static let raftLastLogIndex = MetricDefinition(
        "ferry_raft_last_log_index", .gauge, "Index of the last entry in the node's log.")
    static let raftSnapshotIndex = MetricDefinition(
        "ferry_raft_snapshot_index", .gauge, "Index the latest snapshot covers.")
    static let raftVoters = MetricDefinition("ferry_raft_voters", .gauge, "Voters in the Raft configuration.")
    static let raftLearners = MetricDefinition(
        "ferry_raft_learners", .gauge, "Learners (non-voting members) in the Raft configuration.")
    static let raftFollowerLag = MetricDefinition(
        "ferry_raft_follower_lag_entries", .gauge, labels: ["peer"],
        "Leader only: entries a member's log lags the leader's last index (last index minus its match index).")
    static let raftLeaderChanges = MetricDefinition(
        "ferry_raft_leader_changes_total", .counter,
        "Times the leader this node knows of changed to another node.")
    static let raftElections = MetricDefinition(
        "ferry_raft_elections_total", .counter,
        "Elections this node started (it became a candidate).")
    static let raftPreVotes = MetricDefinition(
        "ferry_raft_pre_votes_total", .counter,
        "Pre-vote rounds this node started (it became a pre-candidate).")
    static let raftSnapshotsTaken = MetricDefinition(
        "ferry_raft_snapshots_taken_total", .counter,
        "Snapshots of the queue machine this node took to compact its log.")
    static let raftSnapshotsSent = MetricDefinition(
        "ferry_raft_snapshots_sent_total", .counter,
        "Snapshots this node finished sending to a lagging member (last chunk sent).")
    static let raftSnapshotsInstalled = MetricDefinition(
        "ferry_raft_snapshots_installed_total", .counter,
        "Leader snapshots this node installed.")
    static let peerConnected = MetricDefinition(
        "ferry_peer_connected", .gauge, labels: ["peer"],
        "1 while the authenticated link to a peer is up, 0 while it is down.")

    // MARK: Storage
    static let storageWriteSeconds = MetricDefinition(
        "ferry_storage_durable_write_seconds", .histogram,
        buckets: latencySecondsBuckets, "Time of one durable write batch (writes and fdatasync), on the I/O thread.")
    static let storageWriteBytes = MetricDefinition(
        "ferry_storage_durable_write_bytes", .histogram,
        buckets: writeBytesBuckets, "Log bytes one durable write batch wrote.")
    static let storageWriteEntries = MetricDefinition(
        "ferry_storage_durable_write_entries", .histogram,
        buckets: writeEntriesBuckets, "Raft entries one durable write batch appended.")
    static let storageSlowWrites = MetricDefinition(
        "ferry_storage_slow_writes_total", .counter,
        "Durable write batches that took 100 ms or more (each is also logged).")
    static let storageWitnessWrites = MetricDefinition(
        "ferry_storage_witness_writes_total", .counter,
        "Durable write batches that carried a durability witness record.")
    static let storageLogBytes = MetricDefinition(
        "ferry_storage_log_bytes", .gauge,
        "Bytes of the data directory's log segments, snapshots and hard state on disk.")
    static let storageSegments = MetricDefinition("ferry_storage_log_segments", .gauge, "Log segment files on disk.")

    // MARK: SQS API
    static let sqsRequests = MetricDefinition(
        "ferry_sqs_requests_total", .counter, labels: ["operation", "outcome"],
        "SQS requests answered, by operation and outcome: ok, or the SQS error code. operation is \"unknown\" for requests refused before decoding (bad signature, unknown action)."
    )
    static let sqsRequestSeconds = MetricDefinition(
        "ferry_sqs_request_duration_seconds", .histogram, labels: ["operation"],
        buckets: latencySecondsBuckets,
        "Time from a request's last byte to its answer, by operation (long polls included).")
    static let httpReceivedBytes = MetricDefinition(
        "ferry_http_received_bytes_total", .counter,
        "Bytes read from client connections on the SQS port.")
    static let httpSentBytes = MetricDefinition(
        "ferry_http_sent_bytes_total", .counter,
        "Bytes of responses written to client connections on the SQS port.")
    static let httpConnections = MetricDefinition(
        "ferry_http_connections_open", .gauge, "Client connections open on the SQS port.")
    static let longPollsParked = MetricDefinition(
        "ferry_sqs_long_polls_parked", .gauge,
        "ReceiveMessage calls waiting for a message (long polls).")

    // MARK: Queues
    static let queueVisible = MetricDefinition(
        "ferry_queue_messages_visible", .gauge, labels: ["queue"],
        "Messages available to receive (ApproximateNumberOfMessages).")
    static let queueInflight = MetricDefinition(
        "ferry_queue_messages_in_flight", .gauge, labels: ["queue"],
        "Messages received and not yet deleted or visible again (ApproximateNumberOfMessagesNotVisible).")
    static let queueDelayed = MetricDefinition(
        "ferry_queue_messages_delayed", .gauge, labels: ["queue"],
        "Messages still in their delay (ApproximateNumberOfMessagesDelayed).")
    static let queueOldestAge = MetricDefinition(
        "ferry_queue_oldest_message_age_seconds", .gauge, labels: ["queue"],
        "Age of the oldest message stored (CloudWatch's ApproximateAgeOfOldestMessage); for \"other\", the largest.")
    static let queueSent = MetricDefinition(
        "ferry_queue_messages_sent_total", .counter, labels: ["queue"],
        "Messages sent (enqueued, duplicates excluded), as applied by this node.")
    static let queueReceived = MetricDefinition(
        "ferry_queue_messages_received_total", .counter, labels: ["queue"],
        "Messages handed to consumers, as applied by this node.")
    static let queueDeleted = MetricDefinition(
        "ferry_queue_messages_deleted_total", .counter, labels: ["queue"],
        "Successful message deletes, as applied by this node.")
    static let queueMovedToDLQ = MetricDefinition(
        "ferry_queue_messages_moved_to_dlq_total", .counter, labels: ["queue"],
        "Messages moved from this queue to its dead-letter queue (maxReceiveCount exceeded).")
    static let queues = MetricDefinition("ferry_queues", .gauge, "Queues in the cluster.")

    // MARK: SNS topics
    static let snsPublishes = MetricDefinition(
        "ferry_sns_publishes_total", .counter, labels: ["topic_kind", "outcome"],
        "Publish and PublishBatch entries by topic kind (standard, fifo) and outcome (published; duplicate: a FIFO topic's deduplication answered the original; refused), as applied by this node."
    )
    static let snsDeliveries = MetricDefinition(
        "ferry_sns_deliveries_total", .counter, labels: ["outcome"],
        "Copies of published messages for subscriptions whose filter accepted them: delivered (into the subscribed queue), dead_lettered (the queue could not take it, its RedrivePolicy queue did), failed (neither took it), as applied by this node."
    )
    static let snsDeliveriesFilteredOut = MetricDefinition(
        "ferry_sns_deliveries_filtered_out_total", .counter,
        "Subscriptions a publish skipped because their filter policy refused it, as applied by this node.")
    static let snsTopics = MetricDefinition("ferry_sns_topics", .gauge, "SNS topics in the cluster.")
    static let snsSubscriptions = MetricDefinition(
        "ferry_sns_subscriptions", .gauge, "SNS subscriptions in the cluster.")

    // MARK: Process
    static let loopStalls = MetricDefinition(
        "ferry_event_loop_stalls_total", .counter,
        "Ticks that came 100 ms or more late: the event loop was held up (each is also logged).")
    static let loopStallSeconds = MetricDefinition(
        "ferry_event_loop_stall_seconds_total", .counter,
        "Seconds ticks came late in those stalls, summed.")
    static let loopIdleSeconds = MetricDefinition(
        "ferry_event_loop_idle_seconds_total", .counter,
        "Seconds the event loop spent waiting for events; utilisation is 1 - rate(this).")
    static let residentMemory = MetricDefinition("ferry_process_resident_memory_bytes", .gauge, "Resident set size.")
    static let virtualMemory = MetricDefinition("ferry_process_virtual_memory_bytes", .gauge, "Virtual memory size.")
    static let openDescriptors = MetricDefinition("ferry_process_open_fds", .gauge, "Open file descriptors.")
    static let maxDescriptors = MetricDefinition(
        "ferry_process_max_fds", .gauge, "The descriptor limit (RLIMIT_NOFILE, soft).")
    static let cpuSeconds = MetricDefinition("ferry_process_cpu_seconds_total", .counter, "User and system CPU time.")
    static let startTime = MetricDefinition(
        "ferry_process_start_time_seconds", .gauge,
        "When the process started, in seconds since the Unix epoch.")

    static let sections: [(title: String, definitions: [MetricDefinition])] = [
        (
            "Raft",
            [
                raftTerm, raftRole, raftLeader, raftNodeID, raftCommitIndex, raftAppliedIndex, raftLastLogIndex,
                raftSnapshotIndex, raftVoters, raftLearners, raftFollowerLag, raftLeaderChanges, raftElections,
                raftPreVotes, raftSnapshotsTaken, raftSnapshotsSent, raftSnapshotsInstalled, peerConnected,
            ]
        ),
        (
            "Storage",
            [
                storageWriteSeconds, storageWriteBytes, storageWriteEntries, storageSlowWrites, storageWitnessWrites,
                storageLogBytes, storageSegments,
            ]
        ),
        (
            "SQS API",
            [sqsRequests, sqsRequestSeconds, httpReceivedBytes, httpSentBytes, httpConnections, longPollsParked]
        ),
        (
            "Queues",
            [
                queues, queueVisible, queueInflight, queueDelayed, queueOldestAge, queueSent, queueReceived,
                queueDeleted,
                queueMovedToDLQ,
            ]
        ),
        ("SNS topics", [snsTopics, snsSubscriptions, snsPublishes, snsDeliveries, snsDeliveriesFilteredOut]),
        (
            "Process",
            [
                loopStalls, loopStallSeconds, loopIdleSeconds, residentMemory, virtualMemory, openDescriptors,
                maxDescriptors, cpuSeconds, startTime,
            ]
        ),
    ]

    static var all: [MetricDefinition] { sections.flatMap(\.definitions) }
}

extension MetricCatalog {
    /// The reference section of docs/metrics.md: one table per section, in catalog order.
    static func referenceMarkdown() -> String {
        var text = ""
        for section in sections {
            text += "### \(section.title)\n\n| Metric | Type | Labels | Meaning |\n|---|---|---|---|\n"
            for definition in section.definitions {
                let labels =
                    definition.labels.isEmpty ? "" : definition.labels.map { "`\($0)`" }.joined(separator: ", ")
                text += "| `\(definition.name)` | \(definition.kind.rawValue) | \(labels) | \(definition.help) |\n"
            }
            text += "\n"
        }
        return text
    }
}
