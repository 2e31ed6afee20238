#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Turns a crash inside a seed (a `precondition` in FerryRaft or the simulator) into a reproducible
/// seed: before each seed the runner stores the replay command, and a signal handler writes it to
/// stderr when the process dies of SIGILL/SIGTRAP/SIGSEGV/SIGABRT, then lets the signal kill it.
public enum CrashReporter {
    /// Bytes of the replay message; a command line never gets near it.
    private static let messageBytesMax = 512
    /// Bytes of the "simulated microsecond N" line.
    private static let timeBytesMax = 64
    private static let timePrefix = "crashed at simulated microsecond "
    // Prepared outside the handler: a signal handler may not allocate.
    nonisolated(unsafe) private static var message = UnsafeMutablePointer<CChar>.allocate(capacity: messageBytesMax)
    nonisolated(unsafe) private static var messageLength = 0
    nonisolated(unsafe) private static var timeLine = UnsafeMutablePointer<CChar>.allocate(capacity: timeBytesMax)
    /// Simulated time of the event being handled (the run loop sets it).
    nonisolated(unsafe) public static var nowMicros: UInt64 = 0

    /// Installs the handlers (once per process).
    public static func install() {
        var length = 0
        for byte in timePrefix.utf8 {
            timeLine[length] = CChar(bitPattern: byte)
            length += 1
        }
        for signalNumber in [SIGILL, SIGTRAP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE] {
            signal(signalNumber) { number in
                _ = write(2, CrashReporter.message, CrashReporter.messageLength)
                CrashReporter.writeTime()
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Writes the time line with no allocation (async-signal-safe).
    private static func writeTime() {
        let start = timePrefix.utf8.count
        var digitCount = 0
        var scratch = nowMicros
        repeat {
            digitCount += 1
            scratch /= 10
        } while scratch > 0
        var value = nowMicros
        var position = start + digitCount - 1
        repeat {
            timeLine[position] = CChar(48 + Int(value % 10))
            value /= 10
            position -= 1
        } while value > 0
        timeLine[start + digitCount] = 10
        _ = write(2, timeLine, start + digitCount + 1)
    }

    /// Records the command that replays the seed about to run.
    public static func prepare(seed: UInt64, replayCommand: String) {
        let text =
            "\nferry-sim: CRASH while running seed \(seed) (a precondition failed: a violation)\nreplay: \(replayCommand)\n"
        var length = 0
        for byte in text.utf8.prefix(messageBytesMax) {
            message[length] = CChar(bitPattern: byte)
            length += 1
        }
        messageLength = length
    }
}
