import RelayModel

extension Preset {
    /// Microsoft Teams outgoing webhooks: `Authorization: HMAC <base64 HMAC-SHA256(body)>`, keyed with the
    /// base64-decoded security token. A message `@Feedback <conversation id> like` needs no settings.
    package static let teams = Preset(
        name: "teams",
        defaults: .init(
            conversationID: "/text",
            conversationIDPattern: "([A-Za-z0-9_-]+)\\s+(?:like|dislike)\\s*$",
            feedback: "/text",
            feedbackPattern: "\\b(like|dislike)\\s*$",
            match: "/type=message",
            eventID: "/id",
            eventTime: "/timestamp"
        )
    ) { builder in
        guard let secrets = builder.secrets(encoding: .base64) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .base64,
            layout: .plain(header: HeaderRef("Authorization"), prefix: "HMAC "),
            secrets: secrets
        )
    }
}
