import Foundation
import NIOConcurrencyHelpers
import RelayModel

/// A line per request is thousands of lines a second. Writing each with its own `write(2)` under a
/// lock would make request threads queue for the terminal or the container's log pipe, and waking a
/// writer thread for each line costs nearly as much. Instead requests append to a buffer; the first
/// line into an empty buffer wakes one thread, which waits `gather` for more to arrive and writes
/// them all in one call. Busy, that is one write per `gather`; idle, the thread sleeps. If the reader
/// stops reading, lines beyond `limit` bytes are dropped and counted, and requests never wait for it.
package final class LogWriter: Sendable {
    private struct Buffer {
        var bytes: [UInt8] = []
        var dropped = 0
    }

    package static let standardOutput = LogWriter(descriptor: STDOUT_FILENO)

    private let descriptor: Int32
    private let limit: Int
    private let buffer = NIOLockedValueBox(Buffer())
    private let ready = DispatchSemaphore(value: 0)
    /// One writer at a time: the thread, or `flush` at exit.
    private let writing = NIOLock()

    package init(descriptor: Int32, gather: Duration = .milliseconds(10), limit: Int = 8 << 20) {
        self.descriptor = descriptor
        self.limit = limit
        let microseconds = UInt32(gather.components.seconds * 1_000_000 + gather.components.attoseconds / 1_000_000_000_000)
        let thread = Thread { [self] in
            nameThisThread("relay-log")
            while true {
                ready.wait()
                usleep(microseconds)
                flush()
            }
        }
        thread.start()
    }

    package func append(_ line: String) {
        append(Array(line.utf8))
    }

    package func append(_ line: [UInt8]) {
        let wake = buffer.withLockedValue { buffer -> Bool in
            guard buffer.bytes.count + line.count <= limit else {
                buffer.dropped += 1
                return false
            }
            buffer.bytes.append(contentsOf: line)
            return buffer.bytes.count == line.count
        }
        if wake { ready.signal() }
    }

    /// Writes everything buffered so far.
    package func flush() {
        writing.withLock {
            let (bytes, dropped) = buffer.withLockedValue { buffer -> ([UInt8], Int) in
                let taken = (buffer.bytes, buffer.dropped)
                buffer.bytes = []
                buffer.bytes.reserveCapacity(min(taken.0.count, 1 << 20))
                buffer.dropped = 0
                return taken
            }
            // The kept lines came before the dropped ones.
            if !bytes.isEmpty { writeAll(bytes) }
            if dropped > 0 {
                let notice = "{\"level\":\"warning\",\"msg\":\"dropped \(dropped) log lines: standard output was not being read fast enough\"}\n"
                writeAll(Array(notice.utf8))
            }
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
