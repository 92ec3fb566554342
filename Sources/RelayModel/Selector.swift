/// Where a value sits in a request: `/json/pointer`, `header:Name`, `query:name`, `form:name`,
/// or `form:name/json/pointer` (JSON inside a form field, as Slack's `payload=`); several joined by `|`
/// take the first that is present (Twilio's `form:MessageSid|form:CallSid`).
public indirect enum Selector: Sendable, Equatable, CustomStringConvertible {
    case firstOf([Selector])
    case json(JSONPointer)
    case header(String)
    case query(String)
    case form(String)
    case formJSON(field: String, pointer: JSONPointer)

    public init?(_ text: String) {
        if text.contains("|") {
            var alternatives: [Selector] = []
            for part in text.split(separator: "|", omittingEmptySubsequences: false) {
                guard let alternative = Selector(String(part.trimmedASCII)) else { return nil }
                alternatives.append(alternative)
            }
            self = .firstOf(alternatives)
        } else if text.hasPrefix("/") {
            guard let pointer = JSONPointer(text) else { return nil }
            self = .json(pointer)
        } else if text.hasPrefix("header:"), text.count > 7 {
            self = .header(String(text.dropFirst(7)))
        } else if text.hasPrefix("query:"), text.count > 6 {
            self = .query(String(text.dropFirst(6)))
        } else if text.hasPrefix("form:"), text.count > 5 {
            let rest = text.dropFirst(5)
            if let slash = rest.firstIndex(of: "/") {
                guard slash > rest.startIndex, let pointer = JSONPointer(String(rest[slash...])) else { return nil }
                self = .formJSON(field: String(rest[..<slash]), pointer: pointer)
            } else {
                self = .form(String(rest))
            }
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .firstOf(let alternatives): alternatives.map(\.description).joined(separator: "|")
        case .json(let pointer): pointer.description
        case .header(let name): "header:\(name)"
        case .query(let name): "query:\(name)"
        case .form(let name): "form:\(name)"
        case .formJSON(let field, let pointer): "form:\(field)\(pointer)"
        }
    }

    package static let syntax = "a JSON pointer (/data/id), header:Name, query:name, form:name or form:name/json/pointer, or several joined by |"
}
