import RelayModel

extension Preset {
    /// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256("v0:<ts>:<body>")>`, 5 minutes' tolerance either
    /// way. Interactive buttons arrive form-encoded in `payload=`; a button whose value is
    /// `<conversation id>:like` or `:dislike` needs no further settings. Events API's
    /// `url_verification` is answered with its challenge.
    package static let slack = Preset(
        name: "slack",
        defaults: .init(
            conversationID: "form:payload/actions/0/value",
            conversationIDPattern: "^([A-Za-z0-9_-]+):",
            feedback: "form:payload/actions/0/value",
            feedbackPattern: ":([A-Za-z]+)$",
            like: "like",
            dislike: "dislike",
            match: "form:payload/type=block_actions",
            tolerance: 300
        ),
        handshake: SlackURLVerification()
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .plain(header: HeaderRef("X-Slack-Signature"), prefix: "v0="),
            payload: try! SignedPayloadTemplate("v0:{timestamp}:{body}"),
            timestamp: .header(HeaderRef("X-Slack-Request-Timestamp"), .seconds),
            tolerance: builder.tolerance,
            secrets: secrets
        )
    }
}

/// `{"type":"url_verification","challenge":"..."}` is answered with the challenge.
package struct SlackURLVerification: Handshake {
    package func answer(_ request: SignedRequest) -> HandshakeAnswer? {
        guard request.body.first == UInt8(ascii: "{"), let document = try? JSONParser.parse(request.body),
            document["type"] == .string("url_verification"), case .string(let challenge)? = document["challenge"]
        else { return nil }
        return HandshakeAnswer(status: 200, contentType: "application/json", body: JSONText.object([("challenge", challenge)]))
    }
}
