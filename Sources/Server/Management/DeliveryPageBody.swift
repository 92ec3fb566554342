import Foundation
import Hummingbird
import NIOFoundationEssentialsCompat
import RelayModel
import Store

/// `GET /admin/deliveries`: a page, and the cursor of the next one (`null` on the last).
struct DeliveryPageBody: Encodable {
    let deliveries: [DeliveryBody]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case deliveries
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
