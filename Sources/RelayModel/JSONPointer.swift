/// An RFC 6901 JSON pointer such as `/data/analysis/call_successful`.
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    public let tokens: [String]
    public let description: String

    /// Nil unless the text starts with `/` (or is empty, the whole document) and its escapes are valid.
    public init?(_ text: String) {
        if text.isEmpty {
            tokens = []
            description = text
            return
        }
        guard text.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var iterator = raw.makeIterator()
            while let character = iterator.next() {
                if character == "~" {
                    switch iterator.next() {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: return nil
                    }
                } else {
                    token.append(character)
                }
            }
            tokens.append(token)
        }
        self.tokens = tokens
        self.description = text
    }

    package func resolve(in document: JSONValue) -> JSONValue? {
        var value = document
        for token in tokens {
            switch value {
            case .object(let object):
                guard let next = object[token] else { return nil }
                value = next
            case .array(let elements):
                guard let index = Int(token), index >= 0, index < elements.count, token == String(index) else { return nil }
                value = elements[index]
            default:
                return nil
            }
        }
        return value
    }
}
