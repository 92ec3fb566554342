import Foundation
import RelayModel

public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its next attempt (or in flight, while it holds a lease).
    case pending
    case delivered
    /// Refused by ElevenLabs, or out of retries: kept with the last answer until someone retries it.
    case dead
    /// A newer event for the same conversation came first; never sent.
    case superseded
}
