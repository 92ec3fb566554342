extension Preset {
    /// `hmac`: every knob of the signature is a route setting, for providers without a preset.
    static let genericHMAC = Preset(
        name: "hmac",
        extraKeys: [
            "SIGNATURE_HEADER", "ALGORITHM", "ENCODING", "SIGNATURE_PREFIX", "SECRET_ENCODING", "SIGNED_PAYLOAD", "TIMESTAMP_HEADER",
            "TIMESTAMP_UNIT",
        ]
    ) { builder in
        let header = builder.required("SIGNATURE_HEADER")
        let algorithm = builder.choice("ALGORITHM", default: HMACAlgorithm.sha256)
        let encoding = builder.choice("ENCODING", default: SignatureEncoding.hex)
        let secretEncoding = builder.choice("SECRET_ENCODING", default: SecretEncoding.utf8)
        let timestampHeader = builder.string("TIMESTAMP_HEADER")
        let unit = builder.choice("TIMESTAMP_UNIT", default: TimestampUnit.seconds)
        var template: SignedPayloadTemplate?
        do throws(SigningError) {
            template = try SignedPayloadTemplate(builder.string("SIGNED_PAYLOAD") ?? "{body}")
        } catch {
            builder.fail("SIGNED_PAYLOAD", error.description)
        }
        if let template, template.usesTimestamp, timestampHeader == nil {
            builder.fail("SIGNED_PAYLOAD", "uses {timestamp}, so TIMESTAMP_HEADER must name the header that carries it")
        }
        guard let secrets = builder.secrets(encoding: secretEncoding ?? .utf8), let header, let algorithm, let encoding, let unit,
            let template
        else { return nil }
        return HMACScheme(
            algorithm: algorithm,
            encoding: encoding,
            layout: .plain(header: HeaderRef(header), prefix: builder.string("SIGNATURE_PREFIX") ?? ""),
            payload: template,
            timestamp: timestampHeader.map { .header(HeaderRef($0), unit) },
            tolerance: timestampHeader == nil ? nil : builder.tolerance ?? 300,
            idHeader: HeaderRef("webhook-id", "svix-id"),
            publicURL: builder.publicURL,
            secrets: secrets
        )
    }

    /// `token`: a shared secret in a header (default `Authorization: Bearer`), the query or a body field.
    static let token = Preset(name: "token", extraKeys: ["TOKEN_HEADER", "TOKEN_QUERY", "TOKEN_FIELD"]) { builder in
        let header = builder.string("TOKEN_HEADER")
        let query = builder.string("TOKEN_QUERY")
        let field = builder.string("TOKEN_FIELD")
        guard [header, query, field].compactMap({ $0 }).count <= 1 else {
            builder.fail("TOKEN_HEADER", "set only one of TOKEN_HEADER, TOKEN_QUERY and TOKEN_FIELD")
            return nil
        }
        var place = TokenVerifier.Place.header(header ?? "Authorization")
        if let query { place = .query(query) }
        if let field {
            guard let selector = builder.selector("TOKEN_FIELD", field) else { return nil }
            place = .field(selector)
        }
        guard let tokens = builder.secrets(encoding: .utf8) else { return nil }
        return TokenVerifier(place: place, tokens: tokens)
    }

    /// `basic`: HTTP Basic auth; `SECRET` is `user:password` (several, comma-separated).
    static let basic = Preset(name: "basic") { builder in
        guard let credentials = builder.secrets(encoding: .utf8) else { return nil }
        for credential in credentials where !credential.contains(UInt8(ascii: ":")) {
            builder.fail("SECRET", "basic credentials are user:password")
            return nil
        }
        return BasicVerifier(credentials: credentials)
    }

    /// `none`: no verification at all, refused unless the route also sets `ALLOW_UNSIGNED=true`.
    static let unsigned = Preset(name: "none") { builder in
        guard builder.flag("ALLOW_UNSIGNED") == true else {
            builder.fail("PRESET", "'none' accepts anyone who knows the URL; set ALLOW_UNSIGNED=true to mean it")
            return nil
        }
        return UnsignedVerifier()
    }
}
