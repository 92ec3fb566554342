import Foundation
import Logging
import RelayModel

/// `RELAY_LOG_FORMAT=text`: `2026-01-01T00:00:00Z info msg key=value ...`, for a human at a terminal.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: LogSink

    public init(label: String, sink: LogSink = .standardOutput) {
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = mergedMetadata(event.metadata)
        var line = RFC3339.formatMilliseconds(Date()) + " " + event.level.rawValue + " " + event.message.description
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            if key == LogFields.key, case .stringConvertible(let fields as LogFields) = value {
                line += " \(fields)"
            } else {
                line += " \(key)=\(value)"
            }
        }
        sink.write(line + "\n")
    }
}

extension LogHandler {
    /// The handler's metadata, then its provider's, then the event's; later ones win.
    package func mergedMetadata(_ event: Logger.Metadata?) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let event { merged.merge(event) { $1 } }
        return merged
    }
}

extension Logger {
    /// The relay's logger in the configured format and level.
    public static func relay(format: LogFormat, level: Logger.Level, sink: LogSink = .standardOutput) -> Logger {
        var logger = Logger(label: "feedback-relay") { label in
            switch format {
            case .json: JSONLogHandler(label: label, sink: sink)
            case .text: TextLogHandler(label: label, sink: sink)
            }
        }
        logger.logLevel = level
        return logger
    }
}
