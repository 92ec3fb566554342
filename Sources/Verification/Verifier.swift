import Foundation
import RelayModel

public protocol Verifier: Sendable {
    func verify(_ request: SignedRequest, now: Date) -> VerificationResult
    /// The headers (and query additions) a sender would attach, for `feedback-relay sign`.
    func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial
    /// Redacted description for `check-config`.
    var summary: String { get }
}
