import Foundation

/// What of an upstream answer may be logged or kept: its first bytes as text, with the key that was
/// sent replaced by `[redacted]` (an upstream, or a proxy before it, might echo it in an error).
package enum UpstreamExcerpt {
    package static func text(_ body: [UInt8], bytes: Int, redacting key: String) -> String {
        let text = String(decoding: body.prefix(bytes), as: UTF8.self)
        return key.isEmpty ? text : text.replacingOccurrences(of: key, with: "[redacted]")
    }
}
