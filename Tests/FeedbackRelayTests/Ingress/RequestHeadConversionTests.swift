import HTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Testing

@testable import Server

/// The webhook listener's own conversion of a request head gives what swift-nio-extras' does.
struct RequestHeadConversionTests {
    static let heads: [(String, [(String, String)])] = [
        ("/hooks/el", [("Host", "relay:8080"), ("Content-Type", "application/json"), ("ElevenLabs-Signature", "t=1,v0=ab")]),
        ("/hooks/el?x=1&y=%20", [("host", "a"), ("HOST", "b"), ("X-Token", "t")]),
        ("/hooks/el", [("X-Request-Id", "r-1"), ("hOsT", ""), ("Host", "second")]),
        ("/", []),
        ("/hooks/el", [("Bad Name", "dropped"), ("Cookie", "a=1; b=2"), ("Hosts", "not host")]),
        ("http://relay:8080/hooks/el?q=1", [("Host", "relay:8080")]),
        ("*", [("Host", "relay")]),
    ]

    @Test(arguments: heads.indices)
    func givesWhatTheLibrarysConversionGives(_ index: Int) throws {
        let (uri, fields) = Self.heads[index]
        var headers = HTTPHeaders()
        for (name, value) in fields { headers.add(name: name, value: value) }
        for method in [HTTPMethod.POST, .GET, .HEAD] {
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: uri, headers: headers)
            let library = try HTTPRequest(head, secure: false, splitCookie: false)
            let own = try HTTPRequest(hookHead: head)
            #expect(own == library, "\(uri) \(fields)")
            #expect(Array(own.headerFields) == Array(library.headerFields))
        }
    }
}
