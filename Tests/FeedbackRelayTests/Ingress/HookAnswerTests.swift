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

/// Every answer of the README's Answers table (inline mode), over HTTP against the real server and the fake upstream.
@Suite struct HookAnswerTests {
    static let env = [
        "RELAY_ROUTE_ELEVENLABS_PRESET": "elevenlabs", "RELAY_ROUTE_ELEVENLABS_SECRET": "wsec_test_secret",
        "RELAY_ROUTE_CSAT_PRESET": "github", "RELAY_ROUTE_CSAT_SECRET": "csat-secret", "RELAY_ROUTE_CSAT_CONVERSATION_ID": "/conversation_id",
        "RELAY_ROUTE_CSAT_FEEDBACK": "/rating", "RELAY_ROUTE_CSAT_LIKE": ">=4", "RELAY_ROUTE_CSAT_DISLIKE": "<=2",
        "RELAY_MAX_BODY_BYTES": "4096", "RELAY_UPSTREAM_TIMEOUT": "10s",
    ]

    static func postCall(_ conversation: String, _ outcome: String, type: String = "post_call_transcription") -> String {
        #"{"type":"\#(type)","event_timestamp":1768388714,"data":{"conversation_id":"\#(conversation)","analysis":{"call_successful":"\#(outcome)"}}}"#
    }

