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
        var line = JSONLine()
        line.raw("{\"ts\":\"")
        line.raw(RFC3339.formatMilliseconds(Date()))
        line.raw("\",\"level\":\"")
        line.raw(event.level.rawValue)
        line.raw("\",\"msg\":")
        line.quoted(event.message.description)
        line.raw(",\"logger\":")
        line.quoted(label)
        if merged.count == 1, case .stringConvertible(let fields as LogFields)? = merged[LogFields.key] {
            fields.appendJSON(to: &line)
        } else {
            for key in merged.keys.sorted() {
                line.member(key)
                Self.append(merged[key]!, to: &line)
            }
        }
        line.raw("}\n")
        sink.write(bytes: line.bytes)
    }

    package static func append(_ value: Logger.MetadataValue, to line: inout JSONLine) {
        switch value {
        case .string(let text): line.quoted(text)
        // Counts, ids and durations stay numbers, so log tools can compare and sum them.
        // Concrete casts: a cast to `any BinaryInteger` asks the runtime for conformances on every line.
        case .stringConvertible(let number as Int): line.integer(Int64(number))
        case .stringConvertible(let number as Int64): line.integer(number)
        case .stringConvertible(let number as Double) where number.isFinite: line.number(number)
        case .stringConvertible(let convertible): line.quoted(convertible.description)
        case .array(let values):
            line.raw(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { line.raw(UInt8(ascii: ",")) }
                append(element, to: &line)
            }
            line.raw(UInt8(ascii: "]"))
        case .dictionary(let values):
            line.raw(UInt8(ascii: "{"))
            for (index, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line.raw(UInt8(ascii: ",")) }
                line.quoted(key)
                line.raw(UInt8(ascii: ":"))
                append(element, to: &line)
            }
            line.raw(UInt8(ascii: "}"))
        }
    }
}
