import Foundation
import Logging
import RelayModel
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
        // The usual case, a line's own metadata and nothing else, skips merging dictionaries.
        let merged = metadata.isEmpty && metadataProvider == nil ? event.metadata ?? [:] : mergedMetadata(event.metadata)
        var line = "{\"ts\":\""
        line.reserveCapacity(512)
        line += RFC3339.formatMilliseconds(Date())
        line += "\",\"level\":\""
        line += event.level.rawValue
        line += "\",\"msg\":"
        JSONText.appendQuoted(event.message.description, to: &line)
        line += ",\"logger\":"
        JSONText.appendQuoted(label, to: &line)
        if merged.count == 1, case .stringConvertible(let fields as LogFields)? = merged[LogFields.key] {
            fields.appendJSON(to: &line)
        } else {
            for key in merged.keys.sorted() {
                line += ","
                JSONText.appendQuoted(key, to: &line)
                line += ":"
                Self.append(merged[key]!, to: &line)
            }
        }
        line += "}\n"
        sink.write(line)
    }

    package static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text): JSONText.appendQuoted(text, to: &out)
        // Counts, ids and durations stay numbers, so log tools can compare and sum them.
        // Concrete casts: a cast to `any BinaryInteger` asks the runtime for conformances on every line.
        case .stringConvertible(let number as Int): out += String(number)
        case .stringConvertible(let number as Int64): out += String(number)
        case .stringConvertible(let number as Double) where number.isFinite: out += number.description
        case .stringConvertible(let convertible): JSONText.appendQuoted(convertible.description, to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case .dictionary(let values):
            out += "{"
            for (index, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(key, to: &out)
                out += ":"
                append(element, to: &out)
            }
            out += "}"
        }
    }
}
