import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import RelayModel

extension HTTPRequest {
    /// NIO's request head as HTTP types, as `HTTPRequest(_:secure:splitCookie:)` makes it, for the
    /// webhook listener's requests. Their target is a path (origin form), which that conversion parses
    /// with `URLComponents` only to return it as it was, and it lowercases every header name to find the
    /// first `Host`; here a path is taken as it is, and `Host` is found by comparing. Any other target
    /// (absolute form, `*`) goes through the conversion itself.
    init(hookHead head: HTTPRequestHead) throws {
        guard head.uri.utf8.first == UInt8(ascii: "/") else {
            try self.init(head, secure: false, splitCookie: false)
            return
        }
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        var authority: String?
        for (name, value) in head.headers {
            // The first Host is the authority, not a field, as in the conversion.
            if authority == nil, name.caseInsensitiveEquals("Host") {
                authority = value
                continue
            }
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        self.init(method: try Method(head.method), scheme: "http", authority: authority, path: head.uri, headerFields: fields)
    }
}
