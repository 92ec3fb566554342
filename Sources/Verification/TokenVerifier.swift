import Foundation
import RelayModel

/// A shared token in a header, the query or a body field, for senders that cannot sign
/// (Freshdesk, Gorgias, Aircall). Compared by digest, so neither content nor length leaks.
public struct TokenVerifier: Verifier {
    public enum Place: Sendable, CustomStringConvertible {
        /// `Authorization: Bearer <token>` is read without its scheme word.
        case header(String)
        case query(String)
        case field(Selector)

        public var description: String {
            switch self {
            case .header(let name): "header \(name)"
            case .query(let name): "query parameter \(name)"
            case .field(let selector): "field \(selector)"
            }
        }
    }

    public let place: Place
    package let tokens: [[UInt8]]

    public init(place: Place, tokens: [[UInt8]]) {
        self.place = place
        self.tokens = tokens
    }

    public var summary: String { "token in \(place), \(tokens.count) token(s) [redacted]" }

    package func presented(in request: SignedRequest) -> String? {
        switch place {
        case .header(let name):
            guard let value = request.headers[named: name] else { return nil }
            if name.caseInsensitiveEquals("Authorization") {
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count == 2, String(parts[0]).caseInsensitiveEquals("Bearer") { return String(parts[1]) }
            }
            return value
        case .query(let name):
            return FormFields(parsing: request.query)?.first(name)
        case .field(let selector):
            return try? RequestPayload(request).text(selector)
        }
    }

    public func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        guard let presented = presented(in: request) else { return .refused(.missingCredential(place.description)) }
        let bytes = Array(presented.utf8)
        var matched: Int?
        for (index, token) in tokens.enumerated() where Crypto.constantTimeEqualsDigest(token, bytes) {
            matched = matched ?? index
        }
        guard let matched else { return .refused(.credentialMismatch(place.description)) }
        return .verified(secretIndex: matched)
    }

    public func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        guard tokens.indices.contains(secretIndex) else { throw SigningError(description: "the route has no token #\(secretIndex + 1)") }
        let token = String(decoding: tokens[secretIndex], as: UTF8.self)
        var material = SignatureMaterial()
        switch place {
        case .header(let name):
            material.headers.append((name, name.caseInsensitiveEquals("Authorization") ? "Bearer \(token)" : token))
        case .query(let name):
            material.queryItems.append((name, token))
        case .field(let selector):
            throw SigningError(description: "the token travels in the body (\(selector)); put it there yourself")
        }
        return material
    }
}
