import Foundation
import HTTPTypes
import RelayModel

/// A header that a provider may send under more than one name (`webhook-id` or `svix-id`).
public struct HeaderRef: Sendable, CustomStringConvertible {
    public let names: [String]

    public init(_ names: String...) {
        self.names = names
    }

    public var description: String { names.joined(separator: "|") }

    package func find(in headers: HTTPFields) -> (name: String, value: String)? {
        for name in names {
            if let value = headers[named: name] { return (name, value) }
        }
        return nil
    }
}

/// Where the signature sits and how it is written.
public enum SignatureLayout: Sendable {
    /// The header holds one signature after an optional prefix: `sha256=<hex>`.
    case plain(header: HeaderRef, prefix: String)
    /// Comma-separated `key=value` pairs with a timestamp and one or more signatures:
    /// `t=1700000000,v0=<hex>` (ElevenLabs), `t=..,v1=..,v1=..` (Stripe).
    case keyed(header: HeaderRef, timestampKey: String, signatureKey: String)
    /// Space-separated `version,signature` entries: `v1,<base64> v1,<base64>` (Standard Webhooks).
    case versioned(header: HeaderRef, version: String)

    package var header: HeaderRef {
        switch self {
        case .plain(let header, _), .keyed(let header, _, _), .versioned(let header, _): header
        }
    }
}

public enum TimestampUnit: String, Sendable, CaseIterable {
    case seconds = "s"
    case milliseconds = "ms"
    case iso8601

    /// Unix seconds from the text as the sender wrote it.
    package func seconds(from text: String) -> Double? {
        switch self {
        case .seconds: return Double(text).flatMap { $0.isFinite ? $0 : nil }
        case .milliseconds: return Double(text).flatMap { $0.isFinite ? $0 / 1000 : nil }
        case .iso8601: return RFC3339.parse(text)?.timeIntervalSince1970
        }
    }

    package func format(_ date: Date) -> String {
        switch self {
        case .seconds: String(Int(date.timeIntervalSince1970))
        case .milliseconds: String(Int(date.timeIntervalSince1970 * 1000))
        case .iso8601: RFC3339.format(date)
        }
    }
}

public enum TimestampSource: Sendable {
    case header(HeaderRef, TimestampUnit)
    /// The `t=` field of a keyed signature header, in seconds.
    case signatureHeader
    /// A field of the JSON body (Linear's `webhookTimestamp`); only checked, never signed.
    case body(JSONPointer, TimestampUnit)
}

public enum SecretEncoding: String, Sendable, CaseIterable {
    case utf8, base64, hex
    /// `whsec_` followed by base64 (Standard Webhooks, Svix).
    case standardWebhooks = "whsec"

    package func decode(_ secret: String) -> [UInt8]? {
        switch self {
        case .utf8: Array(secret.utf8)
        case .base64: Base64.decode(secret)
        case .hex: Hex.decode(secret)
        case .standardWebhooks: Base64.decode(secret.hasPrefix("whsec_") ? secret.dropFirst(6) : secret[...])
        }
    }
}

public enum SignatureEncoding: String, Sendable, CaseIterable {
    case hex, base64

    /// Only the canonical form decodes: base64 has spare bits in its last character, and a signature
    /// that differs there is a different signature to the provider (Shopify compares the strings).
    package func decode(_ text: some StringProtocol) -> [UInt8]? {
        switch self {
        case .hex: return Hex.decode(text)
        case .base64:
            guard let bytes = Base64.decode(text) else { return nil }
            let canonical = Base64.encode(bytes)
            return canonical.utf8.prefix { $0 != UInt8(ascii: "=") }.elementsEqual(text.utf8.prefix { $0 != UInt8(ascii: "=") }) ? bytes : nil
        }
    }

    package func encode(_ bytes: [UInt8]) -> String {
        switch self {
        case .hex: Hex.encode(bytes)
        case .base64: Base64.encode(bytes)
        }
    }
}

