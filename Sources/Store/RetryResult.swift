import Foundation
import RelayModel

public enum RetryResult: Sendable, Equatable {
    case retried(Delivery)
    case notFound
    /// Only dead deliveries can be retried.
    case notDead(DeliveryState)
    /// A newer event for the conversation exists: sending this one now would undo it.
    case superseded
}
