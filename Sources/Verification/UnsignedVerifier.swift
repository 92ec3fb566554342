import Foundation
import RelayModel

/// `none`: accepts everything. Only built when the route sets `ALLOW_UNSIGNED=true`.
public struct UnsignedVerifier: Verifier {
    public var summary: String { "unsigned (ALLOW_UNSIGNED=true): anyone who knows the URL can post" }

    public func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        .verified(secretIndex: 0)
    }

    public func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        SignatureMaterial()
    }
}
