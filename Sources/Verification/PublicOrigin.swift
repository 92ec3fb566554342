import Foundation
import RelayModel

/// Where senders that sign the URL (Twilio, HubSpot) send their requests: `RELAY_PUBLIC_URL`, the address
/// in front of any proxy. The relay only sees the path and query, so the signed URL is rebuilt from this.
package struct PublicOrigin: Sendable, Equatable {
    /// The origin as written and, where its port is the scheme's default, with that port written or left
    /// out: senders differ, and Twilio's own validator accepts either.
    package let variants: [String]

    package init(_ publicURL: String) {
        var variants = [publicURL]
        if let split = Self.split(publicURL) {
            let defaultPort = split.scheme == "https" ? "443" : split.scheme == "http" ? "80" : nil
            if let defaultPort {
                if split.port == nil {
                    variants.append("\(split.scheme)://\(split.host):\(defaultPort)\(split.path)")
                } else if split.port == defaultPort {
                    variants.append("\(split.scheme)://\(split.host)\(split.path)")
                }
            }
        }
        self.variants = variants
    }

    /// The URLs the sender may have signed for a request line's path and query.
    package func urls(for target: String) -> [String] {
        variants.map { $0 + target }
    }

    private static func split(_ url: String) -> (scheme: String, host: String, port: String?, path: Substring)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        // A colon after the last `]` (IPv6 literals hold colons) starts the port.
        let hostStart = authority.lastIndex(of: "]") ?? authority.startIndex
        guard let colon = authority[hostStart...].lastIndex(of: ":") else {
            return (scheme, String(authority), nil, path)
        }
        let port = authority[authority.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return (scheme, String(authority[..<colon]), String(port), path)
    }
}
