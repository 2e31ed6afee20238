import FerryQueue
import FerrySQS

/// Queue lifecycle, attributes, tags and permissions (docs/sqs-wire.md, "Operations", "Queue attributes").
extension SQSService {
    typealias Respond = (Result<SQSResponse, SQSError>) -> Void

    func createQueue(_ r: CreateQueueRequest, _ respond: @escaping Respond) {
        let attributes = Self.sortedPairs(r.attributes)
        let tags = Self.sortedPairs(r.tags)
        if let error = Self.validate({
            _ = try QueueValidation.validateCreate(name: r.queueName, attributes: attributes, tags: tags)
        }) {
            return respond(.failure(error))
        }
        submit(.createQueue(name: r.queueName, attributes: attributes, tags: tags), respond) { [unowned self] result in
            Self.expect(result) { result in
                guard case .queueCreated(let name) = result else { return nil }
                return .createQueue(queueUrl: self.queueUrl(name))
            }
        }
    }

    func getQueueUrl(_ r: GetQueueUrlRequest, _ respond: @escaping Respond) {
        if let owner = r.queueOwnerAWSAccountId, owner != accountId {
            return respond(.failure(.noSuchQueue))
        }
        read(respond) { [unowned self] machine in
            guard machine.queueExists(r.queueName) else { return .failure(Self.noSuchQueue(r.queueName)) }
            return .success(.getQueueUrl(queueUrl: self.queueUrl(r.queueName)))
        }
    }

    func listQueues(_ r: ListQueuesRequest, _ respond: @escaping Respond) {
        read(respond) { [unowned self] machine in
            let page = machine.listQueues(
                prefix: r.queueNamePrefix ?? "", maxResults: r.maxResults, nextToken: r.nextToken)
            return .success(.listQueues(queueUrls: page.names.map(self.queueUrl), nextToken: page.nextToken))
        }
    }

    func deleteQueue(_ r: QueueRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.submit(.deleteQueue(name: name), respond) { Self.expect($0) { _ in .deleteQueue } }
        }
    }

    func getQueueAttributes(_ r: GetQueueAttributesRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.read(respond) { machine in
                // The counts as of this node's clock, not of the last applied command: a message whose
                // visibility timeout has passed is receivable now, so it counts as visible now.
                machine.getQueueAttributes(name, names: r.attributeNames, nowMs: Int64(Server.wallClockMs()))
                    .map { pairs in .getQueueAttributes(attributes: Self.dictionary(pairs)) }
                    .mapError(SQSErrorMapping.map)
            }
        }
    }

    func setQueueAttributes(_ r: SetQueueAttributesRequest, _ respond: @escaping Respond) {
        // Attribute checks depend on the queue's type (FIFO-only names), so the machine runs them.
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.submit(.setQueueAttributes(name: name, attributes: Self.sortedPairs(r.attributes)), respond) {
                Self.expect($0) { _ in .setQueueAttributes }
            }
        }
    }

    func tagQueue(_ r: TagQueueRequest, _ respond: @escaping Respond) {
        // An empty map is no Tags at all (the query protocol cannot even send one).
        if r.tags.isEmpty { return respond(.failure(.missingParameter("Tags"))) }
        let tags = Self.sortedPairs(r.tags)
        withQueue(r.queueUrl, respond) { [unowned self] name in
            if let error = Self.validate({ try QueueValidation.validateTags(tags, queueName: name) }) {
                return respond(.failure(error))
            }
            self.submit(.tagQueue(name: name, tags: tags), respond) { Self.expect($0) { _ in .tagQueue } }
        }
    }

    func untagQueue(_ r: UntagQueueRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.submit(.untagQueue(name: name, keys: r.tagKeys.sorted()), respond) {
                Self.expect($0) { _ in .untagQueue }
            }
        }
    }

    func listQueueTags(_ r: QueueRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.read(respond) { machine in
                machine.listQueueTags(name)
                    .map { .listQueueTags(tags: Self.dictionary($0)) }
                    .mapError(SQSErrorMapping.map)
            }
        }
    }

    func purgeQueue(_ r: QueueRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            self.submit(.purgeQueue(name: name), respond) { Self.expect($0) { _ in .purgeQueue } }
        }
    }

    /// The grant travels as a command and the machine builds the statement into the queue's Policy while
    /// applying it: two AddPermissions on different nodes both land (docs/sqs-compatibility.md).
    func addPermission(_ r: AddPermissionRequest, _ respond: @escaping Respond) {
        let grant = PermissionGrant(label: r.label, accountIds: r.awsAccountIds, actions: r.actions)
        withQueue(r.queueUrl, respond) { [unowned self] name in
            if let error = Self.validate({ try PermissionPolicy.validate(grant) }) { return respond(.failure(error)) }
            self.submit(.addPermission(queueName: name, grant: grant), respond) {
                Self.expect($0) { _ in .addPermission }
            }
        }
    }

    func removePermission(_ r: RemovePermissionRequest, _ respond: @escaping Respond) {
        withQueue(r.queueUrl, respond) { [unowned self] name in
            guard PermissionPolicy.isLabel(r.label) else {
                // No statement can carry such a label: answer without putting it in the log.
                return self.read(respond) { machine in
                    guard machine.queueExists(name) else { return .failure(Self.noSuchQueue(name)) }
                    return .failure(SQSErrorMapping.map(PermissionPolicy.labelNotFound(r.label)))
                }
            }
            self.submit(.removePermission(queueName: name, label: r.label), respond) {
                Self.expect($0) { _ in .removePermission }
            }
        }
    }

    // MARK: - Helpers

    /// Runs `body` with the queue name the URL names, or answers QueueDoesNotExist.
    func withQueue(_ url: String, _ respond: Respond, _ body: (String) -> Void) {
        switch queueName(fromUrl: url) {
        case .success(let name): body(name)
        case .failure(let error): respond(.failure(error))
        }
    }

    static func noSuchQueue(_ name: String) -> SQSError { .noSuchQueue }

    /// Maps travel through Raft as name-sorted pairs so the encoding is deterministic.
    static func sortedPairs(_ map: [String: String]) -> [KeyValue] {
        map.keys.sorted().map { KeyValue($0, map[$0]!) }
    }

    static func dictionary(_ pairs: [KeyValue]) -> [String: String] {
        var out: [String: String] = [:]
        for pair in pairs { out[pair.key] = pair.value }
        return out
    }
}
