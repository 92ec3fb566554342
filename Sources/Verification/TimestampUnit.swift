import Foundation
import HTTPTypes
import RelayModel

public enum TimestampUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
    case iso8601

    /// Unix seconds from the text as the sender wrote it.
    package func seconds(from text: String) -> Double? {
        switch self {
        case .seconds: return Double(text).flatMap { $0.isFinite ? $0 : nil }
        case .milliseconds: return Double(text).flatMap { $0.isFinite ? $0 / 1000 : nil }
        case .iso8601: return RFC3339.parse(text)?.timeIntervalSince1970
        }
    }

    package func format(_ date: Date) -> String {
        switch self {
        case .seconds: String(Int(date.timeIntervalSince1970))
        case .milliseconds: String(Int(date.timeIntervalSince1970 * 1000))
        case .iso8601: RFC3339.format(date)
        }
    }
}
