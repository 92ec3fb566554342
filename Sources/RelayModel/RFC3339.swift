import Foundation

/// RFC 3339 timestamps, with or without fractional seconds.
package enum RFC3339 {
    package static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    package static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2026-11-26T00:45:12.345Z`, for log lines: a few hundred nanoseconds, where Foundation's
    /// format styles take microseconds.
    package static func formatMilliseconds(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = min(max(Int((interval - Double(seconds)) * 1000), 0), 999)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var index = 0
            func put(_ value: Int, _ count: Int) {
                var rest = value
                for offset in stride(from: count - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                index += count
            }
            func put(_ character: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: character)
                index += 1
            }
            put(Int(parts.tm_year) + 1900, 4)
            put("-")
            put(Int(parts.tm_mon) + 1, 2)
            put("-")
            put(Int(parts.tm_mday), 2)
            put("T")
            put(Int(parts.tm_hour), 2)
            put(":")
            put(Int(parts.tm_min), 2)
            put(":")
            put(Int(parts.tm_sec), 2)
            put(".")
            put(millis, 3)
            put("Z")
            return index
        }
    }
}