    @Test func forwardsLikeAndDislike() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let like = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_like_1", "success"))
            #expect(like.status == 200)
            #expect(like.body == #"{"status":"forwarded"}"#)
            let dislike = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_dislike_1", "failure"))
            #expect(dislike.status == 200)
            let calls = relay.fake.recorded
            #expect(calls.count == 2)
            #expect(calls.map(\.path) == ["/v1/convai/conversations/conv_like_1/feedback", "/v1/convai/conversations/conv_dislike_1/feedback"])
            #expect(calls.map(\.body) == [#"{"feedback":"like"}"#, #"{"feedback":"dislike"}"#])
            #expect(
                calls.allSatisfy {
                    $0.method == "POST" && $0.apiKey == relay.fake.apiKey && $0.contentType == "application/json"
                        && $0.userAgent == "feedback-relay/1"
                }
            )
        }
    }

    @Test func ignoredAnswersSayWhy() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let unknown = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_1", "unknown"))
            #expect(unknown.status == 200)
            #expect(unknown.json["status"] as? String == "ignored")
            #expect((unknown.json["reason"] as? String)?.contains("'unknown' is neither like") == true)
            let audio = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_1", "success", type: "post_call_audio"))
            #expect(audio.json["status"] as? String == "ignored")
            #expect((audio.json["reason"] as? String)?.contains("/type") == true)
            let neutral = try await relay.postSigned("csat", body: #"{"conversation_id":"conv_2","rating":3}"#)
            #expect(neutral.json["status"] as? String == "ignored")
            let missing = try await relay.postSigned("csat", body: #"{"conversation_id":"conv_2"}"#)
            #expect(missing.json["reason"] as? String == "no feedback value at /rating")
            #expect(relay.fake.recorded.isEmpty)
        }
    }

    @Test func numericRatingsMap() async throws {
        try await RelayHarness.run(Self.env) { relay in
            for (rating, feedback) in [("5", "like"), ("\"4\"", "like"), ("1", "dislike"), ("2.0", "dislike")] {
                let reply = try await relay.postSigned("csat", body: #"{"conversation_id":"conv_n","rating":\#(rating)}"#)
                #expect(reply.status == 200, "\(rating)")
                #expect(relay.fake.recorded.last?.body == #"{"feedback":"\#(feedback)"}"#, "\(rating)")
            }
        }
    }

    @Test func refusalsAnswer401WithoutDetail() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let body = Self.postCall("conv_1", "success")
            let unsigned = try await relay.post("/hooks/elevenlabs", body: body)
            let wrong = try await relay.post("/hooks/elevenlabs", body: body, headers: [("ElevenLabs-Signature", "t=1,v0=00")])
            relay.clock.set(Date().addingTimeInterval(-3600))
            let signedLongAgo = try RequestSigner.sign(
                route: relay.relay.config.route(named: "elevenlabs")!,
                body: Array(body.utf8),
                now: relay.clock.now
            )
            relay.clock.set(Date())
            let stale = try await relay.post("/hooks/elevenlabs", body: body, headers: signedLongAgo.headers.map { ($0.name, $0.value) })
            for reply in [unsigned, wrong, stale] {
                #expect(reply.status == 401)
                #expect(reply.body == #"{"status":"unauthorized"}"#)
            }
            #expect(relay.fake.recorded.isEmpty)
            // The log, not the answer, says which check failed.
            #expect(relay.logs.text.contains("header ElevenLabs-Signature is missing"))
            #expect(relay.logs.text.contains("matches no configured secret"))
            #expect(relay.logs.text.contains("outside the tolerance"))
        }
    }

    @Test func routingMethodAndSizeAnswers() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let unknown = try await relay.post("/hooks/nope", body: "{}")
            #expect(unknown.status == 404 && unknown.body == #"{"status":"not_found"}"#)
            let elsewhere = try await relay.post("/metrics", body: "{}")
            #expect(elsewhere.status == 404)
            let get = try await relay.get(relay.baseURL + "/hooks/elevenlabs")
            #expect(get.status == 405 && get.body == #"{"status":"method_not_allowed"}"#)
            let large = try await relay.postSigned("elevenlabs", body: String(repeating: " ", count: 5000) + Self.postCall("conv_1", "success"))
            #expect(large.status == 413 && large.body == #"{"status":"too_large"}"#)
            let justFits = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_1", "success") + String(repeating: " ", count: 3900))
            #expect(justFits.status == 200)
        }
    }

    @Test func oversizedChunkedBodyIsRefused() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let reply = try await RelayHarness.sendChunked(
                relay.baseURL + "/hooks/elevenlabs",
                chunks: Array(repeating: String(repeating: "x", count: 1000), count: 6)
            )
            #expect(reply.status == 413)
        }
    }

    @Test func badBodiesAnswer400() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let reply = try await relay.postSigned("elevenlabs", body: #"{"type":"post_call_transcription","data":"#)
            #expect(reply.status == 400)
            #expect(reply.json["status"] as? String == "bad_request")
            #expect(relay.fake.recorded.isEmpty)
        }
    }

    @Test func missingOrInvalidConversationIDAnswers422() async throws {
        try await RelayHarness.run(Self.env) { relay in
            let missing = try await relay.postSigned("csat", body: #"{"rating":5}"#)
            #expect(missing.status == 422)
            #expect(missing.json["status"] as? String == "unprocessable")
            #expect(relay.fake.recorded.isEmpty)
        }
    }

    @Test func upstreamRefusalsAnswer422WithTheStatus() async throws {
        try await RelayHarness.run(Self.env) { relay in
            for status in [400, 401, 403, 404, 422] {
                relay.fake.behave(.status(status, body: #"{"detail":[{"loc":["path"],"msg":"no","type":"x"}]}"#))
                let reply = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_r", "success"))
                #expect(reply.status == 422, "\(status)")
                #expect(reply.body == #"{"status":"upstream_rejected","upstream_status":\#(status)}"#)
            }
            relay.fake.behave(.normal)
            let wrongKey = try await RelayHarness.run(
                Self.env.merging(["ELEVENLABS_API_KEY": "sk_wrong"]) { $1 },
                upstreamBaseURL: relay.relay.config.baseURL
            ) { other in
                try await other.postSigned("elevenlabs", body: Self.postCall("conv_r", "success"))
            }
            #expect(wrongKey.status == 422)
            #expect(wrongKey.json["upstream_status"] as? Int == 401)
        }
    }

    @Test func upstreamFailuresAnswer502() async throws {
        try await RelayHarness.run(Self.env) { relay in
            for status in [408, 425, 429, 500, 503] {
                relay.fake.behave(.status(status, body: #"{"detail":{"status":"too_many_concurrent_requests"}}"#))
                let reply = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_f", "success"))
                #expect(reply.status == 502, "\(status)")
                #expect(reply.body == #"{"status":"upstream_failed","upstream_status":\#(status)}"#)
            }
        }
        // Only this case has a short upstream timeout, and an upstream ten times slower than it: the
        // others must not time out on a busy machine.
        try await RelayHarness.run(Self.env.merging(["RELAY_UPSTREAM_TIMEOUT": "300ms"]) { $1 }) { relay in
            relay.fake.behave(.delay(.seconds(3)))
            let slow = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_f", "success"))
            #expect(slow.status == 502 && slow.body == #"{"status":"upstream_failed"}"#)
            #expect(relay.logs.text.contains("curl error 28"))
        }
        // Nothing listens on the upstream port: the connection is refused.
        try await RelayHarness.run(Self.env, upstreamBaseURL: "http://127.0.0.1:1") { relay in
            let reply = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_f", "success"))
            #expect(reply.status == 502)
        }
    }

    @Test func drainingAnswers503AndFailsReadiness() async throws {
        try await RelayHarness.run(Self.env) { relay in
            #expect(try await relay.get(relay.managementURL + "/readyz").status == 200)
            #expect(try await relay.get(relay.managementURL + "/healthz").body == #"{"status":"alive"}"#)
            relay.relay.state.startDraining()
            let reply = try await relay.postSigned("elevenlabs", body: Self.postCall("conv_d", "success"))
            #expect(reply.status == 503 && reply.body == #"{"status":"unavailable"}"#)
            #expect(try await relay.get(relay.managementURL + "/readyz").status == 503)
            #expect(try await relay.get(relay.managementURL + "/healthz").status == 200)
            #expect(relay.fake.recorded.isEmpty)
        }
    }

    @Test func slackURLVerificationIsAnsweredOnlyWhenSigned() async throws {
        let env = Self.env.merging(["RELAY_ROUTE_SLACK_PRESET": "slack", "RELAY_ROUTE_SLACK_SECRET": "slack-signing-secret"]) { $1 }
        try await RelayHarness.run(env) { relay in
            let body = #"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#
            let reply = try await relay.postSigned("slack", body: body)
            #expect(reply.status == 200)
            #expect(reply.json["challenge"] as? String == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
            let forged = try await relay.post("/hooks/slack", body: body, headers: [("Content-Type", "application/json")])
            #expect(forged.status == 401)

            let payload = #"{"type":"block_actions","actions":[{"action_id":"csat","value":"conv_slack_7:dislike"}]}"#
            let button = "payload=" + PercentEncoding.encodeFormComponent(payload)
            let pressed = try await relay.postSigned("slack", body: button)
            #expect(pressed.status == 200 && pressed.json["status"] as? String == "forwarded")
            #expect(relay.fake.recorded.last?.path == "/v1/convai/conversations/conv_slack_7/feedback")
            #expect(relay.fake.recorded.last?.body == #"{"feedback":"dislike"}"#)
        }
    }

    @Test func frontChallengeIsEchoedOnlyWhenSigned() async throws {
        let env = Self.env.merging([
            "RELAY_ROUTE_FRONT_PRESET": "front", "RELAY_ROUTE_FRONT_SECRET": "front-secret", "RELAY_ROUTE_FRONT_CONVERSATION_ID": "/c",
            "RELAY_ROUTE_FRONT_FEEDBACK": "/f",
        ]) { $1 }
        try await RelayHarness.run(env) { relay in
            let answered = try await relay.postSigned("front", body: "{}", extraHeaders: [("X-Front-Challenge", "ch_4f2a")])
            #expect(answered.status == 200 && answered.body == "ch_4f2a")
            let forged = try await relay.post("/hooks/front", body: "{}", headers: [("X-Front-Challenge", "ch_4f2a")])
            #expect(forged.status == 401)
        }
    }

    @Test func eachSchemeLandsOnTheFake() async throws {
        let routes: [String: String] = [
            "RELAY_ROUTE_SW_PRESET": "standard-webhooks", "RELAY_ROUTE_SW_SECRET": "whsec_" + Base64.encode(Array("standard key".utf8)),
            "RELAY_ROUTE_ZD_PRESET": "zendesk", "RELAY_ROUTE_ZD_SECRET": "zendesk-secret",
            "RELAY_ROUTE_GH_PRESET": "github", "RELAY_ROUTE_GH_SECRET": "gh-secret",
            "RELAY_ROUTE_HM_PRESET": "hmac", "RELAY_ROUTE_HM_SECRET": "hm-secret", "RELAY_ROUTE_HM_SIGNATURE_HEADER": "X-Signature",
            "RELAY_ROUTE_TK_PRESET": "token", "RELAY_ROUTE_TK_SECRET": "freshdesk-token", "RELAY_ROUTE_TK_TOKEN_QUERY": "token",
            "RELAY_ROUTE_BA_PRESET": "basic", "RELAY_ROUTE_BA_SECRET": "aircall:pa55word",
        ]
        var env = Self.env.merging(routes) { $1 }
        for name in ["SW", "ZD", "GH", "HM", "TK", "BA"] {
            env["RELAY_ROUTE_\(name)_CONVERSATION_ID"] = "/conversation"
            env["RELAY_ROUTE_\(name)_FEEDBACK"] = "/rating"
            env["RELAY_ROUTE_\(name)_LIKE"] = "good"
            env["RELAY_ROUTE_\(name)_DISLIKE"] = "bad"
        }
        try await RelayHarness.run(env) { relay in
            for name in ["sw", "zd", "gh", "hm", "tk", "ba"] {
                let reply = try await relay.postSigned(name, body: #"{"conversation":"conv_\#(name)","rating":"good"}"#)
                #expect(reply.status == 200, "\(name): \(reply.body)")
                #expect(relay.fake.recorded.last?.path == "/v1/convai/conversations/conv_\(name)/feedback", "\(name)")
                let unsigned = try await relay.post("/hooks/\(name)", body: #"{"conversation":"conv_\#(name)","rating":"good"}"#)
                #expect(unsigned.status == 401, "\(name)")
            }
            #expect(relay.fake.recorded.count == 6)
        }
    }
}
