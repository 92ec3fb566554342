import Foundation
import Logging
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

/// The properties the README's "Secrets never leave" section promises, each with a test that fails without it.
@Suite struct SecurityTests {
    static let env = [
        "RELAY_ROUTE_CSAT_PRESET": "github", "RELAY_ROUTE_CSAT_SECRET": "csat-secret", "RELAY_ROUTE_CSAT_CONVERSATION_ID": "/conversation_id",
        "RELAY_ROUTE_CSAT_FEEDBACK": "/rating", "RELAY_ROUTE_CSAT_LIKE": "good", "RELAY_ROUTE_CSAT_DISLIKE": "bad",
        "RELAY_ROUTE_EL_PRESET": "elevenlabs", "RELAY_ROUTE_EL_SECRET": "wsec_security", "RELAY_UPSTREAM_TIMEOUT": "10s",
    ]

    static let hostileIDs = [
        "../x", "a/b", "%2F", "a%2Fb", "..", "?", "conv?x=1", "#", "conv#frag", "conv id", "é", "conv_é", "конв", "a\\b", "a.b",
        String(repeating: "a", count: 129), "", "a\u{0}b", "conv\r\nHost: evil", "@evil.example", "//evil.example/x",
    ]

    @Test func conversationIDsCannotLeaveTheirPathSegment() async throws {
        try await RelayHarness.run(Self.env) { relay in
            for id in Self.hostileIDs {
                let body = #"{"conversation_id":\#(JSONText.quoted(id)),"rating":"good"}"#
                let reply = try await relay.postSigned("csat", body: body)
                #expect(reply.status == 422, "\(id.debugDescription)")
                #expect(reply.json["status"] as? String == "unprocessable", "\(id.debugDescription)")
            }
            let longest = String(repeating: "a", count: 128)
            let ok = try await relay.postSigned("csat", body: #"{"conversation_id":"\#(longest)","rating":"good"}"#)
            #expect(ok.status == 200)
            #expect(relay.fake.recorded.map(\.path) == ["/v1/convai/conversations/\(longest)/feedback"])
        }
        for id in Self.hostileIDs {
            #expect(!ConversationID.isValid(id), "\(id.debugDescription)")
        }
        // Even past validation, the id is one escaped segment.
        let request = FeedbackRequest(baseURL: "https://api.elevenlabs.io", apiKey: "k", conversationID: "../a/b?c#d", feedback: .like)
        #expect(request.url == "https://api.elevenlabs.io/v1/convai/conversations/..%2Fa%2Fb%3Fc%23d/feedback")
    }

    @Test func theAPIKeyNeverReachesALogOrAnAnswer() async throws {
        try await RelayHarness.run(Self.env, logLevel: .trace) { relay in
            var answers: [String] = []
            let good = #"{"conversation_id":"conv_k","rating":"good"}"#
            answers.append(try await relay.postSigned("csat", body: good).body)
            answers.append(try await relay.post("/hooks/csat", body: good, headers: [("X-Hub-Signature-256", "sha256=00")]).body)
            answers.append(try await relay.postSigned("csat", body: #"{"conversation_id":"../x","rating":"good"}"#).body)
            for behaviour: FakeElevenLabs.Behaviour in [
                .echoKey, .status(401, body: #"{"detail":{"status":"invalid_api_key"}}"#), .status(503, body: "{}"), .delay(.seconds(1)),
            ] {
                relay.fake.behave(behaviour)
                answers.append(try await relay.postSigned("csat", body: good).body)
            }
            let el = #"{"type":"post_call_transcription","data":{"conversation_id":"conv_e","analysis":{"call_successful":"success"}}}"#
            answers.append(try await relay.postSigned("el", body: el).body)
            // The key did travel upstream, and the fake echoed it back: the test can see it if it leaks.
            #expect(relay.fake.recorded.contains { $0.apiKey == relay.fake.apiKey })
            #expect(relay.logs.text.contains("[redacted]"))
            #expect(relay.logs.all.count > 5)
            #expect(!relay.logs.text.contains(relay.fake.apiKey))
            #expect(!answers.joined().contains(relay.fake.apiKey))
            for secret in ["csat-secret", "wsec_security"] {
                #expect(!relay.logs.text.contains(secret))
                #expect(!answers.joined().contains(secret))
            }
        }
    }

    @Test func checkConfigRedactsEverySecret() throws {
        let env = Self.env.merging([
            "ELEVENLABS_API_KEY": "sk_global_key_0042", "RELAY_ROUTE_EL_API_KEY": "sk_route_key_0043", "RELAY_ADMIN_TOKEN": "admin-token-0044",
            "RELAY_ROUTE_TK_PRESET": "token", "RELAY_ROUTE_TK_SECRET": "token-0045", "RELAY_ROUTE_TK_CONVERSATION_ID": "/c",
            "RELAY_ROUTE_TK_FEEDBACK": "/f",
        ]) { $1 }
        let report = ConfigReport.render(try RelayConfig.load(environment: env))
        for secret in ["sk_global_key_0042", "sk_route_key_0043", "admin-token-0044", "token-0045", "csat-secret", "wsec_security"] {
            #expect(!report.contains(secret), "\(secret)")
        }
        #expect(report.contains("/hooks/csat"))
        #expect(report.contains("route's own [redacted]"))
    }

    @Test func redirectsAreNotFollowedWithTheKey() async throws {
        try await RelayHarness.run(Self.env) { second in
            // Another server, standing where a redirect would send the key.
            let elsewhere = second.relay.config.baseURL
            try await RelayHarness.run(Self.env) { relay in
                relay.fake.behave(.status(307, body: "{}", headers: ["Location": elsewhere + "/steal"]))
                let reply = try await relay.postSigned("csat", body: #"{"conversation_id":"conv_r","rating":"good"}"#)
                #expect(reply.status == 502)
                #expect(relay.fake.recorded.count == 1)
            }
            #expect(second.fake.recorded.isEmpty)
        }
    }

    @Test func plainHTTPUpstreamNeedsExplicitConsent() {
        let env = Self.env.merging(["ELEVENLABS_API_KEY": "k", "ELEVENLABS_BASE_URL": "http://api.elevenlabs.io"]) { $1 }
        #expect(throws: ConfigError.self) { try RelayConfig.load(environment: env) }
        var allowed = env
        allowed["RELAY_ALLOW_INSECURE_UPSTREAM"] = "true"
        #expect(throws: Never.self) { try RelayConfig.load(environment: allowed) }
    }
}
