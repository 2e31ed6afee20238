/// Which of a run's queues hold acknowledged messages that no receive has claimed yet, so that with many
/// queues the consumers receive where the producers sent, as consumers woken by long polls would, instead of
/// walking every queue round robin. With 10,000 queues and a backlog of a few hundred messages, nearly every
/// round-robin receive came back empty (10,049 of 10,526 in a 2 s run), and each empty receive is a log entry:
/// the run measured the walk, not the server.
///
/// Per queue: messages acknowledged, minus messages received, minus what the receives in flight may take
/// (their MaxNumberOfMessages each). Queues with some left wait in a first-in first-out list, each once.
struct QueueBacklogs {
    private var unclaimed: [Int]
    private var isListed: [Bool]
    private var listed: [Int] = []
    /// `listed[listedHead...]` is the list; the consumed front is dropped once it is half the array.
    private var listedHead = 0

    init(queues: Int) {
        unclaimed = Array(repeating: 0, count: queues)
        isListed = Array(repeating: false, count: queues)
    }

    /// Queues with unclaimed messages.
    var listedCount: Int { listed.count - listedHead }

    /// `count` messages sent to `queue` were acknowledged.
    mutating func acknowledged(_ count: Int, queue: Int) {
        unclaimed[queue] += count
        listIfUnclaimed(queue)
    }

    /// The next queue with unclaimed messages, first listed first, with up to `messagesMax` of them claimed
    /// for one receive; nil when no queue has any. A queue with more left goes to the back of the list.
    mutating func claim(messagesMax: Int) -> Int? {
        while listedHead < listed.count {
            let queue = listed[listedHead]
            listedHead += 1
            isListed[queue] = false
            guard unclaimed[queue] > 0 else { continue }
            unclaimed[queue] -= messagesMax
            listIfUnclaimed(queue)
            dropConsumedFront()
            return queue
        }
        dropConsumedFront()
        return nil
    }

    /// A receive on `queue` that claimed `claimed` messages (0 for one that claimed none) got `received`
    /// new ones, or was lost (`received` 0): what it did not take is unclaimed again.
    mutating func answered(queue: Int, claimed: Int, received: Int) {
        unclaimed[queue] += claimed - received
        listIfUnclaimed(queue)
    }

    private mutating func listIfUnclaimed(_ queue: Int) {
        guard unclaimed[queue] > 0, !isListed[queue] else { return }
        isListed[queue] = true
        listed.append(queue)
    }

    private mutating func dropConsumedFront() {
        guard listedHead > 0, listedHead * 2 >= listed.count else { return }
        listed.removeFirst(listedHead)
        listedHead = 0
    }
}
