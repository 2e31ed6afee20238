import ArgumentParser
import FerryBench

struct RecoveryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery",
        abstract: "Seconds of RaftStorage.open on a log written once with --prepare (a node's restart).")

    @Option(help: "Directory of the log (written by --prepare, kept afterwards).")
    var directory: String = "/tmp/ferry-bench-recovery"

    @Flag(help: "Write the log first.")
    var prepare = false

    @Option(help: "Entries to write with --prepare.")
    var entries: Int = RecoveryBenchmark.entryCountDefault

    @Option(help: "Entry size in bytes, with --prepare.")
    var entryBytes: Int = RecoveryBenchmark.entryBytesDefault

    @Option(help: "Opens to time (0: only prepare).")
    var times: Int = 3

    func run() throws {
        if prepare { try RecoveryBenchmark.prepare(directory: directory, entryCount: entries, entryBytes: entryBytes) }
        for (seconds, entries) in try RecoveryBenchmark.open(directory: directory, times: times) {
            print("open: \(entries) entries in \(String(format: "%.3f", seconds * 1000)) ms")
        }
    }
}
