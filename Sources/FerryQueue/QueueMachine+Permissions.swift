/// AddPermission / RemovePermission: edits of the queue's Policy attribute, built from the state at apply
/// time (see `PermissionPolicy`), so grants proposed concurrently on different nodes all land.
extension QueueMachine {
    mutating func addPermission(_ name: String, _ grant: PermissionGrant) -> QueueResult {
        let queueArn = arn(of: name)
        return editPolicy(name) { current in try PermissionPolicy.adding(grant, to: current, queueArn: queueArn) }
    }

    mutating func removePermission(_ name: String, _ label: String) -> QueueResult {
        editPolicy(name) { current in try PermissionPolicy.removing(label, from: current) }
    }

    /// Replaces the queue's Policy with `edit(current)` (nil: no Policy), through the same attribute checks
    /// SetQueueAttributes runs.
    private mutating func editPolicy(_ name: String, _ edit: (String?) throws -> String?) -> QueueResult {
        guard let id = queueIdByName[name] else { return .failed(.noQueue(name)) }
        let current = queues[id]!.attributes
        let next: QueueAttributes
        do {
            next = try current.applying([("Policy", try edit(current.policy) ?? "")], creating: false)
        } catch let error as QueueError {
            return .failed(error)
        } catch {
            preconditionFailure("policy edits throw QueueError only")
        }
        replaceAttributes(id: id, with: next)
        return .done
    }
}
