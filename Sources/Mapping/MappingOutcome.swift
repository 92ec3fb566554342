import Foundation
import RelayModel

public enum MappingOutcome: Sendable, Equatable {
    case feedback(FeedbackEvent)
    /// Verified but carries no like/dislike; the reason goes back to the sender.
    case ignored(String)
    /// Verified but has no valid conversation id.
    case unprocessable(String)
}
