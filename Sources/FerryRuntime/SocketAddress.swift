import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 literal address and port, resolved without DNS (peers are configured by address).
struct SocketAddress {
    var storage = sockaddr_storage()

    /// Parses `host` ("127.0.0.1", "::1") and `port`; a host containing ':' is IPv6.
    init(host: String, port: UInt16) throws(UVError) {
        let status: Int32 = withUnsafeMutableBytes(of: &storage) { raw in
            if host.contains(":") {
                return uv_ip6_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            }
            return uv_ip4_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
        }
        try uvCheck(status, "parse address \(host)")
    }

    init(storage: sockaddr_storage) { self.storage = storage }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// The port in host byte order.
    var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            if Int32(storage.ss_family) == AF_INET6 {
                return UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            }
            return UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }

    /// "host:port" ("[::1]:port" for IPv6), for logs.
    var description: String {
        var name = [CChar](repeating: 0, count: 64)
        _ = withSockaddr { uv_ip_name($0, &name, name.count) }
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Int32(storage.ss_family) == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
