#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// `--jobs N`: a campaign's seeds run in N forked worker processes. Each seed is still one single-threaded
/// run from its seed alone, so its trace hash is the one a serial run (or `--seed N`) gives; the parent
/// hands out seeds one at a time as workers finish, and passes results on in seed order, so what is
/// printed does not depend on which worker ran what or when. Only wall and CPU seconds differ.
enum SeedWorkers {
    /// Runs `seeds` in `jobs` workers and calls `deliver` with each seed's run in seed order, until it
    /// returns false (the first violation, when the campaign stops there). A worker that dies (a crash
    /// inside a seed: its crash report is on stderr) fails that seed with a CRASH violation.
    static func run(
        _ seeds: [UInt64], jobs: Int, replayCommand: (UInt64) -> String,
        runSeed: (UInt64) -> (SeedOutcome, String), deliver: (SeedRun) -> Bool
    ) {
        signal(SIGPIPE, SIG_IGN)  // a dead worker's command pipe: an error, not the end of the parent
        fflush(nil)  // stdout: else each worker would print the parent's unflushed output again when it exits
        var workers: [Worker] = []
        for _ in 0..<min(jobs, seeds.count) {
            workers.append(Worker.start(siblings: workers, replayCommand: replayCommand, runSeed: runSeed))
        }
        var nextToHand = 0
        var finished: [Int: SeedRun] = [:]
        var nextToDeliver = 0
        func handOut(to worker: inout Worker) {
            guard nextToHand < seeds.count, worker.isAlive else { return }
            worker.assigned = nextToHand
            if !worker.send(seeds[nextToHand]) { worker.isAlive = false }
            nextToHand += 1
        }
        for k in workers.indices { handOut(to: &workers[k]) }
        delivering: while nextToDeliver < seeds.count {
            while let run = finished.removeValue(forKey: nextToDeliver) {
                nextToDeliver += 1
                if !deliver(run) { break delivering }
            }
            guard nextToDeliver < seeds.count else { break }
            var polls = workers.map { pollfd(fd: $0.isAlive ? $0.results : -1, events: Int16(POLLIN), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), -1)
            for k in workers.indices where polls[k].revents != 0 {
                guard let assigned = workers[k].assigned else { continue }
                if let run = workers[k].receive() {
                    finished[assigned] = run
                    workers[k].assigned = nil
                    handOut(to: &workers[k])
                } else {
                    // The worker died in this seed; the seeds it would have run go to the others.
                    workers[k].assigned = nil
                    workers[k].isAlive = false
                    let outcome = SeedOutcome(
                        seed: seeds[assigned],
                        violation: Violation(
                            invariant: "CRASH",
                            detail: "the worker process running this seed died (its report is above)",
                            timeMicros: 0),
                        simulatedMicros: 0, eventCount: 0, traceHash: 0, acknowledgedCount: 0)
                    finished[assigned] = SeedRun(outcome: outcome, counts: "", peakRSSKB: 0)
                }
            }
            if workers.allSatisfy({ !$0.isAlive }), nextToHand < seeds.count {
                for worker in workers { worker.stop() }
                workers = []
                for _ in 0..<min(jobs, seeds.count - nextToHand) {
                    workers.append(Worker.start(siblings: workers, replayCommand: replayCommand, runSeed: runSeed))
                }
                for k in workers.indices { handOut(to: &workers[k]) }
            }
        }
        for worker in workers { worker.stop() }
    }

    /// One forked process: reads seeds (8 bytes each) from `commands`, writes one record per seed to
    /// `results`, exits at the end of its commands.
    struct Worker {
        var pid: pid_t
        var commands: Int32
        var results: Int32
        var reader: RecordReader
        var assigned: Int?
        var isAlive = true

        /// Forks a worker. It closes its `siblings`' pipe ends, which it inherited: else a sibling's command
        /// pipe would stay open after the parent closes it, and that sibling would never see its end.
        static func start(
            siblings: [Worker], replayCommand: (UInt64) -> String, runSeed: (UInt64) -> (SeedOutcome, String)
        ) -> Worker {
            var down: [Int32] = [0, 0]
            var up: [Int32] = [0, 0]
            precondition(pipe(&down) == 0 && pipe(&up) == 0, "pipe failed")
            let pid = fork()
            precondition(pid >= 0, "fork failed")
            if pid == 0 {
                close(down[1])
                close(up[0])
                for sibling in siblings {
                    close(sibling.commands)
                    close(sibling.results)
                }
                serve(commands: down[0], results: up[1], replayCommand: replayCommand, runSeed: runSeed)
                _exit(0)
            }
            close(down[0])
            close(up[1])
            return Worker(pid: pid, commands: down[1], results: up[0], reader: RecordReader(fd: up[0]))
        }

