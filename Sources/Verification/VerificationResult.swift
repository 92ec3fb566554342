import Foundation
import RelayModel

public enum VerificationResult: Sendable, Equatable {
    /// Verified with the secret at this index in the route's list (rotation).
    case verified(secretIndex: Int)
    case refused(Refusal)
}
