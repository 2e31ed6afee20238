import FerryQueue

/// SigV4 timestamps: `YYYYMMDD'T'HHMMSS'Z'` (X-Amz-Date) and RFC 1123 (`Date`), to and from epoch
/// seconds. Hand-written civil-calendar arithmetic (H. Hinnant's days_from_civil), no Foundation.
public enum AmzDate {
    /// Parses `20250115T120000Z`.
    /// Over the contiguous UTF-8 in place: copying it into an array was an allocation per request.
    public static func parseBasic(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { b in
            guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
            guard let year = number(b[0..<4]), let month = number(b[4..<6]), let day = number(b[6..<8]),
                let hour = number(b[9..<11]), let minute = number(b[11..<13]), let second = number(b[13..<15])
            else {
                return nil
            }
            return epoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        }
    }

    /// Parses `Wed, 15 Jan 2025 12:00:00 GMT` (RFC 9110 §5.6.7 IMF-fixdate).
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT" else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let day = number(ArraySlice(parts[1].utf8)),
            let year = number(ArraySlice(parts[3].utf8)),
            let hour = number(ArraySlice(clock[0].utf8)), let minute = number(ArraySlice(clock[1].utf8)),
            let second = number(ArraySlice(clock[2].utf8))
        else { return nil }
        return epoch(year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
    }

    /// Formats epoch seconds as `20250115T120000Z`.
    public static func formatBasic(_ epochSeconds: Int64) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondsOfDay = epochSeconds - days * 86_400
        let (y, m, d) = CivilDate.fromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(y, 4) + pad(m, 2) + pad(d, 2) + "T" + pad(secondsOfDay / 3600, 2)
            + pad(secondsOfDay / 60 % 60, 2) + pad(secondsOfDay % 60, 2) + "Z"
    }

    static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    static func epoch(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }
}
