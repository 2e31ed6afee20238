import FerryNode
import FerryQueue
import FerryQueueReplica
import XCTest

/// The largest command the SQS limits allow (`QueueLimits.encodedCommandBytesMax`, checked against the
/// real encoding in FerryQueueTests' CommandSizeTests) must fit in what a node replicates.
final class CommandBoundTests: XCTestCase {
    func testTheLargestQueueCommandFitsALogEntry() {
        XCTAssertLessThanOrEqual(QueueLimits.encodedCommandBytesMax, ReplicaNode<QueueReplica>.commandBodyBytesMax)
    }
}
