import FerrySQS

/// Pulls `Body` and `ReceiptHandle` out of a ReceiveMessage JSON response without building a
/// document: one pass over the bytes, tracking strings, keys and object nesting. The benchmark
/// receives tens of thousands of 1 KiB messages a second on cores it shares with the cluster, so
/// it must not pay for a full parse (Strings and dictionaries) of every message.
///
/// Values come back as slices of the response, still JSON-escaped: a receipt handle is echoed
/// verbatim into DeleteMessageBatch, and the benchmark's bodies are plain ASCII.
enum ReceiveResponseScanner {
    struct Message {
        var body: ArraySlice<UInt8>
        var receiptHandle: ArraySlice<UInt8>
    }

    /// Every object with both a `Body` and a `ReceiptHandle` string member; nil when the bytes are
    /// not well-formed as far as the scan can tell (an unterminated string, unbalanced braces).
    static func messages(in json: [UInt8]) -> [Message]? {
        var messages: [Message] = []
        var objectStarts: [Int] = []
        var currentObject = -1
        var body: ArraySlice<UInt8>?
        var handle: ArraySlice<UInt8>?
        var i = 0
        let n = json.count
        while i < n {
            switch json[i] {
            case UInt8(ascii: "{"):
                objectStarts.append(i)
                i += 1
            case UInt8(ascii: "}"):
                guard objectStarts.popLast() != nil else { return nil }
                i += 1
            case UInt8(ascii: "\""):
                guard let keyEnd = stringEnd(json, from: i) else { return nil }
                let key = json[(i + 1)..<keyEnd]
                i = skipSpaces(json, from: keyEnd + 1)
                guard i < n, json[i] == UInt8(ascii: ":") else { continue }  // a value, not a key
                let isBody = key.elementsEqual("Body".utf8)
                guard isBody || key.elementsEqual("ReceiptHandle".utf8) else {
                    i += 1
                    continue
                }
                i = skipSpaces(json, from: i + 1)
                guard i < n, json[i] == UInt8(ascii: "\""), let valueEnd = stringEnd(json, from: i) else { continue }
                let value = json[(i + 1)..<valueEnd]
                i = valueEnd + 1
                let object = objectStarts.last ?? -1
                if object != currentObject {
                    currentObject = object
                    body = nil
                    handle = nil
                }
                if isBody { body = value } else { handle = value }
                if let b = body, let h = handle {
                    messages.append(Message(body: b, receiptHandle: h))
                    body = nil
                    handle = nil
                }
            default:
                i += 1
            }
        }
        return objectStarts.isEmpty ? messages : nil
    }

    /// Index of the quote closing the string that opens at `start`; nil if it never closes.
    private static func stringEnd(_ json: [UInt8], from start: Int) -> Int? {
        var i = start + 1
        while i < json.count {
            switch json[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i
            default: i += 1
            }
        }
        return nil
    }

    private static func skipSpaces(_ json: [UInt8], from start: Int) -> Int {
        var i = start
        while i < json.count, json[i] == 0x20 || json[i] == 0x0A || json[i] == 0x0D || json[i] == 0x09 { i += 1 }
        return i
    }
}

/// Batch responses (SendMessageBatch, DeleteMessageBatch): the ids and codes of failed entries.
enum BatchResponseReader {
    /// The compact form every success takes; finding it spares the parse.
    static let noFailures = Array("\"Failed\":[]".utf8)

    /// Failed entries as (Id, Code); nil when the body is not a batch response.
    static func failures(in body: [UInt8]) -> [(id: String, code: String)]? {
        if contains(body, noFailures) { return [] }
        guard let json = try? JSONParser.parse(body), let failed = json["Failed"]?.array else { return nil }
        return failed.map { ($0["Id"]?.string ?? "?", $0["Code"]?.string ?? "Unknown") }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
