import Foundation

/// What verification sees of a request: nothing about HTTP servers, just the signed material.
public struct SignedRequest: Sendable {
    public var method: String
    /// Path and query as the request line carried them, e.g. `/hooks/twilio?route=csat`.
    public var target: String
    public var headers: Headers
    public var body: [UInt8]

    public init(method: String, target: String, headers: Headers, body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
    public var query: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...]
    }
}

/// Request headers with case-insensitive lookup.
public struct Headers: Sendable {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }
}

extension Substring {
    /// Without leading and trailing spaces, tabs, CR and LF. Foundation's `trimmingCharacters` bridges
    /// through NSString and costs more than verifying a signature.
    var trimmedASCII: Substring {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

extension String {
    var trimmedASCII: Substring { self[...].trimmedASCII }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = self.utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a) }
    }
}

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
