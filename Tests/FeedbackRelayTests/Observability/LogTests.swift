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

/// The log an operator searches at night: one JSON line per request and per delivery attempt, with the
/// fields named in the README, and never a secret or the API key.
@Suite struct LogTests {
    static func objects(_ logs: LogCapture) throws -> [[String: Any]] {
        try logs.all.map { line in
            #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"), "one line each: \(line)")
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object, "not a JSON object: \(line)")
        }
    }

    @Test func oneLinePerRequestAndPerAttempt() async throws {
        try await RelayHarness.run(MetricsTests.env, policy: QueueDeliveryTests.fast) { relay in
            relay.fake.script([.status(503, body: "{}")])
            let accepted = try await relay.postSigned(
                "csat",
                body: MetricsTests.rating("conv_l1", "good", id: "l1"),
                extraHeaders: [("X-Request-Id", "proxy-req-42")]
            )
            #expect(accepted.status == 202)
            #expect(accepted.headers.contains { $0.0.lowercased() == "x-request-id" && $0.1 == "proxy-req-42" })
            #expect(await relay.fake.waitUntil { $0.count == 2 })
            let refused = try await relay.post("/hooks/csat", body: "{}")
            #expect(refused.status == 401)
            let generated = try #require(refused.headers.first { $0.0.lowercased() == "x-request-id" }?.1)
            try await Task.sleep(for: .milliseconds(100))

            let lines = try Self.objects(relay.logs)
            for line in lines {
                #expect(line["ts"] is String && line["level"] is String && line["msg"] is String, "\(line)")
            }
            let requests = lines.filter { $0["request_id"] != nil }
            #expect(requests.count == 2)
            let first = try #require(requests.first { $0["request_id"] as? String == "proxy-req-42" })
            #expect(first["route"] as? String == "csat" && first["outcome"] as? String == "accepted" && first["status"] as? Int == 202)
            #expect(first["conversation_id"] as? String == "conv_l1" && first["feedback"] as? String == "like")
            #expect(first["delivery_id"] is Int && first["duration_ms"] is Double && first["level"] as? String == "info")
            let second = try #require(requests.first { $0["request_id"] as? String == generated })
            #expect(second["outcome"] as? String == "refused_signature" && second["status"] as? Int == 401)
            #expect(second["reason"] as? String == "header X-Hub-Signature-256 is missing" && second["level"] as? String == "warning")

            let attempts = lines.filter { $0["attempt"] != nil }.sorted { ($0["attempt"] as? Int ?? 0) < ($1["attempt"] as? Int ?? 0) }
            #expect(attempts.map { $0["outcome"] as? String } == ["retry", "delivered"])
            #expect(attempts.map { $0["upstream_status"] as? Int } == [503, 200])
            for attempt in attempts {
                #expect(attempt["delivery_id"] as? Int == first["delivery_id"] as? Int)
                #expect(attempt["upstream_ms"] is Double && attempt["conversation_id"] as? String == "conv_l1")
            }
            #expect(attempts.first?["next_attempt_at"] is String)
        }
    }

    @Test func neitherTheKeyNorASecretIsEverLogged() async throws {
        try await RelayHarness.run(MetricsTests.env, policy: QueueDeliveryTests.fast) { relay in
            // An upstream that echoes the key it was sent, in an answer that ends the delivery.
            relay.fake.behave(.echoKey)
            #expect(try await relay.postSigned("csat", body: MetricsTests.rating("conv_k1", "good", id: "k1")).status == 202)
            #expect(try await relay.post("/hooks/csat", body: "{}", headers: [("X-Hub-Signature-256", "sha256=csat-secret")]).status == 401)
            let elevenlabs = try RequestSigner.sign(route: relay.relay.config.route(named: "calls")!, body: Array("{}".utf8), now: relay.clock.now)
            _ = try await relay.post(elevenlabs.target, body: "{}", headers: elevenlabs.headers.map { ($0.name, $0.value) })
            #expect(await relay.fake.waitUntil { $0.count >= 1 })
            try await Task.sleep(for: .milliseconds(200))
            let text = relay.logs.text
            #expect(text.contains("conv_k1"), "the conversation id is what operators search by")
            #expect(text.contains("[redacted]"), "the echoed key was seen and redacted")
            for secret in [relay.fake.apiKey, "csat-secret", "wsec_metrics"] {
                #expect(!text.contains(secret), "\(secret) appears in the log")
            }
        }
    }

    /// Reads what a `LogWriter` wrote to a pipe until `count` lines have arrived or a second has passed.
    static func read(_ pipe: Pipe, lines count: Int) -> [String] {
        var text = ""
        let deadline = Date().addingTimeInterval(1)
        let handle = pipe.fileHandleForReading
        while text.filter({ $0 == "\n" }).count < count, Date() < deadline {
            var poller = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            text += String(decoding: handle.availableData, as: UTF8.self)
        }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func theWriterKeepsOrderAndDropsRatherThanBlocks() throws {
        let pipe = Pipe()
        let writer = LogWriter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        for index in 0..<1000 { writer.append("line \(index)\n") }
        #expect(Self.read(pipe, lines: 1000) == (0..<1000).map { "line \($0)" })

        // A reader that has fallen 50 bytes behind: the lines that do not fit are counted, not waited for.
        let full = Pipe()
        let small = LogWriter(descriptor: full.fileHandleForWriting.fileDescriptor, limit: 50)
        for index in 0..<3 { small.append("a line of thirty bytes, no. \(index)\n") }
        let lines = Self.read(full, lines: 2)
        #expect(lines.first == "a line of thirty bytes, no. 0")
        #expect(lines.count == 2 && lines[1].contains("dropped 2 log lines"))
    }

    @Test func theTextFormatCarriesTheSameFields() throws {
        let capture = LogCapture()
        var record = RequestRecord(id: "req-7")
        record.route = "csat"
        let outcome = WebhookOutcome.refused(.staleTimestamp(header: "X-Ts", skewSeconds: 400))
        record.log(outcome, to: Logger.relay(format: .text, level: .info, sink: capture.sink), status: 401, duration: .microseconds(1500))
        record.log(outcome, to: Logger.relay(format: .json, level: .info, sink: capture.sink), status: 401, duration: .microseconds(1500))
        let (text, json) = (capture.all[0], capture.all[1])
        #expect(text.contains(" warning refused_stale: timestamp X-Ts is 400 s away"))
        #expect(text.contains("request_id=req-7 route=csat outcome=refused_stale status=401 reason=timestamp X-Ts is 400 s away"))
        #expect(text.contains("duration_ms=1.5"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "req-7" && object["status"] as? Int == 401 && object["duration_ms"] as? Double == 1.5)
        #expect(object["level"] as? String == "warning" && object["outcome"] as? String == "refused_stale")
    }

    @Test func everyStringIsEscapedIntoOneJSONLine() throws {
        let capture = LogCapture()
        let logger = Logger.relay(format: .json, level: .info, sink: capture.sink)
        // Quotes, backslashes, line breaks and other control characters, and text beyond ASCII, in a
        // message, a field and a metadata value: a sender controls what reasons quote.
        let hostile = "a \"quoted\" \\path\\ on\ntwo lines\r\t\u{01}\u{1f} é 👍"
        var fields = LogFields()
        fields.add("reason", hostile)
        fields.add("status", 401)
        fields.add("duration_ms", 1.25)
        logger.info("msg \(hostile)", metadata: fields.metadata)
        logger.info("plain", metadata: ["key \"1\"": .string(hostile), "list": .array([.string("x\n"), .stringConvertible(7)])])
        let lines = try Self.objects(capture)
        #expect(lines.count == 2)
        #expect(lines[0]["msg"] as? String == "msg " + hostile)
        #expect(lines[0]["reason"] as? String == hostile)
        #expect(lines[0]["status"] as? Int == 401 && lines[0]["duration_ms"] as? Double == 1.25)
        #expect(lines[1]["key \"1\""] as? String == hostile)
        #expect((lines[1]["list"] as? [Any])?.first as? String == "x\n")
        #expect(capture.all[0].contains(#"\u0001\u001f"#), "control characters as \\u00XX: \(capture.all[0])")
    }

    /// Generated request ids: 32 lower-case hex digits, the process's half first, then a counter.
    @Test func generatedRequestIDsAre32HexDigitsThatCount() {
        let (first, second) = (RequestID.next(), RequestID.next())
        for id in [first, second] {
            #expect(id.utf8.count == 32 && id.utf8.allSatisfy { Hex.nibble($0) != nil && !(65...70).contains($0) }, "\(id)")
        }
        #expect(first.prefix(16) == second.prefix(16))
        let (low, next) = (UInt64(first.suffix(16), radix: 16), UInt64(second.suffix(16), radix: 16))
        #expect(low.map { $0 &+ 1 } == next, "\(first) then \(second)")
    }

    /// `JSONLine.integer` writes digits itself; it must write what `String(value)` would, at the edges too.
    @Test func integersAreWrittenAsSwiftWritesThem() {
        for value: Int64 in [0, 7, -7, 10, 99, 100, -100, 1_234_567_890, .max, .min, .max - 1, .min + 1] {
            var line = JSONLine()
            line.raw("[")
            line.integer(value)
            line.raw("]")
            #expect(String(decoding: line.bytes, as: UTF8.self) == "[\(value)]")
        }
    }
}
