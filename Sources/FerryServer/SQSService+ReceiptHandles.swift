import FerryQueue
import FerrySQS

/// Receipt handles at the edge (`ReceiptHandleSeal`): sealed in every receive response (`ReceivedMessageView`,
/// both protocols), opened in every request that takes one before anything is proposed. A handle that does
/// not open is answered ReceiptHandleIsInvalid (per entry in batches) and never costs a log entry.
extension SQSService {
    /// The machine's handle inside the client's, or the error to answer.
    func machineHandle(_ clientHandle: String, queueName: String) -> Result<String, QueueError> {
        guard let handle = receiptHandles.open(clientHandle, account: accountId, queueName: queueName) else {
            return .failure(.receiptHandleInvalid(clientHandle))
        }
        return .success(handle)
    }

    /// Runs `body` with the machine's handle, or answers ReceiptHandleIsInvalid.
    func withMachineHandle(_ clientHandle: String, queueName: String, _ respond: Respond, _ body: (String) -> Void) {
        switch machineHandle(clientHandle, queueName: queueName) {
        case .success(let handle): body(handle)
        case .failure(let error): respond(.failure(SQSErrorMapping.map(error)))
        }
    }
}