/// The string a provider signs, as a template over the request: `{timestamp}.{body}`.
public struct SignedPayloadTemplate: Sendable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        case literal([UInt8])
        case body, timestamp, id, method, url
        case header(String)
    }

    public let parts: [Part]
    public let description: String

    public static let body = try! SignedPayloadTemplate("{body}")

    public init(_ template: String) throws(SigningError) {
        var parts: [Part] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.literal(Array(rest[..<open].utf8))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw SigningError(description: "unclosed '{' in signed payload template '\(template)'")
            }
            let name = rest[rest.index(after: open)..<close]
            switch name {
            case "body": parts.append(.body)
            case "timestamp": parts.append(.timestamp)
            case "id": parts.append(.id)
            case "method": parts.append(.method)
            case "url": parts.append(.url)
            default:
                guard name.hasPrefix("header:"), name.count > 7 else {
                    throw SigningError(
                        description: "unknown placeholder {\(name)} in '\(template)'; use {body}, {timestamp}, {id}, {method}, {url} or {header:Name}"
                    )
                }
                parts.append(.header(String(name.dropFirst(7))))
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(Array(rest.utf8))) }
        self.parts = parts
        self.description = template
    }

    package var usesTimestamp: Bool { parts.contains(.timestamp) }
    package var usesID: Bool { parts.contains(.id) }

    package func render(_ request: SignedRequest, timestamp: String?, id: String?, url: String) -> [UInt8] {
        if parts.count == 1, parts[0] == .body { return request.body }
        var out = [UInt8]()
        out.reserveCapacity(request.body.count + 64)
        for part in parts {
            switch part {
            case .literal(let bytes): out.append(contentsOf: bytes)
            case .body: out.append(contentsOf: request.body)
            case .timestamp: out.append(contentsOf: (timestamp ?? "").utf8)
            case .id: out.append(contentsOf: (id ?? "").utf8)
            case .method: out.append(contentsOf: request.method.utf8)
            case .url: out.append(contentsOf: url.utf8)
            case .header(let name): out.append(contentsOf: (request.headers[named: name] ?? "").utf8)
            }
        }
        return out
    }
}

/// HMAC over a template of the request, compared in constant time against every configured secret.
/// The generic `hmac` scheme and most presets are values of this type.
public struct HMACScheme: Verifier {
    public var algorithm: HMACAlgorithm
    public var encoding: SignatureEncoding
    public var layout: SignatureLayout
    public var payload: SignedPayloadTemplate
    public var timestamp: TimestampSource?
    /// Seconds a timestamp may be away from now, in either direction; nil skips the check.
    public var tolerance: Int?
    /// The header a `{id}` placeholder reads.
    public var idHeader: HeaderRef?
    /// The origin senders use (`RELAY_PUBLIC_URL`), for `{url}`.
    public var publicURL: String?
    package let secrets: [[UInt8]]

    public init(
        algorithm: HMACAlgorithm,
        encoding: SignatureEncoding,
        layout: SignatureLayout,
        payload: SignedPayloadTemplate = .body,
        timestamp: TimestampSource? = nil,
        tolerance: Int? = nil,
        idHeader: HeaderRef? = nil,
        publicURL: String? = nil,
        secrets: [[UInt8]]
    ) {
        self.algorithm = algorithm
        self.encoding = encoding
        self.layout = layout
        self.payload = payload
        self.timestamp = timestamp
        self.tolerance = tolerance
        self.idHeader = idHeader
        self.publicURL = publicURL
        self.secrets = secrets
    }

    public var summary: String {
        var parts = ["hmac-\(algorithm.rawValue)", encoding.rawValue, "header \(layout.header)", "signs \"\(payload)\""]
        if let tolerance { parts.append("tolerance \(tolerance)s") }
        parts.append("\(secrets.count) secret(s) [redacted]")
        return parts.joined(separator: ", ")
    }

    package func url(for request: SignedRequest) -> String {
        if let publicURL { return publicURL + request.target }
        let host = request.headers[named: "Host"] ?? "localhost"
        return "http://\(host)\(request.target)"
    }

