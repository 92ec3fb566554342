package enum JSONText {
    /// A JSON string literal, quotes included, escaped as log lines are (`JSONLine.quoted`).
    package static func quoted(_ text: String) -> String {
        var line = JSONLine(capacity: text.utf8.count + 2)
        line.quoted(text)
        return String(decoding: line.bytes, as: UTF8.self)
    }

    /// `{"key":"value",...}` from string pairs, in order.
    package static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { quoted($0.0) + ":" + quoted($0.1) }.joined(separator: ",") + "}"
    }
}
