import Foundation

/// `name=value&...` pairs, as in a query string or a form-encoded body.
package struct FormFields: Sendable {
    package let pairs: [(name: String, value: String)]

    /// Nil when an escape is malformed.
    package init?(parsing text: Substring) {
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = part.firstIndex(of: "=")
            let rawName = equals.map { part[..<$0] } ?? part
            let rawValue = equals.map { part[part.index(after: $0)...] } ?? ""
            guard let name = PercentEncoding.decode(rawName, plusAsSpace: true),
                let value = PercentEncoding.decode(rawValue, plusAsSpace: true)
            else { return nil }
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    package init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    package func first(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }
}
