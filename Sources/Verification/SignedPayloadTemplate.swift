import Foundation
import HTTPTypes
import RelayModel

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
