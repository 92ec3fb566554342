import Foundation
import RelayModel

/// How an attempt ended, as the worker decided from ElevenLabs' answer.
public enum AttemptResult: Sendable, Equatable {
    case delivered(status: Int)
    case retry(at: Date, status: Int?, error: String)
    case dead(status: Int?, error: String)
}

extension AttemptResult {
    /// `delivered`, `retry` or `dead`: the attempt's outcome in logs and spans.
    public var label: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .dead: "dead"
        }
    }
}
