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
        var line = "{\"ts\":\"" + RFC3339.formatMilliseconds(Date()) + "\",\"level\":\"" + event.level.rawValue + "\""
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
        // Counts, ids and durations stay numbers, so log tools can compare and sum them.
        case .stringConvertible(let number as any BinaryInteger): number.description
        case .stringConvertible(let number as Double) where number.isFinite: number.description
        case .stringConvertible(let convertible): JSONText.quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }
}
