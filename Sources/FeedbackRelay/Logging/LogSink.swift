import Foundation
import Synchronization

/// Where log lines go: standard output through `LogWriter`, or a closure (tests capture lines this way).
public struct LogSink: Sendable {
    let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public static let standardOutput = LogSink { line in LogWriter.standardOutput.append(line) }

    /// Writes out what is buffered; `serve` calls it before the process exits.
    public static func flush() {
        LogWriter.standardOutput.flush()
    }
}

/// A line per request is thousands of lines a second. Writing each with its own `write(2)` under a
/// lock would make request threads queue for the terminal or the container's log pipe; instead they
/// append to a buffer and one thread writes whatever has gathered, in one call. If the reader stops
/// reading, lines beyond `limit` bytes are dropped and counted, and requests never wait for it.
final class LogWriter: Sendable {
    private struct Buffer {
        var bytes: [UInt8] = []
        var dropped = 0
        var writing = false
    }

    static let standardOutput = LogWriter(descriptor: STDOUT_FILENO)

    private let descriptor: Int32
    private let limit: Int
    private let buffer = Mutex(Buffer())
    private let ready = DispatchSemaphore(value: 0)

    init(descriptor: Int32, limit: Int = 8 << 20) {
        self.descriptor = descriptor
        self.limit = limit
        let thread = Thread { [self] in
            while true {
                ready.wait()
                drain()
            }
        }
        thread.name = "feedback-relay-log"
        thread.start()
    }

    func append(_ line: String) {
        let wake = buffer.withLock { buffer -> Bool in
            guard buffer.bytes.count + line.utf8.count <= limit else {
                buffer.dropped += 1
                return false
            }
            let wasEmpty = buffer.bytes.isEmpty
            buffer.bytes.append(contentsOf: line.utf8)
            return wasEmpty && !buffer.writing
        }
        if wake { ready.signal() }
    }

    /// Writes everything buffered so far, from the calling thread.
    func flush() {
        drain()
    }

    private func drain() {
        while true {
            let (bytes, dropped) = buffer.withLock { buffer -> ([UInt8], Int) in
                let taken = (buffer.bytes, buffer.dropped)
                buffer.bytes = []
                buffer.bytes.reserveCapacity(min(taken.0.count, 1 << 20))
                buffer.dropped = 0
                buffer.writing = !taken.0.isEmpty || taken.1 > 0
                return taken
            }
            guard !bytes.isEmpty || dropped > 0 else { return }
            if dropped > 0 {
                let notice = "{\"level\":\"warning\",\"msg\":\"dropped \(dropped) log lines: standard output was not being read fast enough\"}\n"
                writeAll(Array(notice.utf8))
            }
            writeAll(bytes)
            buffer.withLock { $0.writing = false }
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
