import Foundation
import RelayModel

extension Preset {
    /// HubSpot v3: `X-HubSpot-Signature-v3: base64(HMAC-SHA256(method + uri + body + timestamp))` with the
    /// timestamp (ms) in `X-HubSpot-Request-Timestamp`, keyed with the app's client secret; 5 minutes'
    /// tolerance. The URI is the one HubSpot called, rebuilt from `RELAY_PUBLIC_URL` and the request's path
    /// and query, with the few escapes HubSpot decodes before signing decoded.
    package static let hubspot = Preset(
        name: "hubspot",
        defaults: .init(feedback: "/0/propertyValue", eventID: "/0/eventId", eventTime: "/0/occurredAt", tolerance: 300)
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8), let origin = builder.publicOrigin() else { return nil }
        let schemes = origin.variants.map { variant in
            HMACScheme(
                algorithm: .sha256,
                encoding: .base64,
                layout: .plain(header: HeaderRef("X-HubSpot-Signature-v3"), prefix: ""),
                payload: try! SignedPayloadTemplate("{method}{url}{body}{timestamp}"),
                timestamp: .header(HeaderRef("X-HubSpot-Request-Timestamp"), .milliseconds),
                tolerance: builder.tolerance,
                publicURL: variant,
                secrets: secrets
            )
        }
        return HubSpotVerifier(schemes: schemes)
    }
}

/// One HMAC scheme per way the public origin may be written; the first that verifies wins.
package struct HubSpotVerifier: Verifier {
    package let schemes: [HMACScheme]

    package var summary: String { "hubspot v3 (\(schemes[0].summary))" }

    /// HubSpot signs its URI with these escapes decoded; any others stay as sent.
    package static func signedTarget(_ target: String) -> String {
        let decoded: [String: String] = [
            "3A": ":", "2F": "/", "3F": "?", "40": "@", "21": "!", "24": "$", "27": "'", "28": "(", "29": ")", "2A": "*", "2C": ",", "3B": ";",
        ]
        guard target.contains("%") else { return target }
        var out = ""
        var rest = target[...]
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            let code = rest[rest.index(after: percent)...].prefix(2)
            if code.count == 2, let character = decoded[code.uppercased()] {
                out += character
                rest = rest[code.endIndex...]
            } else {
                out += "%"
                rest = rest[rest.index(after: percent)...]
            }
        }
        return out + rest
    }

    package func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        var signed = request
        signed.target = Self.signedTarget(request.target)
        var result = VerificationResult.refused(.missingHeader("X-HubSpot-Signature-v3"))
        for scheme in schemes {
            result = scheme.verify(signed, now: now)
            if case .refused(.signatureMismatch) = result { continue }
            return result
        }
        return result
    }

    package func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        var signed = request
        signed.target = Self.signedTarget(request.target)
        return try schemes[0].sign(signed, secretIndex: secretIndex, now: now)
    }
}
