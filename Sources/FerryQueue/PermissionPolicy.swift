/// One AddPermission: a label naming the grant, the accounts it is for and the actions it allows.
public struct PermissionGrant: Equatable, Sendable {
    public var label: String
    public var accountIds: [String]
    public var actions: [String]

    public init(label: String, accountIds: [String], actions: [String]) {
        self.label = label
        self.accountIds = accountIds
        self.actions = actions
    }
}

/// AddPermission and RemovePermission as edits of the queue's `Policy` attribute (docs/sqs-compatibility.md,
/// "AddPermission and RemovePermission"). A grant becomes one statement whose `Sid` is its label, in the
/// document AWS builds:
///
/// ```json
/// {"Version":"2012-10-17","Id":"<queue ARN>/SQSDefaultPolicy","Statement":[{"Sid":"<label>","Effect":"Allow",
///  "Principal":{"AWS":"arn:aws:iam::<account>:root"},"Action":"SQS:SendMessage","Resource":"<queue ARN>"}]}
/// ```
///
/// Principal and Action are a string for one value and a list for several. Pure functions of their inputs:
/// the machine calls them while applying, so every replica builds the same bytes.
public enum PermissionPolicy {
    /// The actions a grant may name; the batch variants are covered by their single-message names.
    /// Every other action is the queue owner's alone.
    public static let grantableActions: Set<String> = [
        "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
        "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage",
    ]

    /// The checks that need no queue: label syntax, account ids, the action limit and action names.
    public static func validate(_ grant: PermissionGrant) throws {
        try validateLabel(grant.label)
        guard !grant.accountIds.isEmpty else {
            throw QueueError.invalidParameter("PrincipalId", value: "[]", "Unable to verify.")
        }
        for id in grant.accountIds where !isAccountId(id) {
            throw QueueError.invalidParameter("PrincipalId", value: id, "Unable to verify.")
        }
        guard !grant.actions.isEmpty else {
            throw QueueError(.missingParameter, "The request must contain the parameter Actions.")
        }
        guard grant.actions.count <= QueueLimits.permissionActionsMax else {
            throw QueueError(
                .overLimit,
                "\(grant.actions.count) Actions were found, maximum allowed is \(QueueLimits.permissionActionsMax).")
        }
        for action in grant.actions where !grantableActions.contains(action) {
            throw QueueError.invalidParameter(
                "ActionName", value: "SQS:\(action)",
                "Only the queue owner is allowed to invoke this action.")
        }
        // The grant alone must fit the Policy attribute; checked here so an oversized request never reaches the log.
        _ = try checkedSize(document(statements: [statement(grant, queueArn: "")], queueArn: ""))
    }

    public static func validateLabel(_ label: String) throws {
        guard isLabel(label) else {
            throw QueueError.invalidParameter(
                "Label", value: label,
                "Must be 1-\(QueueLimits.permissionLabelCharactersMax) "
                    + "characters of alphanumeric characters, hyphens (-) and underscores (_).")
        }
    }

    public static func labelNotFound(_ label: String) -> QueueError {
        QueueError.invalidParameter("Label", value: label, "can't find label on existing policy.")
    }

    /// Whether `label` is 1-80 characters of `[A-Za-z0-9_-]`: a label that is not can name no statement.
    public static func isLabel(_ label: String) -> Bool {
        let bytes = Array(label.utf8)
        return (1...QueueLimits.permissionLabelCharactersMax).contains(bytes.count)
            && bytes.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
                    || b == 0x5F
            }
    }

    static func isAccountId(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return bytes.count == 12 && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The Policy text with `grant` added as a new last statement. `current` is the queue's Policy (nil: none).
    static func adding(_ grant: PermissionGrant, to current: String?, queueArn: String) throws -> String {
        try validate(grant)
        guard let current else {
            return try checkedSize(document(statements: [statement(grant, queueArn: queueArn)], queueArn: queueArn))
        }
        var (members, statements) = try parsed(current)
        if statements.contains(where: { sid(of: $0) == grant.label }) {
            throw QueueError.invalidParameter("Label", value: grant.label, "Already exists.")
        }
        statements.append(statement(grant, queueArn: queueArn))
        return try checkedSize(replacingStatements(members, with: statements))
    }

    /// The Policy text without the statements labelled `label`; nil when none is left (the queue then has no
    /// Policy attribute at all).
    static func removing(_ label: String, from current: String?) throws -> String? {
        let notFound = labelNotFound(label)
        guard let current else { throw notFound }
        let (members, statements) = try parsed(current)
        let kept = statements.filter { sid(of: $0) != label }
        guard kept.count < statements.count else { throw notFound }
        return kept.isEmpty ? nil : replacingStatements(members, with: kept).rendered
    }

    // MARK: Building

    static func statement(_ grant: PermissionGrant, queueArn: String) -> MiniJSON.Node {
        .object([
            ("Sid", .string(grant.label)),
            ("Effect", .string("Allow")),
            ("Principal", .object([("AWS", oneOrList(grant.accountIds.map { "arn:aws:iam::\($0):root" }))])),
            ("Action", oneOrList(grant.actions.map { "SQS:\($0)" })),
            ("Resource", .string(queueArn)),
        ])
    }

    static func document(statements: [MiniJSON.Node], queueArn: String) -> MiniJSON.Node {
        .object([
            ("Version", .string("2012-10-17")),
            ("Id", .string("\(queueArn)/SQSDefaultPolicy")),
            ("Statement", .array(statements)),
        ])
    }

    private static func oneOrList(_ values: [String]) -> MiniJSON.Node {
        values.count == 1 ? .string(values[0]) : .array(values.map(MiniJSON.Node.string))
    }

    private static func checkedSize(_ document: MiniJSON.Node) throws -> String {
        let text = document.rendered
        guard text.utf8.count <= QueueLimits.freeformAttributeBytesMax else {
            throw QueueError.invalidAttributeValue(
                "Policy", "AddPermission would make it longer than \(QueueLimits.freeformAttributeBytesMax) bytes.")
        }
        return text
    }

    // MARK: Reading an existing document

    /// The document's members and its statements. A Policy set with SetQueueAttributes may hold one
    /// statement object instead of a list, or no Statement at all; anything but a JSON object is refused.
    private static func parsed(
        _ text: String
    ) throws -> (members: [(String, MiniJSON.Node)], statements: [MiniJSON.Node]) {
        guard case .object(let members)? = MiniJSON.parse(text) else {
            throw QueueError.invalidAttributeValue(
                "Policy",
                "The queue's Policy is not a JSON object; "
                    + "AddPermission and RemovePermission cannot edit it.")
        }
        switch members.first(where: { $0.0 == "Statement" })?.1 {
        case nil: return (members, [])
        case .array(let statements)?: return (members, statements)
        case let single?: return (members, [single])
        }
    }

    private static func replacingStatements(
        _ members: [(String, MiniJSON.Node)],
        with statements: [MiniJSON.Node]
    ) -> MiniJSON.Node {
        var out = members.filter { $0.0 != "Statement" }
        let index = members.firstIndex(where: { $0.0 == "Statement" }) ?? out.count
        out.insert(("Statement", .array(statements)), at: min(index, out.count))
        return .object(out)
    }

    private static func sid(of statement: MiniJSON.Node) -> String? {
        guard case .object(let members) = statement, case .string(let sid)? = members.first(where: { $0.0 == "Sid" })?.1
        else {
            return nil
        }
        return sid
    }
}
