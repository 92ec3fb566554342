/// `RELAY_LOG_FORMAT`: one JSON object per line, or `key=value` text for a terminal.
public enum LogFormat: String, Sendable, CaseIterable {
    case json, text
}