        private static func serve(
            commands: Int32, results: Int32, replayCommand: (UInt64) -> String,
            runSeed: (UInt64) -> (SeedOutcome, String)
        ) {
            var seed: UInt64 = 0
            while readFully(commands, &seed, MemoryLayout<UInt64>.size) {
                CrashReporter.prepare(seed: seed, replayCommand: replayCommand(seed))
                let (outcome, counts) = runSeed(seed)
                let record = SeedRun(outcome: outcome, counts: counts, peakRSSKB: peakResidentKB()).encoded()
                guard writeFully(results, record) else { return }
            }
        }

        func send(_ seed: UInt64) -> Bool {
            var seed = seed
            return withUnsafeBytes(of: &seed) { write(commands, $0.baseAddress, $0.count) == $0.count }
        }

        mutating func receive() -> SeedRun? { reader.nextRecord().flatMap(SeedRun.init(decoding:)) }

        func stop() {
            close(commands)
            if isAlive, assigned != nil { kill(pid, SIGKILL) }  // still running a seed past the delivered end
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(results)
        }
    }

    private static func readFully(_ fd: Int32, _ value: inout UInt64, _ count: Int) -> Bool {
        withUnsafeMutableBytes(of: &value) { buffer in
            var got = 0
            while got < count {
                let n = read(fd, buffer.baseAddress! + got, count - got)
                if n <= 0 { return false }
                got += n
            }
            return true
        }
    }

    private static func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = write(fd, buffer.baseAddress! + sent, buffer.count - sent)
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }
}

/// The process's peak resident set so far, in KB: a campaign whose seeds leak grows it seed after seed.
func peakResidentKB() -> Int {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
    #else
    getrusage(RUSAGE_SELF, &usage)
    return usage.ru_maxrss / 1024  // bytes on Darwin
    #endif
}

/// CPU seconds (user and system) of the worker processes this process has waited for.
func childrenCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    #else
    getrusage(RUSAGE_CHILDREN, &usage)
    #endif
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Reads newline-terminated records from a pipe.
struct RecordReader {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// The next record, or nil at the end of the stream (the worker exited or died).
    mutating func nextRecord() -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let record = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                return record
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}

extension SeedRun {
    /// One line: the outcome's fields, the violation (its detail with newlines escaped), the counts.
    func encoded() -> [UInt8] {
        let violationFields =
            outcome.violation.map { [$0.invariant, String($0.timeMicros), escaped($0.detail)] } ?? ["-", "0", ""]
        let fields =
            [
                String(outcome.seed), String(outcome.simulatedMicros), String(outcome.eventCount),
                String(outcome.traceHash), String(outcome.acknowledgedCount), String(peakRSSKB),
            ] + violationFields + [escaped(counts)]
        return Array((fields.joined(separator: "\t") + "\n").utf8)
    }

    init?(decoding record: [UInt8]) {
        let fields = String(decoding: record, as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 10, let seed = UInt64(fields[0]), let micros = SimMicros(fields[1]),
            let events = Int(fields[2]), let hash = UInt64(fields[3]), let acknowledged = Int(fields[4]),
            let rss = Int(fields[5]), let violationMicros = SimMicros(fields[7])
        else { return nil }
        let violation =
            fields[6] == "-"
            ? nil
            : Violation(invariant: String(fields[6]), detail: unescaped(fields[8]), timeMicros: violationMicros)
        self.init(
            outcome: SeedOutcome(
                seed: seed, violation: violation, simulatedMicros: micros, eventCount: events, traceHash: hash,
                acknowledgedCount: acknowledged),
            counts: unescaped(fields[9]), peakRSSKB: rss)
    }
}

private func escaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private func unescaped(_ text: Substring) -> String {
    var out = ""
    var escaping = false
    for scalar in text.unicodeScalars {
        if escaping {
            out.unicodeScalars.append(scalar == "n" ? "\n" : scalar == "t" ? "\t" : scalar)
            escaping = false
        } else if scalar == "\\" {
            escaping = true
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
