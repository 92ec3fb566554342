import HTTPTypes
import RelayModel
import Synchronization

/// A request's id: the caller's `X-Request-Id` when it is a sane token (a proxy's, to follow one request
/// through both logs), else one of ours: a per-process prefix and a counter, unique without a syscall.
enum RequestID {
    static let header = HTTPField.Name("X-Request-Id")!
    private static let prefix = Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255) })
    private static let counter = Atomic<Int>(0)

    static func take(from presented: String?) -> String {
        if let presented, (1...128).contains(presented.utf8.count),
            presented.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
        {
            return presented
        }
        return prefix + "-" + String(counter.add(1, ordering: .relaxed).newValue, radix: 16)
    }
}
