import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP client on loopback, for what an HTTP client library will not send: stalls, dribbles,
/// HTTP/1.0, malformed heads. Unchecked Sendable: one test uses it at a time, reads on a thread it waits for.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = LoopbackPorts.withAddress(port: port) { connect(fd, $0, $1) }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    /// Sends what it can; false once the peer has closed.
    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Everything the server sends until it closes the connection, or nil if it is still open after `limit`.
    func readUntilClosed(limit: Duration = .seconds(30)) async -> String? {
        await Self.offThread { self.blockingReadUntilClosed(limit: limit) }
    }

    /// One answer's bytes as far as they have come within `limit` (the connection may stay open).
    func readAnswer(limit: Duration = .seconds(30)) async -> String {
        await Self.offThread { self.blockingReadAnswer(limit: limit) }
    }

    /// Blocking reads run on a thread of their own: on the cooperative pool they would starve the
    /// in-process relay they are waiting for.
    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    private func blockingReadUntilClosed(limit: Duration) -> String? {
        var received: [UInt8] = []
        guard receive(into: &received, for: limit, until: { _ in false }) else { return nil }
        return String(decoding: received, as: UTF8.self)
    }

    private func blockingReadAnswer(limit: Duration) -> String {
        var received: [UInt8] = []
        _ = receive(into: &received, for: limit) { received in
            let text = String(decoding: received, as: UTF8.self)
            guard let end = text.utf8.firstRange(of: Array("\r\n\r\n".utf8)), let length = Self.contentLength(text[..<end.lowerBound]) else {
                return false
            }
            return received.count >= text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) + length
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Reads until the peer closes (true), `done` says the bytes suffice (false), or `limit` passes (false).
    private func receive(into received: inout [UInt8], for limit: Duration, until done: ([UInt8]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + limit
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return true }
            received += buffer[..<count]
            if done(received) { return false }
        }
        return false
    }

    private static func contentLength(_ head: Substring) -> Int? {
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
