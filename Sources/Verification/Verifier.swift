import Foundation
import RelayModel

/// Why a request was refused. The log carries it; the sender only sees 401.
public enum Refusal: Sendable, Equatable, CustomStringConvertible {
    case missingHeader(String)
    case malformedHeader(String)
    case signatureMismatch(String)
    case missingTimestamp(String)
    case staleTimestamp(header: String, skewSeconds: Int)
    case missingCredential(String)
    case credentialMismatch(String)
    case bodyHashMismatch(String)

    public var description: String {
        switch self {
        case .missingHeader(let name): "header \(name) is missing"
        case .malformedHeader(let name): "header \(name) is malformed"
        case .signatureMismatch(let name): "signature in \(name) matches no configured secret"
        case .missingTimestamp(let name): "timestamp \(name) is missing or unreadable"
        case .staleTimestamp(let name, let skew): "timestamp \(name) is \(skew) s away from now, outside the tolerance"
        case .missingCredential(let place): "credential \(place) is missing"
        case .credentialMismatch(let place): "credential \(place) matches no configured secret"
        case .bodyHashMismatch(let place): "body does not match the hash in \(place)"
        }
    }

    /// The outcome it is counted and logged as.
    public var outcome: RequestOutcome {
        switch self {
        case .staleTimestamp: .refusedStale
        default: .refusedSignature
        }
    }
}

public enum VerificationResult: Sendable, Equatable {
    /// Verified with the secret at this index in the route's list (rotation).
    case verified(secretIndex: Int)
    case refused(Refusal)
}

public protocol Verifier: Sendable {
    func verify(_ request: SignedRequest, now: Date) -> VerificationResult
    /// The headers (and query additions) a sender would attach, for `feedback-relay sign`.
    func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial
    /// Redacted description for `check-config`.
    var summary: String { get }
}

/// What signing adds to a request.
public struct SignatureMaterial: Sendable {
    public var headers: [(name: String, value: String)] = []
    public var queryItems: [(name: String, value: String)] = []
}

public struct SigningError: Error, CustomStringConvertible {
    public let description: String
}
