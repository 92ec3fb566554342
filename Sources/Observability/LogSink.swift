import Foundation
import NIOConcurrencyHelpers

/// Where log lines go: standard output through `LogWriter`, or a closure (tests capture lines this way).
public struct LogSink: Sendable {
    package let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    public static let standardOutput = LogSink { line in LogWriter.standardOutput.append(line) }

    /// Writes out what is buffered; `serve` calls it before the process exits.
    public static func flush() {
        LogWriter.standardOutput.flush()
    }
}
