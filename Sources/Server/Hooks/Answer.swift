import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import RelayModel
import Verification

/// The JSON answers of the README's Answers table: `{"status": "...", ...}`.
struct Answer: Sendable, Equatable {
    let status: HTTPResponse.Status
    let body: String
    var contentType = "application/json"
    /// The `Allow` header of a 405: the methods the path does take.
    var allow: String?

    init(_ status: HTTPResponse.Status, _ name: String, _ extra: [(String, String)] = []) {
        self.status = status
        // upstream_status is a number; everything else is a string.
        self.body =
            "{"
            + ([("status", name)] + extra).map { name, value in
                JSONText.quoted(name) + ":" + (name == "upstream_status" ? value : JSONText.quoted(value))
            }.joined(separator: ",") + "}"
    }

    /// A body that is already JSON (admin answers).
    init(_ status: HTTPResponse.Status, json: String) {
        self.status = status
        self.body = json
    }

    /// A provider handshake's answer, exactly as the provider expects it.
    init(_ handshake: HandshakeAnswer) {
        self.status = HTTPResponse.Status(code: handshake.status)
        self.body = handshake.body
        self.contentType = handshake.contentType
    }

    static let notFound = Answer(.notFound, "not_found")
    static func methodNotAllowed(allow: String) -> Answer {
        var answer = Answer(.methodNotAllowed, "method_not_allowed")
        answer.allow = allow
        return answer
    }
    static let tooLarge = Answer(.contentTooLarge, "too_large")
    static let unauthorized = Answer(.unauthorized, "unauthorized")
    static let unavailable = Answer(.serviceUnavailable, "unavailable")
    static let forwarded = Answer(.ok, "forwarded")

    static func badRequest(_ reason: String) -> Answer { Answer(.badRequest, "bad_request", [("reason", reason)]) }
    static func ignored(_ reason: String) -> Answer { Answer(.ok, "ignored", [("reason", reason)]) }
    static func unprocessable(_ reason: String) -> Answer { Answer(.unprocessableContent, "unprocessable", [("reason", reason)]) }
    static func upstreamRejected(_ status: Int) -> Answer {
        Answer(.unprocessableContent, "upstream_rejected", [("upstream_status", String(status))])
    }
    static func upstreamFailed(_ status: Int?) -> Answer {
        Answer(.badGateway, "upstream_failed", status.map { [("upstream_status", String($0))] } ?? [])
    }

    /// The webhook listener's answer to a `method` request: the head with its own `Content-Length`, and the
    /// body. NIO's head, built directly: the listener writes it with no conversion from HTTP types. HEAD
    /// gets the head GET would get and no body (RFC 9110, 9.3.2). A CONNECT is never answered 2xx here,
    /// so its answer is an ordinary message, body and length.
    func parts(requestID: String, date: String, for method: HTTPRequest.Method) -> (head: HTTPResponseHead, body: ByteBuffer?) {
        let bytes = ByteBuffer(string: body)
        // Made from the list at once: `HTTPHeaders.add` checks every name for non-ASCII bytes, and these
        // names are the relay's own.
        var fields = [(HTTPField.Name.contentType.rawName, contentType), (HTTPField.Name.contentLength.rawName, String(bytes.readableBytes))]
        fields.reserveCapacity(5)
        if let allow { fields.append((HTTPField.Name.allow.rawName, allow)) }
        fields.append((RequestID.header.rawName, requestID))
        fields.append((HTTPField.Name.date.rawName, date))
        let status = HTTPResponseStatus(statusCode: status.code, reasonPhrase: status.reasonPhrase)
        return (HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(fields)), method == .head ? nil : bytes)
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
