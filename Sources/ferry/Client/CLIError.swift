import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// What the user sees when a command fails; every case exits with status 1.
enum CLIError: Error, CustomStringConvertible {
    /// A bad argument the parser could not catch (endpoint syntax, attribute format).
    case usage(String)
    /// The node could not be reached, or the connection broke.
    case transport(String)
    /// The node answered with an SQS error: its code (`__type` after `#`) and message.
    case sqs(status: Int, code: String, message: String)
    /// The node answered something that is not the expected JSON.
    case badResponse(String)

    var description: String {
        switch self {
        case .usage(let why): return "error: \(why)"
        case .transport(let why): return "error: \(why)"
        case .sqs(let status, let code, let message):
            return "error: \(code) (HTTP \(status))" + (message.isEmpty ? "" : ": \(message)")
        case .badResponse(let why): return "error: unexpected response: \(why)"
        }
    }
}

extension ParsableCommand {
    /// Runs `body`, turning a `CLIError` into its message on stderr and exit status 1.
    func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CLIError {
            printError(error.description)
            throw ExitCode(1)
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    var stderr = StandardError()
    print(line, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        #if canImport(Glibc)
        fflush(nil)  // keep stdout's buffered lines ahead of this one
        var bytes = Array(string.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes {
                Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset)
            }
            if written <= 0 { return }
            offset += written
        }
        #endif
    }
}
