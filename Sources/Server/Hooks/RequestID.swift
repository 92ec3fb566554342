import HTTPTypes
import RelayModel
import Synchronization

/// A request's id: the caller's `X-Request-Id` when it is a sane token (a proxy's, to follow one request
/// through both logs), else one of the relay's own.
enum RequestID {
    static let header = HTTPField.Name("X-Request-Id")!

    static func take(from presented: String?, otherwise generated: @autoclosure () -> String) -> String {
        if let presented, (1...128).contains(presented.utf8.count),
            presented.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        {
            return presented
        }
        return generated()
    }

    /// A new id: 32 hex digits, a random half fixed for the process and a counter from a random start,
    /// the shape Hummingbird gives its requests (the management listener's).
    static func next() -> String {
        let low = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // Written in place: building it from a radix-16 string and zeros cost 3k instructions per request.
        return String(unsafeUninitializedCapacity: 32) { text in
            Hex.write(processHalf, into: text, at: 0)
            Hex.write(low, into: text, at: 16)
            return 32
        }
    }

    private static let processHalf = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))
}
