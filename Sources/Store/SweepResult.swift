import Foundation
import RelayModel

public struct SweepResult: Sendable, Equatable {
    public var deliveries: Int
    public var dedupKeys: Int
}
