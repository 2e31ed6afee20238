import FerryRaft
import Foundation
import XCTest

@testable import FerryStorage

/// A real process appending with fdatasync is killed with SIGKILL at random moments; after each
/// kill, every entry it reported durable is on the real disk, byte for byte.
///
/// The writer is this test binary re-executing itself with `FERRY_CRASH_WRITER_DIRECTORY` set: the
/// `testWriterProcess` case then becomes the writer and never returns.
final class ProcessCrashTests: XCTestCase {
    /// Kills per run: the issue asks for about twenty, in a few seconds.
    static let killCount = 20
    static let writerEnvironmentKey = "FERRY_CRASH_WRITER_DIRECTORY"

    func testWriterProcess() throws {
        guard let directory = ProcessInfo.processInfo.environment[Self.writerEnvironmentKey] else {
            throw XCTSkip(
                "the writer half of testEveryEntryReportedDurableSurvivesSIGKILL; runs only in the process it starts")
        }
        let fileSystem = PosixFileSystem()
        let (storage, recovered, _) = try RaftStorage.open(
            directory: directory, fileSystem: fileSystem,
            options: StorageOptions(segmentBytesMax: 64 << 10),
            initialConfiguration: testConfiguration)
        var next = (recovered.entries.last?.index ?? 0) + 1
        while true {
            let count = LogIndex(1 + next % 7)
            storage.append(
                (next...(next + count - 1)).map { index in
                    Entry(index: index, term: 1, payload: .command(Self.payload(index)))
                })
            let write = try storage.nextWrite()!
            try storage.complete(write, write.performCatching(on: fileSystem))
            next += count
            // Only after complete: this line is the acknowledgement. Unbuffered, so a kill cannot
            // hold back an acknowledgement the writer believes it gave (nor invent one).
            Foundation.FileHandle.standardOutput.write(Data("durable \(next - 1)\n".utf8))
        }
    }

    func testEveryEntryReportedDurableSurvivesSIGKILL() throws {
        let directory = NSTemporaryDirectory() + "ferry-crash-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The kill delays vary per run (the writer's speed does anyway); the seed is printed so a failing
        // run's delays can be replayed with FERRY_CRASH_SEED.
        let seed = ProcessInfo.processInfo.environment["FERRY_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64(getpid())
        print("process crash test: kill delays from seed \(seed) (replay: FERRY_CRASH_SEED=\(seed))")
        var random = SplitMix64(seed: seed)
        var acknowledged: LogIndex = 0
        for kill in 0..<Self.killCount {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["FerryStorageTests.ProcessCrashTests/testWriterProcess"]
            process.environment = ProcessInfo.processInfo.environment.merging([Self.writerEnvironmentKey: directory]) {
                $1
            }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = Foundation.FileHandle.nullDevice
            try process.run()
            usleep(UInt32(30_000 + random.next() % 120_000))
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in lines.split(separator: "\n") where line.hasPrefix("durable ") {
                acknowledged = max(acknowledged, LogIndex(line.dropFirst(8))!)
            }

            let (storage, recovered, _) = try RaftStorage.open(
                directory: directory, fileSystem: PosixFileSystem(),
                initialConfiguration: testConfiguration)
            storage.close()
            let last = recovered.entries.last?.index ?? 0
            XCTAssertGreaterThanOrEqual(
                last, acknowledged, "kill \(kill): acknowledged \(acknowledged), recovered \(last)")
            for entry in recovered.entries {
                XCTAssertEqual(
                    entry.payload, .command(Self.payload(entry.index)), "kill \(kill): entry \(entry.index) differs")
            }
        }
        XCTAssertGreaterThan(acknowledged, 0, "the writer never acknowledged anything")
    }

    /// An entry's payload, of a size that varies with its index. It depends on the index alone: a kill can
    /// leave part of an unacknowledged batch on disk, and the next writer's batches then start elsewhere.
    static func payload(_ index: LogIndex) -> [UInt8] {
        FerryStorageTests.payload(index, sizeBytes: Int(index % 900))
    }
}
