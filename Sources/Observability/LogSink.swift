import Foundation
import NIOConcurrencyHelpers

/// Where log lines go: standard output through `LogWriter`, or a closure (tests capture lines this way).
public struct LogSink: Sendable {
    private let destination: Destination

    private enum Destination: Sendable {
        case writer(LogWriter)
        case closure(@Sendable (String) -> Void)
    }

    public init(write: @escaping @Sendable (String) -> Void) {
        destination = .closure(write)
    }

    private init(_ writer: LogWriter) {
        destination = .writer(writer)
    }

    public static let standardOutput = LogSink(LogWriter.standardOutput)

    package func write(_ line: String) {
        switch destination {
        case .writer(let writer): writer.append(Array(line.utf8))
        case .closure(let write): write(line)
        }
    }

    /// A line already in UTF-8, as the JSON handler builds it: the writer takes the bytes as they are.
    package func write(bytes line: [UInt8]) {
        switch destination {
        case .writer(let writer): writer.append(line)
        case .closure(let write): write(String(decoding: line, as: UTF8.self))
        }
    }

    /// Writes out what is buffered; `serve` calls it before the process exits.
    public static func flush() {
        LogWriter.standardOutput.flush()
    }
}
