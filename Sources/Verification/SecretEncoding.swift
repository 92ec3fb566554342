import Foundation
import HTTPTypes
import RelayModel

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
