import Foundation
import RelayModel

extension Preset {
    /// Front: app webhooks sign `<X-Front-Request-Timestamp>:<body>` with HMAC-SHA256 (base64), and
    /// validate the URL with an `X-Front-Challenge` to echo; rule webhooks sign the body alone with
    /// HMAC-SHA1 (base64). The same route takes both: the timestamp header tells which.
    package static let front = Preset(
        name: "front",
        defaults: .init(tolerance: 300),
        handshake: FrontChallenge()
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        let header = HeaderRef("X-Front-Signature")
        return FrontVerifier(
            app: HMACScheme(
                algorithm: .sha256,
                encoding: .base64,
                layout: .plain(header: header, prefix: ""),
                payload: try! SignedPayloadTemplate("{timestamp}:{body}"),
                timestamp: .header(HeaderRef("X-Front-Request-Timestamp"), .milliseconds),
                tolerance: builder.tolerance,
                secrets: secrets
            ),
            rule: HMACScheme(algorithm: .sha1, encoding: .base64, layout: .plain(header: header, prefix: ""), secrets: secrets)
        )
    }
}

package struct FrontVerifier: Verifier {
    package let app: HMACScheme
    package let rule: HMACScheme

    package var summary: String { "front app webhooks (\(app.summary)) or rule webhooks (\(rule.summary))" }

    private func scheme(for request: SignedRequest) -> HMACScheme {
        request.headers[named: "X-Front-Request-Timestamp"] == nil ? rule : app
    }

    package func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        scheme(for: request).verify(request, now: now)
    }

    /// Signs as an app webhook unless the request already says otherwise.
    package func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        try app.sign(request, secretIndex: secretIndex, now: now)
    }
}

/// Front validates an app webhook's URL by sending `X-Front-Challenge`; the answer echoes it.
package struct FrontChallenge: Handshake {
    package func answer(_ request: SignedRequest) -> HandshakeAnswer? {
        guard let challenge = request.headers[named: "X-Front-Challenge"] else { return nil }
        return HandshakeAnswer(status: 200, contentType: "text/plain", body: challenge)
    }
}
