import Foundation
import HTTPTypes
import RelayModel

/// HMAC over a template of the request, compared in constant time against every configured secret.
/// The generic `hmac` scheme and most presets are values of this type.
public struct HMACScheme: Verifier {
    public let algorithm: HMACAlgorithm
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
    /// `secrets`, keyed into OpenSSL once.
    private let keys: [HMACKey]

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
        self.keys = secrets.map { HMACKey(algorithm, secret: $0) }
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
            // Split on bytes: these are ASCII, and splitting on Characters costs a grapheme check per byte.
            headerValue.utf8.forEachPiece(separatedBy: UInt8(ascii: ",")) { field in
                guard let equals = field.utf8.firstIndex(of: UInt8(ascii: "=")), equals != field.startIndex else { return }
                let key = field[..<equals].trimmedASCII
                let value = field[field.utf8.index(after: equals)...]
                guard !value.isEmpty else { return }
                if key == timestampKey { signatureTimestamp = String(value.trimmedASCII) }
                if key == signatureKey { candidates.append(value) }
            }
        case .versioned(_, let version):
            headerValue.utf8.forEachPiece(separatedBy: UInt8(ascii: " ")) { entry in
                guard let comma = entry.utf8.firstIndex(of: UInt8(ascii: ",")), comma != entry.startIndex else { return }
                let signature = entry[entry.utf8.index(after: comma)...]
                if entry[..<comma] == version, !signature.isEmpty { candidates.append(signature) }
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
        for (index, key) in keys.enumerated() {
            let expected = key.mac(message)
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
