import Foundation
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import Commands
@testable import Settings

/// OpenTelemetry spans from the real binary to a stand-in collector over OTLP/HTTP: a webhook is one
/// span with a child per step, continuing the sender's trace, and a queued event's delivery attempt is
/// a span of its own linked back to that webhook (README, Tracing).
@Suite struct TracingTests {
    static let senderTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let senderSpan = "00f067aa0ba902b7"
    static let body = #"{"id":"evt-traced","conversation_id":"conv_traced_1","rating":"good"}"#

    /// A relay exporting to a fresh collector (or to none, with `tracing: false`), and one signed webhook.
    static func withRelay(
        delivery: String,
        tracing: Bool = true,
        traceParent: String? = nil,
        _ body: (FakeElevenLabs, FakeCollector, RelayProcess, Int) async throws -> Void
    ) async throws {
        let fake = FakeElevenLabs()
        let collector = FakeCollector()
        let servers: [String: (@escaping @Sendable (Int) async -> Void) -> any Service] = [
            "fake": { fake.application(onPort: $0) }, "collector": { collector.application(onPort: $0) },
        ]
        try await LoopbackServices.run(servers) { ports in
            let store = FileManager.default.temporaryDirectory.appendingPathComponent("tracing-\(UUID())/relay.sqlite").path
            var env = CrashSafetyTests.environment(upstream: "http://127.0.0.1:\(await ports.port("fake"))", store: store)
            env["RELAY_DELIVERY"] = delivery
            if tracing {
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:\(await ports.port("collector"))"
                env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json"
                env["OTEL_BSP_SCHEDULE_DELAY"] = "100"
            }
            let route = try #require(try RelayConfig.load(environment: env).route(named: "csat"))
            let relay = try RelayProcess(environment: env)
            #expect(await relay.waitUntilReady())
            let signed = try RequestSigner.sign(route: route, body: Array(Self.body.utf8), now: Date())
            let headers = signed.headers.map { ($0.name, $0.value) } + (traceParent.map { [("traceparent", $0)] } ?? [])
            let reply = try await RelayHarness.send(relay.url + signed.target, method: .POST, body: Self.body, headers: headers)
            try await body(fake, collector, relay, reply.status)
            #expect(relay.stop() == 0)
        }
    }

    @Test func aQueuedWebhookIsOneTraceAndItsDeliveryLinksBackToIt() async throws {
        try await Self.withRelay(delivery: "queue", traceParent: "00-\(Self.senderTrace)-\(Self.senderSpan)-01") { fake, collector, _, status in
            #expect(status == 202)
            #expect(
                await collector.waitUntil { spans in spans.contains { $0.name == "delivery attempt" } && spans.contains { $0.name == "webhook" } }
            )
            let spans = collector.spans
            let webhook = try #require(spans.first { $0.name == "webhook" })
            #expect(webhook.traceID == Self.senderTrace && webhook.parentSpanID == Self.senderSpan, "the sender's trace continues")
            #expect(webhook.kind == 2)
            #expect(webhook.attributes["feedback_relay.route"] == "csat")
            #expect(webhook.attributes["feedback_relay.outcome"] == "accepted")
            #expect(webhook.attributes["http.response.status_code"] == "202")
            for step in ["verify", "map", "store"] {
                let child = try #require(spans.first { $0.name == step }, "no \(step) span")
                #expect(child.traceID == webhook.traceID && child.parentSpanID == webhook.spanID, "\(step) is not a child of the webhook")
            }
            let attempt = try #require(spans.first { $0.name == "delivery attempt" })
            #expect(attempt.links.count == 1)
            #expect(attempt.links.first?.0 == webhook.traceID && attempt.links.first?.1 == webhook.spanID, "the attempt links to its webhook")
            #expect(attempt.traceID != webhook.traceID && attempt.parentSpanID.isEmpty, "each attempt is a trace of its own")
            #expect(attempt.kind == 3)
            #expect(attempt.attributes["feedback_relay.outcome"] == "delivered")
            #expect(attempt.attributes["http.response.status_code"] == "200")
            #expect(attempt.attributes["feedback_relay.route"] == "csat")
            #expect(!attempt.isError && !webhook.isError)
            #expect(fake.accepted == ["/v1/convai/conversations/conv_traced_1/feedback"])
            for span in spans.sorted(by: { $0.name < $1.name }) {
                print(
                    "span \(span.name) trace=\(span.traceID) span=\(span.spanID) parent=\(span.parentSpanID) kind=\(span.kind)",
                    "links=\(span.links.map { "\($0.0)/\($0.1)" }) attributes=\(span.attributes.sorted { $0.key < $1.key })"
                )
            }
        }
    }

    @Test func anInlineWebhookCallsElevenLabsWithinItsSpan() async throws {
        try await Self.withRelay(delivery: "inline") { fake, collector, _, status in
            #expect(status == 200)
            #expect(await collector.waitUntil { spans in spans.contains { $0.name == "webhook" } })
            let spans = collector.spans
            let webhook = try #require(spans.first { $0.name == "webhook" })
            #expect(webhook.parentSpanID.isEmpty, "no traceparent: a trace of its own")
            #expect(webhook.attributes["feedback_relay.outcome"] == "forwarded")
            let call = try #require(spans.first { $0.name == "upstream call" })
            #expect(call.parentSpanID == webhook.spanID && call.kind == 3)
            #expect(call.attributes["http.response.status_code"] == "200")
            #expect(!spans.contains { $0.name == "store" || $0.name == "delivery attempt" })
            #expect(fake.accepted.count == 1)
        }
    }

    @Test func offByDefaultItExportsNothing() async throws {
        try await Self.withRelay(delivery: "queue", tracing: false) { fake, collector, _, status in
            #expect(status == 202)
            #expect(await fake.waitUntil { $0.count == 1 })
            try await Task.sleep(for: .milliseconds(500))
            #expect(collector.exportCount == 0)
        }
    }

    @Test func settingsThatWouldLoseSpansStopTheStart() throws {
        let base = CrashSafetyTests.environment(upstream: "http://127.0.0.1:1", store: "/tmp/x.sqlite")
        func problems(_ extra: [String: String]) -> [String] {
            do {
                _ = try RelayConfig.load(environment: base.merging(extra) { $1 })
                return []
            } catch {
                return error.issues.map { "\($0.variable): \($0.message)" }
            }
        }
        #expect(
            problems(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]) == [
                "OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc': this build exports OTLP over HTTP only; use http/protobuf or http/json"
            ]
        )
        #expect(
            problems(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "collector:4318"]) == [
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' is not an http:// or https:// URL"
            ]
        )
        let on = try RelayConfig.load(environment: base.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]) { $1 })
        #expect(on.tracing?.endpoint == "http://collector:4318/v1/traces")
        #expect(try RelayConfig.load(environment: base).tracing == nil)
        let disabled = base.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"]) { $1 }
        #expect(try RelayConfig.load(environment: disabled).tracing == nil)
    }
}
