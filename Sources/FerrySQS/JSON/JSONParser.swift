/// Why a body is not the JSON Ferry accepts.
public struct JSONParseError: Error, Sendable, Equatable {
    public var message: String
    public var offset: Int
}

/// Strict RFC 8259 parser over UTF-8 bytes.
///
/// The parser of request bodies (and of the `ferry` tool's responses). FerryQueue keeps its own small one,
/// `MiniJSON`, for policy documents inside the machine: it keeps member order so a stored policy renders back
/// unchanged, and FerryQueue cannot import this module.
///
/// Works on the body's buffer in place: strings are scanned eight bytes at a time for the three bytes that
/// end a plain run (`"`, `\` and C0 controls, `JSONScan`), and an escaped string is assembled in one scratch buffer
/// rather than a growing array. Error messages and offsets are part of the SQS error text, so every check
/// happens at the same byte, in the same order, as in a byte-at-a-time reading.
public struct JSONParser {
    /// Nesting depth. SQS requests nest four deep (entries -> attributes -> value); 64 is generous
    /// and keeps a hostile `[[[[...` from exhausting the stack.
    public static let depthMax = 64

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Where an escaped string's content is assembled, allocated at the first escape with room for the
    /// whole document: a string never decodes longer than its source text (`\uXXXX` is 6 bytes for at
    /// most 3, a surrogate pair 12 for 4, every other escape 2 for 1).
    private var scratch: UnsafeMutablePointer<UInt8>?

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try reading(bytes) { parser throws(JSONParseError) -> JSONValue in
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            guard parser.index == parser.bytes.count else {
                throw parser.error("trailing characters after the document")
            }
            return value
        }
    }

    /// `body` with a parser positioned at the start of `bytes`.
    static func reading<R, E: Error>(_ bytes: [UInt8], _ body: (inout JSONParser) throws(E) -> R) throws(E) -> R {
        try bytes.withUnsafeBufferPointer { buffer throws(E) -> R in
            var parser = JSONParser(buffer)
            defer { parser.scratch?.deallocate() }
            return try body(&parser)
        }
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < JSONParser.depthMax else { throw error("nesting deeper than \(JSONParser.depthMax)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let matches = literal.withUTF8Buffer { expected in
            bytes.count - index >= expected.count && bytes[index..<(index + expected.count)].elementsEqual(expected)
        }
        guard matches else { throw error("invalid literal") }
        index += literal.utf8CodeUnitCount
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            throw error("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> String {
        let begin = index
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.index
            while p.index < p.bytes.count, p.bytes[p.index] >= 0x30, p.bytes[p.index] <= 0x39 { p.index += 1 }
            return p.index - s
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits(&self) > 0 else { throw error("invalid number") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[begin..<index]), as: UTF8.self)
    }

    /// A string's content: raw UTF-8 must be valid (never repaired: bodies stay byte-exact),
    /// escapes are decoded, `\u` surrogate pairs joined, lone surrogates and raw controls refused.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let begin = index
        // Bit 7 of any byte set: the raw text has non-ASCII bytes, whose UTF-8 must be validated.
        var seen: UInt64 = 0
        index = plainRunEnd(from: index, seen: &seen)
        guard index < bytes.count else { throw error("unterminated string") }
        let stop = bytes[index]
        if stop == UInt8(ascii: "\"") {
            // No escape before the closing quote (member names, ids, many bodies): one copy of the run.
            let text = try makeString(
                UnsafeBufferPointer(rebasing: bytes[begin..<index]), rawIsASCII: seen & JSONScan.highBits == 0)
            index += 1
            return text
        }
        if stop < 0x20 { throw error("control character in string") }
        // An escape: assemble the content in the scratch buffer.
        if scratch == nil { scratch = .allocate(capacity: bytes.count) }
        let out = scratch!
        var count = index - begin
        out.initialize(from: bytes.baseAddress! + begin, count: count)
        let source = UnsafeRawPointer(bytes.baseAddress!)
        while true {
            if index + 8 <= bytes.count {
                // A whole word is stored, and the lanes before its first special byte kept. In bounds: the
                // output never outgrows the input read so far (count <= index - begin).
                let word = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                UnsafeMutableRawPointer(out + count).storeBytes(of: word.littleEndian, as: UInt64.self)
                let mask = JSONScan.specialMask(word)
                if mask == 0 {
                    seen |= word
                    count += 8
                    index += 8
                    continue
                }
                let lanes = JSONScan.plainLanes(mask)
                seen |= word & ((1 << UInt64(lanes * 8)) &- 1)
                count += lanes
                index += lanes
            } else {
                while index < bytes.count, JSONScan.isPlain(bytes[index]) {
                    out[count] = bytes[index]
                    seen |= UInt64(bytes[index])
                    count += 1
                    index += 1
                }
            }
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                break
            }
            if byte < 0x20 { throw error("control character in string") }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let escape = bytes[index]
            index += 1
            let decoded: UInt8
            switch escape {
            case UInt8(ascii: "\""): decoded = 0x22
            case UInt8(ascii: "\\"): decoded = 0x5C
            case UInt8(ascii: "/"): decoded = 0x2F
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "u"):
                count += Self.writeUTF8(try parseUnicodeEscape(), to: out + count)
                continue
            default: throw error("invalid escape")
            }
            out[count] = decoded
            count += 1
        }
        // Escapes write whole, valid scalars, so only raw non-ASCII text can make the result invalid.
        return try makeString(UnsafeBufferPointer(start: out, count: count), rawIsASCII: seen & JSONScan.highBits == 0)
    }

    /// The string for `utf8`, refusing invalid UTF-8 when the raw text had non-ASCII bytes.
    private func makeString(_ utf8: UnsafeBufferPointer<UInt8>, rawIsASCII: Bool) throws(JSONParseError) -> String {
        if rawIsASCII { return String(decoding: utf8, as: UTF8.self) }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return text
    }

    private func plainRunEnd(from start: Int, seen: inout UInt64) -> Int {
        JSONScan.plainRunEnd(bytes, from: start, seen: &seen)
    }

    /// `scalar` as UTF-8 at `out`; returns the byte count.
    private static func writeUTF8(_ scalar: Unicode.Scalar, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        for unit in UTF8.encode(scalar)! {
            out[count] = unit
            count += 1
        }
        return count
    }

    /// After `\u`: four hex digits, and for a high surrogate a following `\uDC00-DFFF`.
    private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try parseHex4()
        var scalarValue = first
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw error("unpaired surrogate")
            }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw error("unpaired surrogate") }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw error("unpaired surrogate")
        }
        guard let scalar = Unicode.Scalar(scalarValue) else { throw error("invalid code point") }
        return scalar
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
