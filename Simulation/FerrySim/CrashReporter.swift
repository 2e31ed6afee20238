#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Turns a crash inside a seed (a `precondition` in FerryRaft or the simulator) into a reproducible
/// seed: before each seed the runner stores the replay command, and a signal handler writes it to
/// stderr when the process dies of SIGILL/SIGTRAP/SIGSEGV/SIGABRT, then lets the signal kill it.
public enum CrashReporter {
    /// Bytes of the replay line; a command line never gets near it.
    private static let messageBytesMax = 512
    /// The message the handler writes; prepared outside the handler since handlers may not allocate.
    nonisolated(unsafe) private static var message = UnsafeMutablePointer<CChar>.allocate(capacity: messageBytesMax)
    nonisolated(unsafe) private static var messageLength = 0

    /// Installs the handlers (once per process).
    public static func install() {
        for signalNumber in [SIGILL, SIGTRAP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE] {
            signal(signalNumber) { number in
                _ = write(2, CrashReporter.message, CrashReporter.messageLength)
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    /// Records the command that replays the seed about to run.
    public static func prepare(seed: UInt64, replayCommand: String) {
        let text = "\nferry-sim: CRASH while running seed \(seed) (a precondition failed: a violation)\nreplay: \(replayCommand)\n"
        var length = 0
        for byte in text.utf8.prefix(messageBytesMax) {
            message[length] = CChar(bitPattern: byte)
            length += 1
        }
        messageLength = length
    }
}
