import ArgumentParser
import FerryBench

/// `ferry`: Ferry's command-line tool.
struct Ferry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ferry's command-line tool.",
        subcommands: [
            StatusCommand.self, QueueCommand.self, SendCommand.self, ReceiveCommand.self,
            DeleteCommand.self, TopicCommand.self, SubscribeCommand.self, PublishCommand.self, Bench.self,
            MembersCommand.self, TransferLeadershipCommand.self,
        ])
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Ferry: end to end over SQS (default), or a component on this machine.",
        // fanout: Bench/FanoutBench.swift
        subcommands: [
            SQSBench.self, StorageBench.self, RecoveryBench.self, MachineBench.self, CodecBench.self, FanoutBench.self,
        ],
        defaultSubcommand: SQSBench.self)
}

struct StorageBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract:
            "Log appends/s and MB/s at group-commit batches, beside a plain write+fdatasync loop on the same disk.")

    @Option(help: "Directory on the disk to measure (files are removed afterwards).")
    var directory: String = "/tmp/ferry-bench-storage"

    @Option(help: "Entry size in bytes.")
    var entryBytes: Int = StorageBenchmark.entryBytesDefault

    @Option(help: "Seconds per measurement.")
    var seconds: Double = StorageBenchmark.measureSecondsDefault

    func run() throws {
        let rows = try StorageBenchmark.run(directory: directory, entryBytes: entryBytes, measureSeconds: seconds)
        print(StorageBenchmark.report(rows))
    }
}

Ferry.main()
