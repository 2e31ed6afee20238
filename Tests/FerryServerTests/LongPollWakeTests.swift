import FerryQueue
import FerrySQS
import XCTest

@testable import FerryServer

/// Which parked long polls wake when a queue becomes receivable, and when a woken one may retry. A message
/// that lands while polls are parked is taken at once by as few of them as can take it all.
final class LongPollWakeTests: XCTestCase {
    /// A parked poll.
    private func poll(maxMessages: Int = 10) -> LongPoll {
        let poll = LongPoll(
            request: ReceiveRequest(queueName: "q", maxMessages: maxMessages),
            view: ReceivedMessageView(
                ReceiveMessageRequest(queueUrl: "http://x/1/q"), senderId: "1", queueName: "q",
                receiptHandles: ReceiptHandleSeal(clusterSecret: "a-long-enough-cluster-secret")),
            deadlineMs: 20_000, clientGone: { false }, respond: { _ in })
        poll.isParked = true
        return poll
    }

    // MARK: Pacing

    func testTheReceiveMadeOnArrivalHoldsNothingBack() {
        var pacing = ReceivePacing()
        pacing.started(atMs: 1_000)
        pacing.cameBackEmpty()
        XCTAssertEqual(pacing.earliest(1_005), 1_005, "a message landing 5 ms after the poll parked is taken at once")
    }

    func testAWokenReceiveThatComesBackEmptyPausesTheNext() {
        var pacing = ReceivePacing()
        pacing.started(atMs: 1_000)
        pacing.cameBackEmpty()
        pacing.started(atMs: 1_010)  // woken: the machine said ready, but another consumer won
        pacing.cameBackEmpty()
        XCTAssertEqual(pacing.earliest(1_020), 1_010 + ReceivePacing.retryIntervalMs)
        XCTAssertEqual(pacing.earliest(2_000), 2_000)
    }

    func testAWokenReceiveThatGotMessagesPausesNothing() {
        var pacing = ReceivePacing()
        pacing.started(atMs: 1_000)
        pacing.cameBackEmpty()
        pacing.started(atMs: 1_010)
        XCTAssertEqual(pacing.earliest(1_020), 1_020)
    }

    // MARK: Whom to wake

    func testOneMessageWakesOnlyTheOldestPoll() {
        let polls = [poll(), poll(), poll()]
        XCTAssertTrue(LongPollRegistry.pollsToWake(polls, receivable: 1, nowMs: 100).elementsEqual([polls[0]], by: ===))
    }

    func testMoreMessagesThanOneReceiveTakesWakeMorePolls() {
        let polls = [poll(maxMessages: 10), poll(maxMessages: 10), poll(maxMessages: 10)]
        XCTAssertEqual(LongPollRegistry.pollsToWake(polls, receivable: 11, nowMs: 100).count, 2)
        XCTAssertEqual(LongPollRegistry.pollsToWake(polls, receivable: 100, nowMs: 100).count, 3)
    }

    func testAReceiveInFlightCoversWhatItWillTake() {
        // The first poll's receive is in the log and readiness still counts its messages: waking another
        // poll for them would only bring back an empty receive.
        let polls = [poll(maxMessages: 10), poll(maxMessages: 10)]
        polls[0].inFlight = true
        XCTAssertTrue(LongPollRegistry.pollsToWake(polls, receivable: 10, nowMs: 100).isEmpty)
        XCTAssertTrue(
            LongPollRegistry.pollsToWake(polls, receivable: 11, nowMs: 100).elementsEqual([polls[1]], by: ===))
    }

    func testUnpacedPollsWakeBeforePacedOnes() {
        let polls = [poll(), poll()]
        polls[0].pacing.started(atMs: 0)
        polls[0].pacing.started(atMs: 90)
        polls[0].pacing.cameBackEmpty()  // paced until 140
        XCTAssertTrue(LongPollRegistry.pollsToWake(polls, receivable: 1, nowMs: 100).elementsEqual([polls[1]], by: ===))
        XCTAssertTrue(
            LongPollRegistry.pollsToWake(polls, receivable: 1, nowMs: 140).elementsEqual([polls[0]], by: ===),
            "once its pause is over, the oldest is first again")
    }

    func testAPollNoLongerParkedIsNeitherWokenNorCounted() {
        // A finished poll stays in its queue's list until such polls are half of it.
        let polls = [poll(maxMessages: 10), poll(maxMessages: 10), poll(maxMessages: 10)]
        polls[0].isParked = false
        polls[1].isParked = false
        polls[1].inFlight = true  // answered while its receive was in the log: it covers nothing now
        XCTAssertTrue(LongPollRegistry.pollsToWake(polls, receivable: 1, nowMs: 100).elementsEqual([polls[2]], by: ===))
    }

    func testPollsNoLongerParkedLeaveTheListOnceTheyAreAboutHalfOfIt() {
        var parked = ParkedPolls()
        let polls = (0..<40).map { _ in poll() }
        for poll in polls { parked.append(poll) }
        for (index, poll) in polls.enumerated() where index % 4 != 3 {  // 30 of 40 answered
            poll.isParked = false
            parked.removeUnparked()
            XCTAssertLessThanOrEqual(parked.polls.count, 2 * parked.parkedCount + 16 + 1)
        }
        XCTAssertEqual(parked.parkedCount, 10)
        XCTAssertTrue(
            parked.polls.filter(\.isParked).elementsEqual(
                polls.enumerated().filter { $0.offset % 4 == 3 }.map(\.element), by: ===),
            "the polls still parked keep their parking order")
        XCTAssertLessThan(parked.polls.count, 40, "some answered polls were dropped from the list")
    }

    func testAnArrivingRequestsReceiveCoversWhatItWillTake() {
        // A request that just arrived has its receive in the log; it takes the new messages like a woken
        // poll would. Waking the parked poll as well would bring back an empty receive and pause it.
        let polls = [poll(maxMessages: 10), poll(maxMessages: 10)]
        XCTAssertTrue(LongPollRegistry.pollsToWake(polls, receivable: 10, arrivalsTaking: 10, nowMs: 100).isEmpty)
        XCTAssertTrue(
            LongPollRegistry.pollsToWake(polls, receivable: 15, arrivalsTaking: 10, nowMs: 100)
                .elementsEqual([polls[0]], by: ===), "what the arrival cannot take still wakes the oldest")
    }
}
