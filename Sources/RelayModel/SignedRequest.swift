import HTTPTypes

/// What verification and mapping see of a request: nothing about HTTP servers, just the signed material.
public struct SignedRequest: Sendable {
    public var method: String
    /// Path and query as the request line carried them, e.g. `/hooks/twilio?route=csat`.
    public var target: String
    public var headers: HTTPFields
    public var body: [UInt8]

    public init(method: String, target: String, headers: HTTPFields, body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Headers as written by hand (`feedback-relay sign`/`test-route --header`, tests). A name no HTTP
    /// request could carry is left out, as a server would never pass it on.
    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(named: name, value) }
        self.init(method: method, target: target, headers: fields, body: body)
    }

    /// Whether HTTP allows `name` as a field name (a token).
    public static func isValidHeaderName(_ name: String) -> Bool {
        HTTPField.Name(name) != nil
    }

    public var path: Substring { target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
    public var query: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...]
    }

    /// What a body would be sent as: JSON when it starts with `{` or `[`, else a form.
    public static func contentType(of body: [UInt8]) -> String {
        let first = body.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? "application/json" : "application/x-www-form-urlencoded"
    }
}

extension HTTPFields {
    /// The first value of a header whose name is known only at run time (a route's `SIGNATURE_HEADER`).
    /// The first, not all values joined: a repeated signature header must not verify as one.
    public subscript(named name: String) -> String? {
        // Compared as received: making an `HTTPField.Name` of `name` (validated, lowercased) and collecting
        // the fields it names cost more than the search, on every request.
        first { $0.name.rawName.caseInsensitiveEquals(name) }?.value
    }

    /// The first value of `name`; `self[name]` joins every value with commas, which costs a string.
    public func firstValue(_ name: HTTPField.Name) -> String? {
        first { $0.name == name }?.value
    }

    /// Appends a header named at run time; a name that is not a valid field name is left out.
    public mutating func append(named name: String, _ value: String) {
        guard let name = HTTPField.Name(name) else { return }
        append(HTTPField(name: name, value: value))
    }
}
