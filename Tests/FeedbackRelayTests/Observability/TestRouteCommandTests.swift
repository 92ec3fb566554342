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

/// `feedback-relay test-route`, the real binary on saved requests: what it says for a valid, a tampered,
/// a stale and an ignored one, and that it never prints the key.
@Suite struct TestRouteCommandTests {
    static let env = [
        "ELEVENLABS_API_KEY": "sk_test_route_key_93", "RELAY_ROUTE_CALLS_PRESET": "elevenlabs", "RELAY_ROUTE_CALLS_SECRET": "wsec_old,wsec_new",
    ]
    static let sentAt = 1_768_388_720.0

    /// Writes `body`, signs it as ElevenLabs would at `sentAt` with the route's second secret, and runs test-route.
    func testRoute(body: String, signedBody: String? = nil, now: Double? = sentAt + 5) throws -> CommandLineTests.Run {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("saved-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let route = try #require(try RelayConfig.load(environment: Self.env).route(named: "calls"))
        let signed = try RequestSigner.sign(
            route: route,
            body: Array((signedBody ?? body).utf8),
            now: Date(timeIntervalSince1970: Self.sentAt),
            secretIndex: 1
        )
        try body.write(to: file, atomically: true, encoding: .utf8)
        var arguments = ["test-route", "calls", "--body", file.path]
        for header in signed.headers { arguments += ["--header", "\(header.name): \(header.value)"] }
        if let now { arguments += ["--now", String(now)] }
        let run = try CommandLineTests().run(arguments, environment: Self.env)
        #expect(!(run.stdout + run.stderr).contains("sk_test_route_key_93"))
        #expect(!(run.stdout + run.stderr).contains("wsec_new"))
        return run
    }

    static func call(_ result: String) -> String {
        #"{"type":"post_call_transcription","event_timestamp":1768388714,"data":{"conversation_id":"conv_tr1","analysis":{"call_successful":"\#(result)"}}}"#
    }

    @Test func aValidRequestShowsWhatWouldBeSent() throws {
        let run = try testRoute(body: Self.call("success"))
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("verify       ok: the signature matches the route's secret #2"))
        #expect(run.stdout.contains("feedback     /data/analysis/call_successful is 'success'"))
        #expect(run.stdout.contains("decision     'success' is LIKE (success) → like"))
        #expect(run.stdout.contains("conversation /data/conversation_id is 'conv_tr1'"))
        #expect(run.stdout.contains("send         POST https://api.elevenlabs.io/v1/convai/conversations/conv_tr1/feedback"))
        #expect(run.stdout.contains("xi-api-key: [redacted]"))
        #expect(run.stdout.contains(#"{"feedback":"like"}"#))
    }

    @Test func aTamperedRequestSaysWhichCheckFailed() throws {
        let run = try testRoute(body: Self.call("failure"), signedBody: Self.call("success"))
        #expect(run.status == 1)
        #expect(run.stdout.contains("verify       REFUSED: signature in ElevenLabs-Signature matches no configured secret"))
        #expect(run.stdout.contains("byte for byte"))
        #expect(run.stdout.contains("answer       401 unauthorized"))
        #expect(!run.stdout.contains("send "))
    }

    @Test func aStaleRequestSaysHowFarOff() throws {
        let run = try testRoute(body: Self.call("success"), now: Self.sentAt + 3600)
        #expect(run.status == 1)
        #expect(run.stdout.contains("verify       REFUSED: timestamp ElevenLabs-Signature is 3600 s away from now, outside the tolerance"))
        #expect(run.stdout.contains("--now"))
    }

    @Test func anIgnoredRequestSaysWhy() throws {
        let run = try testRoute(body: Self.call("unknown"))
        #expect(run.status == 0)
        #expect(run.stdout.contains("verify       ok"))
        #expect(run.stdout.contains("decision     'unknown' is neither LIKE (success) nor DISLIKE (failure)"))
        #expect(
            run.stdout.contains("answer       200 ignored: feedback value 'unknown' is neither like (success) nor dislike (failure); nothing sent")
        )
        #expect(!run.stdout.contains("send "))
    }
}
