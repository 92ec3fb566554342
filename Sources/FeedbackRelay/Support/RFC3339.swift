import Foundation

/// RFC 3339 timestamps, with or without fractional seconds.
enum RFC3339 {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2026-11-26T00:45:12.345Z`, for log lines: a few hundred nanoseconds, where Foundation's
    /// format styles take microseconds.
    static func formatMilliseconds(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ count: Int) -> [UInt8] {
            var out = [UInt8](repeating: UInt8(ascii: "0"), count: count)
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return out
        }
        var bytes = digits(Int(parts.tm_year) + 1900, 4) + [UInt8(ascii: "-")] + digits(Int(parts.tm_mon) + 1, 2) + [UInt8(ascii: "-")]
        bytes += digits(Int(parts.tm_mday), 2) + [UInt8(ascii: "T")] + digits(Int(parts.tm_hour), 2) + [UInt8(ascii: ":")]
        bytes += digits(Int(parts.tm_min), 2) + [UInt8(ascii: ":")] + digits(Int(parts.tm_sec), 2) + [UInt8(ascii: ".")]
        bytes += digits(min(max(millis, 0), 999), 3) + [UInt8(ascii: "Z")]
        return String(decoding: bytes, as: UTF8.self)
    }
}
