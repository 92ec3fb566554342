import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A stand-in for the ElevenLabs feedback endpoint on loopback. It checks path, key and body the way
/// the real one does (200 `{}`, 401 with a `detail` object, 422 with a `detail` list), records every
/// call, and fails or stalls on demand.
final class FakeElevenLabs: Sendable {
    struct Call: Sendable {
        let method: String
        let path: String
        let apiKey: String?
        let contentType: String?
        let userAgent: String?
        let body: String
        let at: ContinuousClock.Instant
        /// The feedback call as sent, when it was one: (conversation id, like/dislike).
        var feedback: (String, String)? {
            let segments = path.split(separator: "/")
            guard segments.count == 5, let range = body.range(of: #""feedback":""#) else { return nil }
            return (String(segments[3]), String(body[range.upperBound...].prefix { $0 != "\"" }))
        }
    }

    enum Behaviour: Sendable {
        case normal
        case status(Int, body: String, headers: [String: String] = [:])
        case delay(Duration)
        /// Echo the key it was sent inside an error body, as a careless proxy might.
        case echoKey
    }

    let apiKey: String
    private let calls = NIOLockedValueBox<[Call]>([])
    private let delivered = NIOLockedValueBox<[String]>([])
    private let behaviour = NIOLockedValueBox<Behaviour>(.normal)
    /// Behaviours for the next calls, one each, before `behaviour` applies again.
    private let script = NIOLockedValueBox<[Behaviour]>([])
    private let concurrency = NIOLockedValueBox((current: 0, peak: 0))

    init(apiKey: String = "sk_test_fake_key_2f9c") {
        self.apiKey = apiKey
    }

    var recorded: [Call] { calls.withLockedValue { $0 } }
    /// Paths of the calls answered 200: the feedback that ElevenLabs would have taken.
    var accepted: [String] { delivered.withLockedValue { $0 } }
    var peakConcurrency: Int { concurrency.withLockedValue { $0.peak } }

    func behave(_ next: Behaviour) {
        behaviour.withLockedValue { $0 = next }
    }

    func script(_ next: [Behaviour]) {
        script.withLockedValue { $0 = next }
    }

    /// Waits (up to `timeout`) until `condition` holds for the recorded calls.
    func waitUntil(timeout: Duration = .seconds(10), _ condition: ([Call]) -> Bool) async -> Bool {
        await Eventually.holds(within: timeout) { condition(recorded) }
    }

    func application(onPort: @escaping @Sendable (Int) async -> Void) -> some Service {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await self.handle(request)
        }
        return Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-elevenlabs") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    private func handle(_ request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let call = Call(
            method: request.method.rawValue,
            path: request.uri.string,
            apiKey: request.headers[HTTPField.Name("xi-api-key")!],
            contentType: request.headers[.contentType],
            userAgent: request.headers[.userAgent],
            body: body,
            at: .now
        )
        calls.withLockedValue { $0.append(call) }
        concurrency.withLockedValue {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
        defer { concurrency.withLockedValue { $0.current -= 1 } }

        let scripted = script.withLockedValue { $0.isEmpty ? nil : $0.removeFirst() }
        switch scripted ?? behaviour.withLockedValue({ $0 }) {
        case .normal: break
        case .status(let status, let body, let headers):
            var fields = HTTPFields()
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            return Self.json(status, body, fields)
        case .delay(let duration):
            try await Task.sleep(for: duration)
        case .echoKey:
            return Self.json(500, #"{"detail":"upstream saw key \#(call.apiKey ?? "")"}"#)
        }

        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        guard request.method == .post, segments.count == 6, segments[1] == "v1", segments[2] == "convai", segments[3] == "conversations",
            segments[5] == "feedback"
        else { return Self.json(404, #"{"detail":"Not Found"}"#) }
        guard call.apiKey == apiKey else {
            return Self.json(401, #"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#)
        }
        guard let document = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let feedback = document["feedback"] as? String, ["like", "dislike"].contains(feedback), document.count == 1
        else {
            return Self.json(422, #"{"detail":[{"loc":["body","feedback"],"msg":"Input should be 'like' or 'dislike'","type":"enum"}]}"#)
        }
        delivered.withLockedValue { $0.append(call.path) }
        return Self.json(200, "{}")
    }

    private static func json(_ status: Int, _ body: String, _ headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Runs a fake on a loopback port for the duration of `body`.
    static func withRunning<T>(_ body: (FakeElevenLabs, String) async throws -> T) async throws -> T {
        let fake = FakeElevenLabs()
        return try await LoopbackServices.run(["fake": { fake.application(onPort: $0) }]) { ports in
            try await body(fake, "http://127.0.0.1:\(await ports.port("fake"))")
        }
    }
}
