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
