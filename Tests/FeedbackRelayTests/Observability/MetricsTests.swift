import Foundation
import NIOHTTP1
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

/// `/metrics` after a scripted mix of requests and deliveries: every counter moved by exactly what the mix
/// did, and the whole exposition passes a strict reader of the text format.
@Suite struct MetricsTests {
    static let env = [
        "RELAY_DELIVERY": "queue", "RELAY_MAX_BODY_BYTES": "2048", "RELAY_ROUTE_CSAT_PRESET": "github", "RELAY_ROUTE_CSAT_SECRET": "csat-secret",
        "RELAY_ROUTE_CSAT_CONVERSATION_ID": "/conversation_id", "RELAY_ROUTE_CSAT_FEEDBACK": "/rating", "RELAY_ROUTE_CSAT_LIKE": "good",
        "RELAY_ROUTE_CSAT_DISLIKE": "bad", "RELAY_ROUTE_CSAT_EVENT_ID": "/id",
        "RELAY_ROUTE_CALLS_PRESET": "elevenlabs", "RELAY_ROUTE_CALLS_SECRET": "wsec_metrics",
    ]

    static func scrape(_ relay: RelayHarness) async throws -> PrometheusExposition {
        let reply = try await relay.get(relay.managementURL + "/metrics")
        #expect(reply.status == 200)
        return try PrometheusExposition(reply.body)
    }

    static func rating(_ conversation: String, _ rating: String, id: String) -> String {
        #"{"id":"\#(id)","conversation_id":"\#(conversation)","rating":"\#(rating)"}"#
    }

