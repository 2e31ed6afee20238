/// `application/x-www-form-urlencoded` and URL query strings.
public enum FormDecoding {
    /// `k=v&k2=v2` -> pairs, `+` as space, `%XX` decoded. nil when an escape is malformed or a
    /// decoded name or value is not UTF-8.
    public static func pairs(_ text: some StringProtocol) -> [(String, String)]? {
        var result: [(String, String)] = []
        for part in text.split(separator: "&") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(pieces[0], plusIsSpace: true),
                let value = percentDecode(pieces.count > 1 ? pieces[1] : "", plusIsSpace: true)
            else { return nil }
            result.append((name, value))
        }
        return result
    }

    static func percentDecode(_ text: some StringProtocol, plusIsSpace: Bool) -> String? {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else {
                    return nil
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(plusIsSpace && b == UInt8(ascii: "+") ? 0x20 : b)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// RFC 3986 percent-encoding of everything but `A-Za-z0-9-_.~` (SigV4's UriEncode).
    public static func uriEncode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out += [UInt8(ascii: "%"), digits[Int(b >> 4)], digits[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
