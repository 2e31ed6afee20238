/// Folds the query protocol's flattened parameters (docs/sqs-wire.md, "Query protocol") into the JSON model's shape,
/// so one decoder serves both protocols:
///
///     Attribute.1.Name=A&Attribute.1.Value=1         -> "Attributes": {"A": "1"}
///     Tag.1.Key=k&Tag.1.Value=v                      -> "tags" (CreateQueue) / "Tags" (TagQueue)
///     AttributeName.1=All                            -> "AttributeNames": ["All"]
///     MessageAttribute.1.Name=a&...Value.DataType=.. -> "MessageAttributes": {"a": {"DataType": ..}}
///     SendMessageBatchRequestEntry.1.Id=x            -> "Entries": [{"Id": "x"}]
///
/// List positions are 1-based and ordered numerically; gaps are tolerated.
enum QueryParameters {
    /// Flattened list name -> JSON member name.
    static let lists: [String: String] = [
        "AttributeName": "AttributeNames", "MessageAttributeName": "MessageAttributeNames",
        "MessageSystemAttributeName": "MessageSystemAttributeNames", "TagKey": "TagKeys",
        "AWSAccountId": "AWSAccountIds", "ActionName": "Actions",
    ]
    /// Flattened batch entry name -> "Entries".
    static let entryLists: Set<String> = [
        "SendMessageBatchRequestEntry", "DeleteMessageBatchRequestEntry", "ChangeMessageVisibilityBatchRequestEntry",
    ]
    /// Parameter names that can be nested at most this deep
    /// (SendMessageBatchRequestEntry.N.MessageAttribute.M.Value.DataType has 6 parts).
    static let nameDepthMax = 8

    /// A trie of dotted parameter names.
    final class Node {
        var value: String?
        var children: [String: Node] = [:]

        func child(_ key: String) -> Node {
            if let existing = children[key] { return existing }
            let node = Node()
            children[key] = node
            return node
        }

        /// Children whose key is a positive integer, in numeric order.
        var indexed: [Node] {
            children.compactMap { key, node in Int(key).flatMap { $0 > 0 ? ($0, node) : nil } }
                .sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    static func fold(_ pairs: [(String, String)], operation: SQSOperation) throws(SQSError) -> [String: JSONValue] {
        let root = Node()
        for (name, value) in pairs {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= nameDepthMax else { throw .invalidParameter(name, "is nested too deeply.") }
            var node = root
            for part in parts { node = node.child(part) }
            node.value = value
        }
        return object(root, operation: operation)
    }

    static func object(_ node: Node, operation: SQSOperation) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for (key, child) in node.children {
            if let listName = lists[key] {
                members[listName] = .array(child.indexed.compactMap { $0.value.map(JSONValue.string) })
            } else if entryLists.contains(key) {
                members["Entries"] = .array(child.indexed.map { .object(object($0, operation: operation)) })
            } else if key == "Attribute" {
                members["Attributes"] = pairMap(child, keyName: "Name", valueName: "Value")
            } else if key == "Tag" {
                let name = operation == .createQueue ? "tags" : "Tags"
                members[name] = pairMap(child, keyName: "Key", valueName: "Value")
            } else if key == "MessageAttribute" || key == "MessageSystemAttribute" {
                members[key + "s"] = attributeMap(child)
            } else if let value = child.value {
                members[key] = .string(value)
            }
        }
        return members
    }

    static func pairMap(_ node: Node, keyName: String, valueName: String) -> JSONValue {
        var map: [String: JSONValue] = [:]
        for entry in node.indexed {
            guard let key = entry.children[keyName]?.value else { continue }
            map[key] = .string(entry.children[valueName]?.value ?? "")
        }
        return .object(map)
    }

    static func attributeMap(_ node: Node) -> JSONValue {
        var map: [String: JSONValue] = [:]
        for entry in node.indexed {
            guard let name = entry.children["Name"]?.value else { continue }
            var value: [String: JSONValue] = [:]
            if let fields = entry.children["Value"] {
                for field in ["DataType", "StringValue", "BinaryValue"] {
                    if let v = fields.children[field]?.value { value[field] = .string(v) }
                }
                if let list = fields.children["StringListValue"] {
                    value["StringListValues"] = .array(list.indexed.compactMap { $0.value.map(JSONValue.string) })
                }
                if let list = fields.children["BinaryListValue"] {
                    value["BinaryListValues"] = .array(list.indexed.compactMap { $0.value.map(JSONValue.string) })
                }
            }
            map[name] = .object(value)
        }
        return .object(map)
    }
}
