/// A verified request, its body parsed on first use and at most once.
package final class RequestPayload {
    package let request: SignedRequest
    private var json: Result<JSONValue, PayloadError>?
    private var form: Result<FormFields, PayloadError>?
    private var query: FormFields?
    private var formJSON: [String: JSONValue] = [:]

    package init(_ request: SignedRequest) {
        self.request = request
    }

    package func jsonBody() throws(PayloadError) -> JSONValue {
        if json == nil {
            do throws(JSONParseError) {
                json = .success(try JSONParser.parse(request.body))
            } catch {
                json = .failure(PayloadError(description: "body is not JSON: \(error)"))
            }
        }
        return try json!.get()
    }

    package func formBody() throws(PayloadError) -> FormFields {
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

    package func value(_ selector: Selector) throws(PayloadError) -> JSONValue? {
        switch selector {
        case .firstOf(let alternatives):
            for alternative in alternatives {
                if let found = try value(alternative), found != .null { return found }
            }
            return nil
        case .json(let pointer):
            return pointer.resolve(in: try jsonBody())
        case .header(let name):
            return request.headers[named: name].map(JSONValue.string)
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
    package func text(_ selector: Selector) throws(PayloadError) -> String? {
        try value(selector)?.scalarText
    }
}
