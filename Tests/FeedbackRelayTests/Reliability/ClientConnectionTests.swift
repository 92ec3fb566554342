import Foundation
import Testing

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// Hostile and careless clients: each is answered or closed by the relay, never held forever. Every
/// wait is bounded generously (30 s): a build without the limit fails by waiting that long, a slow
/// machine does not.
@Suite struct ClientConnectionTests {
    static let env = [
        "RELAY_ROUTE_T_PRESET": "token", "RELAY_ROUTE_T_TOKEN_HEADER": "X-Token", "RELAY_ROUTE_T_SECRET": "tok-123",
        "RELAY_ROUTE_T_CONVERSATION_ID": "/c", "RELAY_ROUTE_T_FEEDBACK": "/f", "RELAY_ROUTE_T_LIKE": "up", "RELAY_ROUTE_T_DISLIKE": "down",
        "RELAY_HEADER_TIMEOUT": "1s", "RELAY_BODY_TIMEOUT": "1s", "RELAY_IDLE_TIMEOUT": "1s", "RELAY_MAX_BODY_BYTES": "65536",
    ]
    static let valid = #"{"c":"conv_raw_1","f":"up"}"#

    static func request(_ body: String, version: String = "1.1") -> String {
        "POST /hooks/t HTTP/\(version)\r\nHost: relay\r\nX-Token: tok-123\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func silentHeadDribblingAndStalledBodyConnectionsAreClosed() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let silent = try RawConnection(port: relay.hooksPort)
            let dribbling = try RawConnection(port: relay.hooksPort)
            dribbling.send("POST /hooks/t HTTP/1.1\r\nHo")
            let stalled = try RawConnection(port: relay.hooksPort)
            stalled.send("POST /hooks/t HTTP/1.1\r\nHost: relay\r\nContent-Length: 1000\r\n\r\n0123456789")
            #expect(await silent.readUntilClosed() == "", "a connection that sends nothing is closed")
            #expect(await dribbling.readUntilClosed() != nil, "a head that never completes is closed")
            #expect(await stalled.readUntilClosed() != nil, "a body that stalls is closed")
            let metrics = try await relay.get(relay.managementURL + "/metrics").body
            #expect(metrics.contains(#"feedback_relay_client_connections_closed_total{reason="header_timeout"} 2"#))
            #expect(metrics.contains(#"feedback_relay_client_connections_closed_total{reason="body_timeout"} 1"#))
        }
    }

    @Test func keptAliveConnectionIsAnsweredThenClosedWhenIdle() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            connection.send(Self.request(Self.valid))
            let answer = await connection.readAnswer()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            #expect(!answer.lowercased().contains("connection: close"))
            #expect(await connection.readUntilClosed() == "", "an idle kept-alive connection is closed")
            #expect(relay.fake.recorded.count == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInTheirOrder() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_IDLE_TIMEOUT": "60s"]) { $1 }) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            // Three requests in one write: the first waits for ElevenLabs, the second needs nothing
            // (404), the third asks for the connection to close. Answers must come in request order.
            let unknown = "POST /hooks/none HTTP/1.1\r\nHost: relay\r\nX-Request-Id: second\r\nContent-Length: 2\r\n\r\n{}"
            let last = Self.request(#"{"c":"conv_raw_3","f":"down"}"#).replacingOccurrences(
                of: "Host: relay\r\n",
                with: "Host: relay\r\nConnection: close\r\n"
            )
            connection.send(Self.request(Self.valid) + unknown + last)
            let answers = try #require(await connection.readUntilClosed(limit: .seconds(20)), "closed after the third answer")
            let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "404", "200"], "\(answers)")
            let second = try #require(answers.range(of: "second"), "\(answers)")
            let forwarded = try #require(answers.range(of: "forwarded"), "\(answers)")
            #expect(forwarded.lowerBound < second.lowerBound, "the first answer first: \(answers)")
            #expect(relay.fake.recorded.count == 2)
        }
    }

    /// The relay encodes its answers itself (`AnswerEncoder`): HEAD gets GET's headers and no body,
    /// so the pipelined answer after it starts right after its head.
    @Test func aHeadRequestIsAnsweredWithoutABody() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_IDLE_TIMEOUT": "60s"]) { $1 }) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            let head = "HEAD /hooks/t HTTP/1.1\r\nHost: relay\r\nX-Request-Id: head-1\r\n\r\n"
            let get = "GET /hooks/t HTTP/1.1\r\nHost: relay\r\nX-Request-Id: get-2\r\nConnection: close\r\n\r\n"
            connection.send(head + get)
            let answers = try #require(await connection.readUntilClosed(limit: .seconds(20)), "closed after the second answer")
            let parts = answers.components(separatedBy: "\r\n\r\n")
            #expect(parts.count == 3, "two heads, one body: \(answers)")
            let (headAnswer, getAnswer, getBody) = (parts[0].lowercased(), parts[1].lowercased(), parts.count > 2 ? parts[2] : "")
            #expect(headAnswer.hasPrefix("http/1.1 405 method not allowed\r\n"), "\(answers)")
            #expect(getAnswer.hasPrefix("http/1.1 405 method not allowed\r\n"), "\(answers)")
            #expect(headAnswer.contains("x-request-id: head-1") && getAnswer.contains("x-request-id: get-2"), "\(answers)")
            // HEAD announces the length GET's body has.
            let length = try #require(getAnswer.split(separator: "\r\n").first { $0.hasPrefix("content-length: ") })
            #expect(headAnswer.contains(String(length)), "\(answers)")
            #expect(Int(length.dropFirst("content-length: ".count)) == getBody.utf8.count, "\(answers)")
            #expect(getBody.hasPrefix("{"), "\(answers)")
        }
    }

    @Test func requestsThatArriveWhileOneIsAnsweredWaitTheirTurn() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_IDLE_TIMEOUT": "60s"]) { $1 }) { relay in
            relay.fake.script([.delay(.milliseconds(500))])
            let connection = try RawConnection(port: relay.hooksPort)
            // The first waits for ElevenLabs; the others come in writes of their own meanwhile: the
            // handler reads on while it answers, so the second is read then and the third is left in
            // the socket until the first answer is out.
            connection.send(Self.request(Self.valid))
            try await Task.sleep(for: .milliseconds(100))
            connection.send("POST /hooks/none HTTP/1.1\r\nHost: relay\r\nX-Request-Id: second\r\nContent-Length: 2\r\n\r\n{}")
            try await Task.sleep(for: .milliseconds(100))
            connection.send(
                Self.request(#"{"c":"conv_raw_3","f":"down"}"#).replacingOccurrences(
                    of: "Host: relay\r\n",
                    with: "Host: relay\r\nConnection: close\r\n"
                )
            )
            let answers = try #require(await connection.readUntilClosed(limit: .seconds(20)), "closed after the third answer")
            let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "404", "200"], "\(answers)")
            #expect(relay.fake.recorded.map { $0.feedback?.0 } == ["conv_raw_1", "conv_raw_3"])
        }
    }

    @Test func http10IsAnsweredWithConnectionCloseAndClosed() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_IDLE_TIMEOUT": "60s"]) { $1 }) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            connection.send(Self.request(Self.valid, version: "1.0"))
            let answer = try #require(await connection.readUntilClosed(limit: .seconds(20)), "HTTP/1.0 without keep-alive is closed after its answer")
            #expect(answer.hasPrefix("HTTP/1.1 200") && answer.lowercased().contains("connection: close"), "\(answer)")
        }
    }

    @Test func oversizedBodyIsAnswered413AndTheConnectionClosedUnread() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_BODY_TIMEOUT": "60s", "RELAY_IDLE_TIMEOUT": "60s"]) { $1 }) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            connection.send("POST /hooks/t HTTP/1.1\r\nHost: relay\r\nX-Token: tok-123\r\nContent-Length: 5000000\r\n\r\n")
            connection.send([UInt8](repeating: 0x78, count: 1000))
            // The client stops sending: a relay that reads the rest of the body before closing waits forever.
            let answer = try #require(await connection.readUntilClosed(limit: .seconds(20)), "closed after the 413, the rest of the body unread")
            #expect(answer.hasPrefix("HTTP/1.1 413") && answer.hasSuffix(#"{"status":"too_large"}"#), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"))
        }
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", "HTTP/1.1 400", #"{"status":"bad_request"}"#),
        ("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: relay\r\n\r\n", "HTTP/1.1 414", #"{"status":"uri_too_long"}"#),
        (
            "GET / HTTP/1.1\r\nHost: relay\r\nX-Big: " + String(repeating: "a", count: 90000) + "\r\n\r\n", "HTTP/1.1 431",
            #"{"status":"header_too_large"}"#
        ),
    ])
    func malformedRequestsGetAJSONAnswerAndAClose(request: String, status: String, body: String) async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_HEADER_TIMEOUT": "60s"]) { $1 }) { relay in
            let connection = try RawConnection(port: relay.hooksPort)
            connection.send(request)
            let answer = try #require(await connection.readUntilClosed(limit: .seconds(20)))
            #expect(answer.hasPrefix(status), "\(answer.prefix(200))")
            #expect(answer.hasSuffix(body) && answer.contains("content-type: application/json"), "\(answer.prefix(300))")
        }
    }

    @Test func connectionsBeyondTheCapWaitInTheBacklog() async throws {
        try await RelayHarness.run(Self.env.merging(["RELAY_MAX_CONNECTIONS": "2", "RELAY_HEADER_TIMEOUT": "60s"]) { $1 }) { relay in
            let held = try (0..<2).map { _ in try RawConnection(port: relay.hooksPort) }
            // The two are accepted first (one accept call can take several connections at once).
            for _ in 0..<600 {
                let metrics = try await relay.get(relay.managementURL + "/metrics").body
                if metrics.contains(#"feedback_relay_client_connections{listener="hooks"} 2"#) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            // Accepted only once a held one closes: its request waits, unanswered, until then.
            let waiting = try RawConnection(port: relay.hooksPort)
            waiting.send(Self.request(Self.valid))
            #expect(await waiting.readAnswer(limit: .milliseconds(500)).isEmpty, "a third connection is not served while two are held")
            held[0].send("GARBAGE\r\n\r\n")
            _ = await held[0].readUntilClosed()
            #expect(await waiting.readAnswer().hasPrefix("HTTP/1.1 200"), "served once a held connection ended")
            _ = held[1]
        }
    }
}
