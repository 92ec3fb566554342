import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Settings
import Synchronization

/// A listener that cannot bind (address taken, not permitted) is a start error naming its variable, so
/// the process exits 1 at once instead of living on half-served.
public struct ListenError: Error, CustomStringConvertible {
    public let variable: String
    public let address: ListenAddress
    public let underlying: any Error

    public var description: String { "\(variable): cannot listen on \(address): \(underlying)" }
}
