import Foundation
import RelayModel
import Settings
import Verification

/// `feedback-relay sign`: the headers a sender would attach to a body, so `curl` can play the sender.
public enum RequestSigner {
    public struct Signed: Sendable {
        public var target: String
        public var headers: [(name: String, value: String)]
    }

    public static func sign(route: Route, body: [UInt8], now: Date, secretIndex: Int = 0, query: String? = nil) throws -> Signed {
        var target = "/hooks/\(route.name)"
        if let query, !query.isEmpty { target += "?" + query }
        var headers: [(name: String, value: String)] = [("Content-Type", SignedRequest.contentType(of: body))]
        let request = SignedRequest(method: "POST", target: target, headers: headers, body: body)
        let material = try route.verifier.sign(request, secretIndex: secretIndex, now: now)
        headers += material.headers
        if !material.queryItems.isEmpty {
            let items = material.queryItems.map { PercentEncoding.encodeFormComponent($0.name) + "=" + PercentEncoding.encodeFormComponent($0.value) }
            target += (target.contains("?") ? "&" : "?") + items.joined(separator: "&")
        }
        return Signed(target: target, headers: headers)
    }
}
