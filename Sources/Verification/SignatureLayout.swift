import Foundation
import HTTPTypes
import RelayModel

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