    @Test func countersMoveByExactlyWhatHappened() async throws {
        try await RelayHarness.run(Self.env, policy: QueueDeliveryTests.fast) { relay in
            let before = try await Self.scrape(relay)
            func requests(_ route: String, _ outcome: String, in scrape: PrometheusExposition) -> Double {
                scrape["feedback_relay_requests_total", [("route", route), ("outcome", outcome)]] ?? -1
            }

            // Delivered at once; then the same event again.
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_m1", "good", id: "e1")).status == 202)
            #expect(await relay.fake.waitUntil { $0.count == 1 })
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_m1", "good", id: "e1")).status == 200)
            // A 503 first, then delivered.
            relay.fake.script([.status(503, body: "{}")])
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_m2", "bad", id: "e2")).status == 202)
            #expect(await relay.fake.waitUntil { $0.count == 3 })
            // Refused by ElevenLabs: dead.
            relay.fake.script([.status(422, body: #"{"detail":[]}"#)])
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_m3", "good", id: "e3")).status == 202)
            #expect(await relay.fake.waitUntil { $0.count == 4 })

            #expect(try await relay.postSigned("csat", body: Self.rating("conv_m4", "meh", id: "e4")).status == 200)
            #expect(try await relay.post("/hooks/csat", body: "{}").status == 401)
            #expect(
                try await relay.post("/hooks/csat", body: "{}", headers: [("X-Hub-Signature-256", "sha256=" + String(repeating: "0", count: 64))])
                    .status == 401
            )
            let stale = try RequestSigner.sign(route: relay.relay.config.route(named: "calls")!, body: Array("{}".utf8), now: relay.clock.now - 7200)
            #expect(try await relay.post(stale.target, body: "{}", headers: stale.headers.map { ($0.name, $0.value) }).status == 401)
            #expect(try await relay.post("/hooks/nope", body: "{}").status == 404)
            #expect(try await relay.post("/hooks/csat", body: String(repeating: "x", count: 3000)).status == 413)
            #expect(try await relay.postSigned("csat", body: "not json").status == 400)
            #expect(try await relay.postSigned("csat", body: Self.rating("bad id!", "good", id: "e5")).status == 422)
            #expect(try await relay.post("/hooks/csat", body: "", method: .GET).status == 405)

            // The dead event's outcome is recorded after the call; wait for the store to show it.
            var after = try await Self.scrape(relay)
            for _ in 0..<50 where after["feedback_relay_queue_depth", [("state", "dead")]] != 1 {
                try await Task.sleep(for: .milliseconds(50))
                after = try await Self.scrape(relay)
            }

            let expected: [(String, String, Double)] = [
                ("csat", "accepted", 3), ("csat", "duplicate", 1), ("csat", "ignored", 1), ("csat", "refused_signature", 2),
                ("calls", "refused_stale", 1), ("", "unknown_route", 1), ("csat", "too_large", 1), ("csat", "bad_body", 1),
                ("csat", "bad_conversation_id", 1), ("csat", "method_not_allowed", 1), ("csat", "forwarded", 0), ("csat", "unavailable", 0),
                ("calls", "accepted", 0),
            ]
            for (route, outcome, delta) in expected {
                #expect(requests(route, outcome, in: after) - requests(route, outcome, in: before) == delta, "\(route) \(outcome)")
            }
            func delta(_ name: String, _ labels: [(String, String)]) -> Double? {
                guard let now = after[name, labels], let then = before[name, labels] else { return nil }
                return now - then
            }
            #expect(delta("feedback_relay_request_duration_seconds_count", [("route", "csat")]) == 11)
            #expect(delta("feedback_relay_request_duration_seconds_count", [("route", "calls")]) == 1)
            #expect(delta("feedback_relay_request_duration_seconds_count", [("route", "")]) == 1)
            #expect(delta("feedback_relay_upstream_attempts_total", [("route", "csat"), ("status_class", "2xx")]) == 2)
            #expect(delta("feedback_relay_upstream_attempts_total", [("route", "csat"), ("status_class", "5xx")]) == 1)
            #expect(delta("feedback_relay_upstream_attempts_total", [("route", "csat"), ("status_class", "4xx")]) == 1)
            #expect(delta("feedback_relay_upstream_attempts_total", [("route", "csat"), ("status_class", "error")]) == 0)
            #expect(delta("feedback_relay_upstream_duration_seconds_count", [("route", "csat")]) == 4)
            #expect(delta("feedback_relay_delivery_retries_total", [("route", "csat")]) == 1)
            #expect(delta("feedback_relay_deliveries_total", [("route", "csat"), ("outcome", "delivered"), ("status_class", "2xx")]) == 2)
            #expect(delta("feedback_relay_deliveries_total", [("route", "csat"), ("outcome", "dead"), ("status_class", "4xx")]) == 1)
            #expect(after["feedback_relay_queue_depth", [("state", "dead")]] == 1)
            #expect(after["feedback_relay_queue_depth", [("state", "waiting")]] == 0)
            #expect(after["feedback_relay_queue_depth", [("state", "in_flight")]] == 0)
            #expect(after["feedback_relay_oldest_pending_age_seconds"] == 0)
            let opened = try #require(after["feedback_relay_upstream_connections_total", [("kind", "opened")]])
            let reused = try #require(after["feedback_relay_upstream_connections_total", [("kind", "reused")]])
            #expect(opened + reused == 4)
            #expect(opened >= 1)
            #expect((after["process_resident_memory_bytes"] ?? 0) > 1_000_000)
            #expect((after["process_open_fds"] ?? 0) > 3)
            #expect(after["feedback_relay_build_info", [("version", RelayVersion.current)]] == 1)
            #expect(after.types["feedback_relay_build_info"] == "gauge")
            #expect(after.types["feedback_relay_requests_total"] == "counter")
            #expect(after.types["feedback_relay_request_duration_seconds"] == "histogram")
        }
    }

    @Test func oldestPendingAgeGrowsWhileElevenLabsIsDown() async throws {
        try await RelayHarness.run(Self.env, upstreamBaseURL: "http://127.0.0.1:1", policy: QueueDeliveryTests.fast) { relay in
            #expect(try await relay.postSigned("csat", body: Self.rating("conv_p1", "good", id: "p1")).status == 202)
            try await Task.sleep(for: .milliseconds(1200))
            let scrape = try await Self.scrape(relay)
            let age = try #require(scrape["feedback_relay_oldest_pending_age_seconds"])
            #expect(age >= 1 && age < 30)
            #expect(
                (scrape["feedback_relay_queue_depth", [("state", "waiting")]] ?? 0)
                    + (scrape["feedback_relay_queue_depth", [("state", "in_flight")]] ?? 0) == 1
            )
            #expect((scrape["feedback_relay_upstream_attempts_total", [("route", "csat"), ("status_class", "error")]] ?? 0) >= 1)
        }
    }

    @Test func theReaderRejectsWhatPrometheusWould() {
        let bad = [
            "no_type 1\n",
            "# TYPE x counter\nx 1\n",
            "# TYPE x_total counter\nx_total{a=\"1\"} 1\nx_total{a=\"1\"} 2\n",
            "# TYPE x_total counter\nx_total{a=1} 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n",
            "# TYPE g gauge\ng 1",
        ]
        for text in bad {
            #expect(throws: PrometheusExposition.FormatError.self, "\(text)") { try PrometheusExposition(text) }
        }
        #expect(throws: Never.self) { try PrometheusExposition("# HELP g A gauge.\n# TYPE g gauge\ng{a=\"q\\\"uote\"} 1.5\n") }
    }
}
