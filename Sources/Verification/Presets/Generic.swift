import RelayModel

extension Preset {
    /// `hmac`: every knob of the signature is a route setting, for providers without a preset.
    package static let genericHMAC = Preset(
        name: "hmac",
        extraKeys: [
            .signatureHeader, .algorithm, .encoding, .signaturePrefix, .secretEncoding, .signedPayload, .timestampHeader,
            .timestampUnit,
        ]
    ) { builder in
        let header = builder.required(.signatureHeader)
        let algorithm = builder.choice(.algorithm, default: HMACAlgorithm.sha256)
        let encoding = builder.choice(.encoding, default: SignatureEncoding.hex)
        let secretEncoding = builder.choice(.secretEncoding, default: SecretEncoding.utf8)
        let timestampHeader = builder.string(.timestampHeader)
        let unit = builder.choice(.timestampUnit, default: TimestampUnit.seconds)
        var template: SignedPayloadTemplate?
        do throws(SigningError) {
            template = try SignedPayloadTemplate(builder.string(.signedPayload) ?? "{body}")
        } catch {
            builder.fail(.signedPayload, error.description)
        }
        if let template, template.usesTimestamp, timestampHeader == nil {
            builder.fail(.signedPayload, "uses {timestamp}, so TIMESTAMP_HEADER must name the header that carries it")
        }
        guard let secrets = builder.secrets(encoding: secretEncoding ?? .utf8), let header, let algorithm, let encoding, let unit,
            let template
        else { return nil }
        return HMACScheme(
            algorithm: algorithm,
            encoding: encoding,
            layout: .plain(header: HeaderRef(header), prefix: builder.string(.signaturePrefix) ?? ""),
            payload: template,
            timestamp: timestampHeader.map { .header(HeaderRef($0), unit) },
            tolerance: timestampHeader == nil ? nil : builder.tolerance ?? 300,
            idHeader: HeaderRef("webhook-id", "svix-id"),
            publicURL: builder.publicURL,
            secrets: secrets
        )
    }

    /// `token`: a shared secret in a header (default `Authorization: Bearer`), the query or a body field.
    package static let token = Preset(name: "token", extraKeys: [.tokenHeader, .tokenQuery, .tokenField]) { builder in
        let header = builder.string(.tokenHeader)
        let query = builder.string(.tokenQuery)
        let field = builder.string(.tokenField)
        guard [header, query, field].compactMap({ $0 }).count <= 1 else {
            builder.fail(.tokenHeader, "set only one of TOKEN_HEADER, TOKEN_QUERY and TOKEN_FIELD")
            return nil
        }
        var place = TokenVerifier.Place.header(header ?? "Authorization")
        if let query { place = .query(query) }
        if let field {
            guard let selector = builder.selector(.tokenField, field) else { return nil }
            place = .field(selector)
        }
        guard let tokens = builder.secrets(encoding: .utf8) else { return nil }
        return TokenVerifier(place: place, tokens: tokens)
    }

    /// `basic`: HTTP Basic auth; `SECRET` is `user:password` (several, comma-separated).
    package static let basic = Preset(name: "basic") { builder in
        guard let credentials = builder.secrets(encoding: .utf8) else { return nil }
        for credential in credentials where !credential.contains(UInt8(ascii: ":")) {
            builder.fail(.secret, "basic credentials are user:password")
            return nil
        }
        return BasicVerifier(credentials: credentials)
    }

    /// `none`: no verification at all, refused unless the route also sets `ALLOW_UNSIGNED=true`.
    package static let unsigned = Preset(name: "none") { builder in
        guard builder.flag(.allowUnsigned) == true else {
            builder.fail(.preset, "'none' accepts anyone who knows the URL; set ALLOW_UNSIGNED=true to mean it")
            return nil
        }
        return UnsignedVerifier()
    }
}
