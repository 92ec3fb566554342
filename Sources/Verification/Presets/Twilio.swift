import Foundation
import RelayModel

extension Preset {
    /// Twilio: `X-Twilio-Signature: base64(HMAC-SHA1(url + sorted form parameters))`, keyed with the Auth
    /// Token. JSON bodies carry their SHA-256 in the URL's `bodySHA256` and sign the URL alone. A Webhook
    /// Setting may sign with HMAC-SHA256 and a shared key instead, and says so in
    /// `X-Twilio-Webhooks-Signature-Settings`. The URL is rebuilt from `RELAY_PUBLIC_URL`.
    package static let twilio = Preset(
        name: "twilio",
        defaults: .init(
            feedback: "form:Body",
            like: "1,yes,y,good,👍",
            dislike: "2,no,n,bad,👎",
            eventID: "form:MessageSid|form:CallSid|header:I-Twilio-Idempotency-Token"
        )
    ) { builder in
        guard let secrets = builder.secrets(encoding: .utf8), let origin = builder.publicOrigin() else { return nil }
        return TwilioVerifier(origin: origin, secrets: secrets)
    }
}

package struct TwilioVerifier: Verifier {
    package static let signatureHeader = "X-Twilio-Signature"
    package static let settingsHeader = "X-Twilio-Webhooks-Signature-Settings"

    package let origin: PublicOrigin
    package let secrets: [[UInt8]]

    package var summary: String {
        "twilio hmac-sha1 (or hmac-sha256 per \(Self.settingsHeader)), base64, header \(Self.signatureHeader), "
            + "signs \"{url}{sorted form parameters}\" at \(origin.variants[0]), \(secrets.count) secret(s) [redacted]"
    }

    /// HMAC-SHA1 unless a Webhook Setting names another algorithm; nil for one Twilio does not define.
    package static func algorithm(_ settings: String?) -> HMACAlgorithm? {
        guard let settings else { return .sha1 }
        for field in settings.split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmedASCII.lowercased() == "algorithm" else { continue }
            switch pair[1].trimmedASCII.uppercased() {
            case "HMAC_SHA1", "HMAC-SHA1": return .sha1
            case "HMAC_SHA256", "HMAC-SHA256": return .sha256
            default: return nil
            }
        }
        return .sha1
    }

    /// What follows the URL in the signed string: every form parameter, sorted by name and then value,
    /// as `name + value` (duplicates once, as Twilio's validator does). Nothing for a JSON body.
    package static func parameters(of request: SignedRequest, jsonBody: Bool) -> [UInt8]? {
        guard !jsonBody else { return [] }
        guard let form = FormFields(parsing: String(decoding: request.body, as: UTF8.self)[...]) else { return nil }
        var seen = Set<[UInt8]>()
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for (name, value) in form.pairs where seen.insert(Array(name.utf8) + [0] + Array(value.utf8)).inserted {
            pairs.append((Array(name.utf8), Array(value.utf8)))
        }
        // Byte order of UTF-8 is code point order, which is how Twilio's libraries sort.
        pairs.sort { $0.name == $1.name ? $0.value.lexicographicallyPrecedes($1.value) : $0.name.lexicographicallyPrecedes($1.name) }
        return pairs.flatMap { $0.name + $0.value }
    }

    package static func bodyHash(in request: SignedRequest) -> String? {
        FormFields(parsing: request.query)?.first("bodySHA256")
    }

    package func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        guard let header = request.headers[named: Self.signatureHeader] else { return .refused(.missingHeader(Self.signatureHeader)) }
        guard let provided = Base64.decode(header.trimmedASCII) else { return .refused(.malformedHeader(Self.signatureHeader)) }
        guard let algorithm = Self.algorithm(request.headers[named: Self.settingsHeader]) else {
            return .refused(.malformedHeader(Self.settingsHeader))
        }
        let claimedHash = Self.bodyHash(in: request)
        if let claimedHash {
            let actual = Array(Hex.encode(Crypto.sha256(request.body)).utf8)
            guard Crypto.constantTimeEquals(actual, Array(claimedHash.lowercased().utf8)) else {
                return .refused(.bodyHashMismatch("query bodySHA256"))
            }
        }
        guard let parameters = Self.parameters(of: request, jsonBody: claimedHash != nil) else {
            return .refused(.malformedHeader("Content-Type (body is not form-encoded)"))
        }
        var matched: Int?
        for url in origin.urls(for: request.target) {
            let message = Array(url.utf8) + parameters
            for (index, secret) in secrets.enumerated()
            where Crypto.constantTimeEquals(Crypto.hmac(algorithm, key: secret, message: message), provided) {
                matched = matched ?? index
            }
        }
        guard let matched else { return .refused(.signatureMismatch(Self.signatureHeader)) }
        return .verified(secretIndex: matched)
    }

    /// Signs as Twilio's default (HMAC-SHA1); a JSON body gets its `bodySHA256` in the query first.
    package func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        guard secrets.indices.contains(secretIndex) else { throw SigningError(description: "the route has no secret #\(secretIndex + 1)") }
        var material = SignatureMaterial()
        var request = request
        let jsonBody = SignedRequest.contentType(of: request.body) == "application/json"
        if jsonBody {
            let hash = Hex.encode(Crypto.sha256(request.body))
            material.queryItems.append(("bodySHA256", hash))
            request.target += (request.target.contains("?") ? "&" : "?") + "bodySHA256=" + hash
        }
        guard let parameters = Self.parameters(of: request, jsonBody: jsonBody) else {
            throw SigningError(description: "the body is neither JSON nor form-encoded")
        }
        let message = Array(origin.urls(for: request.target)[0].utf8) + parameters
        material.headers.append((Self.signatureHeader, Base64.encode(Crypto.hmac(.sha1, key: secrets[secretIndex], message: message))))
        return material
    }
}
