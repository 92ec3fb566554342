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

    static let syntax = "a JSON pointer (/data/id), header:Name, query:name, form:name or form:name/json/pointer, or several joined by |"
}

/// The body does not parse as what the route's selectors read.
public struct PayloadError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// A verified request, its body parsed on first use and at most once.
final class RequestPayload {
    let request: SignedRequest
    private var json: Result<JSONValue, PayloadError>?
    private var form: Result<FormFields, PayloadError>?
    private var query: FormFields?
    private var formJSON: [String: JSONValue] = [:]

    init(_ request: SignedRequest) {
        self.request = request
    }

    func jsonBody() throws(PayloadError) -> JSONValue {
        if json == nil {
            do throws(JSONParseError) {
                json = .success(try JSONParser.parse(request.body))
            } catch {
                json = .failure(PayloadError(description: "body is not JSON: \(error)"))
            }
        }
        return try json!.get()
    }

    func formBody() throws(PayloadError) -> FormFields {
        if form == nil {
            let text = String(decoding: request.body, as: UTF8.self)
            if let fields = FormFields(parsing: text[...]) {
                form = .success(fields)
            } else {
                form = .failure(PayloadError(description: "body is not form-encoded (bad % escape)"))
            }
        }
        return try form!.get()
    }

    func value(_ selector: Selector) throws(PayloadError) -> JSONValue? {
        switch selector {
        case .firstOf(let alternatives):
            for alternative in alternatives {
                if let found = try value(alternative), found != .null { return found }
            }
            return nil
        case .json(let pointer):
            return pointer.resolve(in: try jsonBody())
        case .header(let name):
            return request.headers[name].map(JSONValue.string)
        case .query(let name):
            if query == nil { query = FormFields(parsing: request.query) ?? FormFields(pairs: []) }
            return query!.first(name).map(JSONValue.string)
        case .form(let name):
            return try formBody().first(name).map(JSONValue.string)
        case .formJSON(let field, let pointer):
            if let document = formJSON[field] { return pointer.resolve(in: document) }
            guard let text = try formBody().first(field) else { return nil }
            do throws(JSONParseError) {
                let document = try JSONParser.parse(text)
                formJSON[field] = document
                return pointer.resolve(in: document)
            } catch {
                throw PayloadError(description: "form field \(field) is not JSON: \(error)")
            }
        }
    }

    /// The selected value as text; nil when it is missing, null, an array or an object.
    func text(_ selector: Selector) throws(PayloadError) -> String? {
        try value(selector)?.scalarText
    }
}
