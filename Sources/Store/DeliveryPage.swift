import Foundation
import RelayModel

public struct DeliveryPage: Sendable, Equatable {
    public var deliveries: [Delivery]
    public var nextCursor: String?
}
