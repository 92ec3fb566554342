import Foundation
import HTTPTypes
import RelayModel

public enum TimestampSource: Sendable {
    case header(HeaderRef, TimestampUnit)
    /// The `t=` field of a keyed signature header, in seconds.
    case signatureHeader
    /// A field of the JSON body (Linear's `webhookTimestamp`); only checked, never signed.
    case body(JSONPointer, TimestampUnit)
}
