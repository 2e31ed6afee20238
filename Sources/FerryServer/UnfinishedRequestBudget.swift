/// The bytes of client requests still arriving, across every connection. None of them is authenticated
/// (SigV4 signs the whole body, so a request is verified only once complete), so this is what any client
/// that can reach the port can make the node hold: bounded node-wide, not only per connection, or 4,096
/// connections × a 4 MiB body each would be 16 GiB. Loop thread only.
final class UnfinishedRequestBudget {
    let bytesMax: Int
    private(set) var bytesUsed = 0

    init(bytesMax: Int) {
        precondition(bytesMax > 0)
        self.bytesMax = bytesMax
    }

    /// Takes `bytes` of the budget if they fit.
    func reserve(_ bytes: Int) -> Bool {
        guard bytes <= bytesMax - bytesUsed else { return false }
        bytesUsed += bytes
        return true
    }

    func release(_ bytes: Int) {
        bytesUsed -= bytes
        assert(bytesUsed >= 0 && bytes >= 0, "released more than was reserved")
    }
}
