import RelayModel

extension Preset {
    /// Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1(body)>` with the app's client secret.
    /// A `conversation.rating.added` notification carries the 1-5 rating at `/data/item/conversation_rating`.
    package static let intercom = bodySigned(
        "intercom",
        header: "X-Hub-Signature",
        prefix: "sha1=",
        algorithm: .sha1,
        encoding: .hex,
        defaults: .init(
            feedback: "/data/item/conversation_rating/rating",
            like: ">=4",
            dislike: "<=2",
            eventID: "/id",
            eventTime: "/created_at"
        )
    )
}