    public func verify(_ request: SignedRequest, now: Date) -> VerificationResult {
        guard let (headerName, headerValue) = layout.header.find(in: request.headers) else {
            return .refused(.missingHeader(layout.header.names[0]))
        }
        var signatureTimestamp: String?
        var candidates: [Substring] = []
        switch layout {
        case .plain(_, let prefix):
            let trimmed = headerValue.trimmedASCII
            guard trimmed.hasPrefix(prefix) else { return .refused(.malformedHeader(headerName)) }
            candidates = [trimmed.dropFirst(prefix.count)]
        case .keyed(_, let timestampKey, let signatureKey):
            for field in headerValue.split(separator: ",") {
                let pair = field.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let key = pair[0].trimmedASCII
                if key == timestampKey { signatureTimestamp = String(pair[1].trimmedASCII) }
                if key == signatureKey { candidates.append(pair[1]) }
            }
        case .versioned(_, let version):
            for entry in headerValue.split(separator: " ") {
                let pair = entry.split(separator: ",", maxSplits: 1)
                if pair.count == 2, pair[0] == version { candidates.append(pair[1]) }
            }
        }
        let provided = candidates.compactMap { encoding.decode($0.trimmedASCII) }
        guard !provided.isEmpty else { return .refused(.malformedHeader(headerName)) }

        var timestampText: String?
        var timestampSeconds: Double?
        var timestampName = headerName
        switch timestamp {
        case .none:
            break
        case .signatureHeader:
            timestampText = signatureTimestamp
            timestampSeconds = signatureTimestamp.flatMap(TimestampUnit.seconds.seconds(from:))
        case .header(let ref, let unit):
            timestampName = ref.names[0]
            if let (name, value) = ref.find(in: request.headers) {
                timestampName = name
                timestampText = value
                timestampSeconds = unit.seconds(from: value)
            }
        case .body(let pointer, let unit):
            timestampName = "body \(pointer)"
            timestampText = (try? JSONParser.parse(request.body)).flatMap { pointer.resolve(in: $0)?.scalarText }
            timestampSeconds = timestampText.flatMap(unit.seconds(from:))
        }
        if timestamp != nil, timestampSeconds == nil { return .refused(.missingTimestamp(timestampName)) }

        let id = idHeader?.find(in: request.headers)?.value
        let message = payload.render(request, timestamp: timestampText, id: id, url: payload.parts.contains(.url) ? url(for: request) : "")
        var matched: Int?
        for (index, secret) in secrets.enumerated() {
            let expected = Crypto.hmac(algorithm, key: secret, message: message)
            for candidate in provided where Crypto.constantTimeEquals(expected, candidate) {
                matched = matched ?? index
            }
        }
        guard let matched else { return .refused(.signatureMismatch(headerName)) }
        if let tolerance, let timestampSeconds {
            let skew = now.timeIntervalSince1970 - timestampSeconds
            if abs(skew) > Double(tolerance) { return .refused(.staleTimestamp(header: timestampName, skewSeconds: Int(skew))) }
        }
        return .verified(secretIndex: matched)
    }

    public func sign(_ request: SignedRequest, secretIndex: Int, now: Date) throws -> SignatureMaterial {
        guard secrets.indices.contains(secretIndex) else { throw SigningError(description: "the route has no secret #\(secretIndex + 1)") }
        var material = SignatureMaterial()
        var request = request
        var timestampText: String?
        switch timestamp {
        case .none, .body: break
        case .signatureHeader: timestampText = TimestampUnit.seconds.format(now)
        case .header(let ref, let unit):
            timestampText = unit.format(now)
            material.headers.append((ref.names[0], timestampText!))
        }
        var id: String?
        if let idHeader {
            id = request.headers[named: idHeader.names[0]] ?? "msg_" + Hex.encode((0..<12).map { _ in UInt8.random(in: 0...255) })
            material.headers.append((idHeader.names[0], id!))
        }
        for (name, value) in material.headers { request.headers.append(named: name, value) }
        let message = payload.render(request, timestamp: timestampText, id: id, url: url(for: request))
        let signature = encoding.encode(Crypto.hmac(algorithm, key: secrets[secretIndex], message: message))
        switch layout {
        case .plain(let header, let prefix):
            material.headers.insert((header.names[0], prefix + signature), at: 0)
        case .keyed(let header, let timestampKey, let signatureKey):
            material.headers.insert((header.names[0], "\(timestampKey)=\(timestampText ?? ""),\(signatureKey)=\(signature)"), at: 0)
        case .versioned(let header, let version):
            material.headers.insert((header.names[0], "\(version),\(signature)"), at: 0)
        }
        return material
    }
}
