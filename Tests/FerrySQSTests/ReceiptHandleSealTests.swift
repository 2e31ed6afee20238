import FerryQueue
import XCTest

@testable import FerrySQS

/// Receipt handles carry a MAC keyed from the cluster secret: only a handle the cluster sealed, for the
/// queue it was sealed for, opens; everything else is ReceiptHandleIsInvalid at the edge.
final class ReceiptHandleSealTests: XCTestCase {
    let seal = ReceiptHandleSeal(clusterSecret: "a-long-enough-cluster-secret")
    let machineHandle = ReceiptHandle(queue: 7, seq: 123_456_789, epoch: 3).text
    let account = "000000000000"

    private func sealed(_ handle: String? = nil, queue: String = "orders") -> String {
        seal.seal(handle ?? machineHandle, account: account, queueName: queue)
    }

    private func open(_ text: String, queue: String = "orders") -> String? {
        seal.open(text, account: account, queueName: queue)
    }

    func testASealedHandleOpensToTheMachinesHandle() {
        let handle = sealed()
        XCTAssertEqual(open(handle), machineHandle)
        XCTAssertTrue(handle.hasPrefix(machineHandle))
        XCTAssertEqual(handle.utf8.count, machineHandle.utf8.count + 32, "128 bits of MAC as hex")
        XCTAssertLessThanOrEqual(handle.utf8.count, 1_024, "SQS's receipt handle limit")
        XCTAssertTrue(
            handle.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0)
            },
            "URL- and XML-safe: letters and digits only")
    }

    func testEveryNodeOfTheClusterSealsAlike() {
        let otherNode = ReceiptHandleSeal(clusterSecret: "a-long-enough-cluster-secret")
        XCTAssertEqual(otherNode.seal(machineHandle, account: account, queueName: "orders"), sealed())
        XCTAssertEqual(otherNode.open(sealed(), account: account, queueName: "orders"), machineHandle)
    }

    func testAnySingleAlteredCharacterIsRefused() {
        let handle = Array(sealed().utf8)
        for position in handle.indices {
            for replacement in Array("0123456789abcdefABCDEFRz-".utf8) where replacement != handle[position] {
                var altered = handle
                altered[position] = replacement
                let text = String(decoding: altered, as: UTF8.self)
                XCTAssertNil(open(text), "\(text) (position \(position)) must not open")
            }
        }
    }

    func testAForgedHandleWithTheSequenceChangedIsRefused() {
        // What a client could do with the unkeyed format: another slot's handle, its checksum recomputed,
        // and the MAC of a handle it did receive.
        let handle = sealed()
        let forgedInner = ReceiptHandle(queue: 7, seq: 123_456_788, epoch: 3).text
        XCTAssertNil(open(forgedInner + handle.dropFirst(machineHandle.utf8.count)))
    }

    func testAHandleFromAnotherClusterIsRefused() {
        let other = ReceiptHandleSeal(clusterSecret: "another-cluster's-secret-entirely")
        XCTAssertNil(open(other.seal(machineHandle, account: account, queueName: "orders")))
    }

    func testAHandleIsBoundToItsQueueAndAccount() {
        let handle = sealed()
        XCTAssertNil(open(handle, queue: "orders2"))
        XCTAssertNil(open(handle, queue: "order"))
        XCTAssertNil(open(handle, queue: ""))
        XCTAssertNil(seal.open(handle, account: "111111111111", queueName: "orders"))
        // The length prefixes keep fields from sliding into each other.
        XCTAssertNil(seal.open(handle, account: account + "o", queueName: "rders"))
    }

    func testTheUnkeyedFormatIsRefused() {
        XCTAssertNil(open(machineHandle), "a bare machine handle (the old format)")
    }

    func testEmptyTruncatedAndOverlongHandlesAreRefused() {
        let handle = sealed()
        XCTAssertNil(open(""))
        XCTAssertNil(open(String(handle.dropLast())))
        XCTAssertNil(open(String(handle.dropFirst())))
        XCTAssertNil(open(handle + "0"))
        XCTAssertNil(open(String(handle.suffix(32))), "a MAC with nothing in front")
        XCTAssertNil(open(String(repeating: "a", count: 1_024)))
        XCTAssertNil(open(String(repeating: "a", count: 1_025)))
        XCTAssertNil(open(handle + String(repeating: "0", count: 1_024 - handle.utf8.count)), "padded to 1,024")
        XCTAssertNil(open(handle + String(repeating: "0", count: 1_025 - handle.utf8.count)), "padded to 1,025")
        XCTAssertNil(open(String(repeating: "é", count: 60)), "non-ASCII")
    }

    func testTheLongestInnerHandleStillSealsAndOpens() {
        let longest = String(repeating: "x", count: ReceiptHandleSeal.innerBytesMax)
        let handle = sealed(longest)
        XCTAssertEqual(open(handle), longest)
        XCTAssertLessThanOrEqual(handle.utf8.count, 1_024)
        XCTAssertNil(
            open(String(repeating: "x", count: ReceiptHandleSeal.innerBytesMax + 1) + handle.suffix(32)),
            "one byte past the bound is refused before hashing")
    }
}
