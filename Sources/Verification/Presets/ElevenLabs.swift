import RelayModel

extension Preset {
    /// ElevenLabs post-call webhooks: `ElevenLabs-Signature: t=<unix>,v0=<hex HMAC-SHA256("<t>.<body>")>`,
    /// 30 minutes' tolerance. Call success becomes like, failure dislike.
    package static let elevenlabs = Preset(
        name: "elevenlabs",
        defaults: .init(
            conversationID: "/data/conversation_id",
            feedback: "/data/analysis/call_successful",
            like: "success",
            dislike: "failure",
            match: "/type=post_call_transcription",
            eventTime: "/event_timestamp",
            tolerance: 1800
        )
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8) else { return nil }
        return HMACScheme(
            algorithm: .sha256,
            encoding: .hex,
            layout: .keyed(header: HeaderRef("ElevenLabs-Signature"), timestampKey: "t", signatureKey: "v0"),
            payload: try! SignedPayloadTemplate("{timestamp}.{body}"),
            timestamp: .signatureHeader,
            tolerance: builder.tolerance,
            secrets: secrets
        )
    }
}
