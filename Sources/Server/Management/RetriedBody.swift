import Foundation
import Hummingbird
import NIOFoundationEssentialsCompat
import RelayModel
import Store

/// `POST /admin/deliveries/retry?state=dead`: how many dead deliveries are pending again.
struct RetriedBody: Encodable {
    let retried: Int
}

extension Encodable {
    /// The value as a JSON answer.
    func response(status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try DeliveryBody.encoder.encode(self))))
    }
}
