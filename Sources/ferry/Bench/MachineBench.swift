import ArgumentParser
import FerryBench

#if canImport(Glibc)
import Glibc
#endif

/// `ferry bench machine`: the queue machine alone, on this machine (`QueueBenchmark`).
struct MachineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract:
            "The queue machine alone (no Raft, no I/O): commands/s for a send/receive/delete mix, heap bytes per queued message."
    )

    @Option(help: "Send/receive/delete rounds in each throughput phase.")
    var rounds: Int = QueueBenchmark.Options().rounds

    @Option(help: "Messages queued for the memory measurement.")
    var memoryMessages: Int = QueueBenchmark.Options().memoryMessages

    @Option(help: "Publishes timed for each of 1, 5 and 20 subscriptions.")
    var publishRounds: Int = QueueBenchmark.Options().publishRounds

    @Option(help: "Body size in bytes.")
    var bodyBytes: Int = QueueBenchmark.Options().bodyBytes

    func validate() throws {
        guard rounds > 0, memoryMessages > 0, bodyBytes > 0, publishRounds > 0 else {
            throw ValidationError("--rounds, --memory-messages, --publish-rounds and --body-bytes must be positive")
        }
    }

    func run() {
        var options = QueueBenchmark.Options()
        options.rounds = rounds
        options.memoryMessages = memoryMessages
        options.bodyBytes = bodyBytes
        options.publishRounds = publishRounds
        print(QueueBenchmark.run(options, clockNs: Self.monotonicNs, heapBytes: Self.residentBytes))
    }

    /// Resident memory (/proc/self/statm): the heap's growth shows in it, with page granularity, which is
    /// nothing beside a million queued messages. 0 where it cannot be read.
    private static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var sizePages = 0
        var residentPages = 0
        guard
            withUnsafeMutablePointer(
                to: &sizePages,
                { size in
                    withUnsafeMutablePointer(to: &residentPages) { resident in
                        withVaList([size, resident]) { vfscanf(file, "%ld %ld", $0) }
                    }
                }) == 2
        else { return 0 }
        return residentPages * sysconf(Int32(_SC_PAGESIZE))
    }

    private static func monotonicNs() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
