import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Ports for servers the tests start on fixed addresses (relay processes, PostgreSQL).
///
/// Suites run in parallel, so a port drawn at random can be one another test's relay holds. A relay
/// that cannot listen exits, and a test that then waits for it to be ready waits in vain; so a run
/// is only handed out once each of its ports has been bound here and let go.
enum LoopbackPorts {
    /// The first of `count` consecutive ports in `range` that can all be bound on 127.0.0.1 now.
    static func freeRun(_ count: Int, in range: Range<Int> = 20000..<30000) -> Int {
        for _ in 0..<200 {
            let first = Int.random(in: range.lowerBound..<(range.upperBound - count))
            if (first..<first + count).allSatisfy(canBind) { return first }
        }
        fatalError("no \(count) consecutive free ports in \(range) after 200 draws")
    }

    /// Binds as the relay's listener does (SO_REUSEADDR), so a port in TIME_WAIT counts as free.
    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        return withAddress(port: port) { bind(fd, $0, $1) } == 0
    }

    /// `body` with 127.0.0.1:`port` as the socket calls take it (`bind`, `connect`).
    static func withAddress<Result>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
