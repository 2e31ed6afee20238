import CLibUV

/// A failed libuv call: an operating error the caller handles (logs, retries, closes), never a crash.
public struct UVError: Error, Equatable, CustomStringConvertible {
    /// The negative libuv error code, e.g. `UV_ECONNREFUSED`.
    public let code: Int32
    /// The libuv call (or runtime operation) that failed, e.g. "uv_tcp_connect".
    public let operation: String

    public init(code: Int32, operation: String) {
        precondition(code < 0, "libuv error codes are negative; \(code) is not an error")
        self.code = code
        self.operation = operation
    }

    /// The libuv error name, e.g. "ECONNREFUSED".
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String { "\(operation): \(name) (\(String(cString: uv_strerror(code))))" }

    /// True for `UV_ECONNREFUSED`: nothing listens at the address (yet).
    public var isConnectionRefused: Bool { code == UV_ECONNREFUSED.rawValue }
}

/// Throws a `UVError` when a libuv call returned a negative status.
@inline(__always)
func uvCheck(_ status: Int32, _ operation: String) throws(UVError) {
    if status < 0 { throw UVError(code: status, operation: operation) }
}
