import Foundation

/// `500ms`, `15s`, `2m`, `72h`, `1d`; a bare number is seconds.
package enum DurationText {
    package static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Double(number) else { return nil }
            return milliseconds(value * scale * 1000)
        }
        return Double(trimmed).flatMap { milliseconds($0 * 1000) }
    }

    /// A count of milliseconds a `Duration` can hold: a value past `Int64` is refused, not a crash.
    private static func milliseconds(_ value: Double) -> Duration? {
        let rounded = value.rounded()
        guard rounded.isFinite, rounded >= 0, rounded < Double(Int64.max) else { return nil }
        return .milliseconds(Int64(rounded))
    }
}
