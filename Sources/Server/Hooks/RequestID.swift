import HTTPTypes

/// A request's id: the caller's `X-Request-Id` when it is a sane token (a proxy's, to follow one request
/// through both logs), else the one Hummingbird gave the request.
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
}
