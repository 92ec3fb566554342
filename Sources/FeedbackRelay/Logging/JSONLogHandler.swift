import Foundation
import Logging
import Synchronization

/// One JSON object per line on standard output: `ts`, `level`, `msg`, `logger`, then metadata.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink = .standardOutput) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = mergedMetadata(event.metadata)
        var line = "{\"ts\":" + JSONText.quoted(RFC3339.format(Date())) + ",\"level\":" + JSONText.quoted(event.level.rawValue)
        line += ",\"msg\":" + JSONText.quoted(event.message.description) + ",\"logger\":" + JSONText.quoted(label)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += "," + JSONText.quoted(key) + ":" + Self.json(value)
        }
        line += "}\n"
        sink.write(line)
    }

    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): JSONText.quoted(text)
        case .stringConvertible(let convertible): JSONText.quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }
}

/// Where log lines go: standard output, or a closure (tests capture lines this way).
public struct LogSink: Sendable {
    let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    private static let lock = Mutex(())

    public static let standardOutput = LogSink { line in
        lock.withLock { _ in
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
