import Foundation
import RelayModel

public enum AcceptResult: Sendable, Equatable {
    /// Stored (pending, or superseded at once when a newer event for the conversation came first).
    case accepted(id: Int64)
    /// The same dedup key was accepted within the window; nothing new was stored.
    case duplicate(id: Int64)
}
