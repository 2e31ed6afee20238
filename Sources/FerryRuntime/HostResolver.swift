import CLibUV

#if canImport(Glibc)
import Glibc
#endif

/// Resolves a host name to an address with libuv's asynchronous getaddrinfo (it runs on the thread pool,
/// the answer comes back on the loop). Peers may be configured by DNS name (Kubernetes StatefulSet pods:
/// ferry-0.ferry); the connector resolves again before every dial, so a pod that comes back with a new IP
/// is found. Loop thread only.
enum HostResolver {
    private final class Pending {
        let completion: (Result<SocketAddress, UVError>) -> Void
        init(_ completion: @escaping (Result<SocketAddress, UVError>) -> Void) { self.completion = completion }
    }

    static func resolve(
        loop: EventLoop, host: String, port: UInt16,
        completion: @escaping (Result<SocketAddress, UVError>) -> Void
    ) {
        loop.preconditionInLoop()
        if let literal = try? SocketAddress(host: host, port: port) {
            completion(.success(literal))
            return
        }
        let request = UnsafeMutablePointer<uv_getaddrinfo_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(Pending(completion)).toOpaque()
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        let status = uv_getaddrinfo(
            loop.uvLoop, request,
            { request, status, result in
                EventLoop.from(request!.pointee.loop).noteAwake()
                let pending = Unmanaged<Pending>.fromOpaque(request!.pointee.data!).takeRetainedValue()
                request!.deallocate()
                defer { if let result { uv_freeaddrinfo(result) } }
                guard status == 0, let first = result, let address = first.pointee.ai_addr else {
                    pending.completion(
                        .failure(UVError(code: status == 0 ? -EINVAL : status, operation: "getaddrinfo")))
                    return
                }
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { raw in
                    raw.copyMemory(
                        from: UnsafeRawBufferPointer(
                            start: address, count: min(Int(first.pointee.ai_addrlen), raw.count)))
                }
                pending.completion(.success(SocketAddress(storage: storage)))
            }, host, String(port), &hints)
        if status != 0 {
            let pending = Unmanaged<Pending>.fromOpaque(request.pointee.data!).takeRetainedValue()
            request.deallocate()
            pending.completion(.failure(UVError(code: status, operation: "getaddrinfo \(host)")))
        }
    }
}
