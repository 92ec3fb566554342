import Foundation
import RelayModel

/// HTTP Basic credentials (`user:password`), compared by digest.
public struct BasicVerifier: Verifier {
    package let credentials: [[UInt8]]

    public init(credentials: [[UInt8]]) {
        self.credentials = credentials
    }

    public var summary: String { "basic auth, \(credentials.count) credential(s) [redacted]" }

    public func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        guard let header = request.headers[named: "Authorization"] else { return .refused(.missingCredential("header Authorization")) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, String(parts[0]).caseInsensitiveEquals("Basic"),
            let decoded = Base64.decode(parts[1].trimmedASCII)
        else { return .refused(.malformedHeader("Authorization")) }
        var matched: Int?
        for (index, credential) in credentials.enumerated() where Crypto.constantTimeEqualsDigest(credential, decoded) {
            matched = matched ?? index
        }
        guard let matched else { return .refused(.credentialMismatch("header Authorization")) }
        return .verified(secretIndex: matched)
    }

    public func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        guard credentials.indices.contains(secretIndex) else { throw SigningError(description: "the route has no credential #\(secretIndex + 1)") }
        var material = SignatureMaterial()
        material.headers.append(("Authorization", "Basic " + Base64.encode(credentials[secretIndex])))
        return material
    }
}
