import Foundation
import HTTPTypes
import RelayModel

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
