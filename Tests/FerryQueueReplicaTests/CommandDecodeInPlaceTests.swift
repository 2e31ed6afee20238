import FerryNode
import FerryQueue
import FerryQueueReplica
import XCTest

/// A replica decodes a command where it lies in its log entry, after the node's stamp, instead of copying it
/// out first: the same command as from a copy, and the same refusals.
final class CommandDecodeInPlaceTests: XCTestCase {
    let stamp = [UInt8](repeating: 0xAB, count: 24)

    func testACommandAfterTheStampDecodesAsFromACopy() throws {
        let command = QueueCommand.sendMessages(
            queueName: "q", entries: [SendEntry(id: "1", body: Array("hello".utf8), delaySeconds: 3)], isBatch: false)
        let entry = stamp + QueueReplica.encode(command)
        XCTAssertEqual(try QueueReplica.decode(entry, startingAt: stamp.count), command)
        XCTAssertEqual(
            try QueueReplica.decode(entry, startingAt: stamp.count),
            try QueueReplica.decode(QueueReplica.encode(command)))
    }

    func testATruncatedOrEmptyOrOverlongCommandIsRefused() {
        let encoded = QueueReplica.encode(.deleteQueue(name: "q"))
        XCTAssertThrowsError(try QueueReplica.decode(stamp + encoded.dropLast(), startingAt: stamp.count))
        XCTAssertThrowsError(try QueueReplica.decode(stamp, startingAt: stamp.count), "nothing after the stamp")
        XCTAssertThrowsError(try QueueReplica.decode(stamp + encoded + [0], startingAt: stamp.count), "trailing bytes")
        XCTAssertThrowsError(try QueueReplica.decode(stamp + [9] + encoded.dropFirst(), startingAt: stamp.count))
    }
}
