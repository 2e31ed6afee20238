import FerryRaft

extension ReplicaNode {
    /// A recovered snapshot's sessions and machine, decoded while storage read and verified the file once
    /// (`RaftStorage.open`'s `restoringSnapshot`), for `init(options:storage:recovered:restored:...)`.
    public struct RestoredSnapshot {
        let sessions: SessionTable
        let machine: Machine
    }

    /// `restoreSnapshot` for a caller outside this module, such as the closure a server hands `RaftStorage.open`.
    public static func restore(_ data: any SnapshotDataSource, into template: Machine) throws -> RestoredSnapshot {
        let (sessions, machine) = try restoreSnapshot(data, into: template)
        return RestoredSnapshot(sessions: sessions, machine: machine)
    }

    /// The sessions and the machine of the recovered snapshot whose data `data` reads, decoded a chunk at a time
    /// (at a million queued messages the data is most of a gigabyte, never held whole). The session table is
    /// read whole first (usually within the first chunk). Returned only once `data` has given its last chunk and
    /// `[]`; data that does not verify throws storage's corruption error, and whatever was decoded is dropped with
    /// it.
    static func restoreSnapshot(
        _ data: any SnapshotDataSource, into template: Machine
    ) throws -> (sessions: SessionTable, machine: Machine) {
        var head: [UInt8] = []
        while SessionTable.encodedBytes(atStartOf: head).map({ head.count < $0 }) ?? true {
            let chunk = try data.nextChunk()
            guard !chunk.isEmpty else { break }  // the table's decode names what is missing
            head += chunk
        }
        var reader = LittleEndianReader(head)
        let sessions = try SessionTable.decode(from: &reader)
        var machine = template
        try machine.restore(from: head, startingAt: reader.offset, continuedBy: data)
        guard try data.nextChunk().isEmpty else {
            throw SnapshotDecodeFailure(reason: "the machine's restore left snapshot data unread")
        }
        return (sessions, machine)
    }
}
