import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ServiceLifecycle
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

/// Log lines captured from a relay, to check what it says and what it never says.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var sink: LogSink { LogSink { line in self.lines.withLockedValue { $0.append(line) } } }
    var all: [String] { lines.withLockedValue { $0 } }
    var text: String { all.joined() }
}

/// A clock tests can move: it runs with real time from wherever it was last set.
final class TestClock: Sendable {
    private let offset: NIOLockedValueBox<TimeInterval>

    init(_ date: Date = Date()) {
        offset = NIOLockedValueBox(date.timeIntervalSinceNow)
    }

    var now: Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }

    func set(_ date: Date) {
        offset.withLockedValue { $0 = date.timeIntervalSinceNow }
    }
}

/// Ports reported by `onServerRunning`, awaited by the test.
final class PortBook: Sendable {
    private let state = NIOLockedValueBox<(ports: [String: Int], waiters: [String: [CheckedContinuation<Int, Never>]])>(([:], [:]))

    func record(_ name: String, _ port: Int) {
        let waiters = state.withLockedValue { state in
            state.ports[name] = port
            return state.waiters.removeValue(forKey: name) ?? []
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func port(_ name: String) async -> Int {
        await withCheckedContinuation { continuation in
            let known = state.withLockedValue { state -> Int? in
                if let port = state.ports[name] { return port }
                state.waiters[name, default: []].append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}

/// A relay and a fake ElevenLabs, both listening on loopback ports for one test.
struct RelayHarness {
    let fake: FakeElevenLabs
    let relay: Relay
    let logs: LogCapture
    let clock: TestClock
    let hooksPort: Int
    let managementPort: Int

    var baseURL: String { "http://127.0.0.1:\(hooksPort)" }
    var managementURL: String { "http://127.0.0.1:\(managementPort)" }

    /// Starts the fake, then a relay configured by `environment` (plus loopback listeners and the
    /// fake as its upstream), runs `body`, and shuts both down.
    static func run<T>(
        _ environment: [String: String],
        clock: TestClock = TestClock(),
        logLevel: Logger.Level = .trace,
        upstreamBaseURL: String? = nil,
        policy: RetryPolicy? = nil,
        store: (any DeliveryStore)? = nil,
        fake: FakeElevenLabs = FakeElevenLabs(),
        _ body: (RelayHarness) async throws -> T
    ) async throws -> T {
        let ports = PortBook()
        let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // The store of a test that names none: removed after the relay has stopped, with its WAL files.
        let temporaryStore = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporaryStore + suffix) }
        }
        let fakeGroup = ServiceGroup(configuration: .init(services: [fake.application { ports.record("fake", $0) }], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await fakeGroup.run() }
            let fakePort = await ports.port("fake")
            var env = [
                "ELEVENLABS_API_KEY": fake.apiKey, "ELEVENLABS_BASE_URL": upstreamBaseURL ?? "http://127.0.0.1:\(fakePort)",
                "RELAY_ALLOW_INSECURE_UPSTREAM": "true", "RELAY_LISTEN": "127.0.0.1:0", "RELAY_MANAGEMENT_LISTEN": "127.0.0.1:0",
                "RELAY_UPSTREAM_TIMEOUT": "10s", "RELAY_DELIVERY": "inline",
                "RELAY_STORE": "sqlite:" + temporaryStore,
            ]
            env.merge(environment) { $1 }
            let config = try RelayConfig.load(environment: env)
            let logs = LogCapture()
            let logger = Logger.relay(format: .json, level: logLevel, sink: logs.sink)
            let relay = try Relay(config: config, logger: logger, store: store, policy: policy, now: { clock.now }) { listener, port in
                ports.record(listener == .hooks ? "hooks" : "management", port)
            }
            let relayGroup = ServiceGroup(configuration: .init(services: relay.services, logger: quiet))
            tasks.addTask { try await relayGroup.run() }
            let harness = RelayHarness(
                fake: fake,
                relay: relay,
                logs: logs,
                clock: clock,
                hooksPort: await ports.port("hooks"),
                managementPort: await ports.port("management")
            )
            do {
                let result = try await body(harness)
                await relayGroup.triggerGracefulShutdown()
                await fakeGroup.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await relayGroup.triggerGracefulShutdown()
                await fakeGroup.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    struct Reply {
        let status: Int
        let body: String
        var headers: [(String, String)] = []
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
    }

    func post(_ path: String, body: String, headers: [(String, String)] = [], method: HTTPMethod = .POST) async throws -> Reply {
        try await Self.send(baseURL + path, method: method, body: body, headers: headers)
    }

    func get(_ url: String) async throws -> Reply {
        try await Self.send(url, method: .GET, body: nil, headers: [])
    }

    static func send(
        _ url: String,
        method: HTTPMethod,
        body: String?,
        headers: [(String, String)],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes), headers: response.headers.map { ($0.name, $0.value) })
    }

    /// Posts a body of unknown length (chunked transfer encoding), so only the server's own limit applies.
    static func sendChunked(_ url: String, chunks: [String]) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let stream = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(ByteBuffer(string: chunk)) }
            continuation.finish()
        }
        request.body = .stream(stream, length: .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    /// Posts `body` to the route, signed the way its provider would sign it at the harness clock.
    func postSigned(_ route: String, body: String, extraHeaders: [(String, String)] = []) async throws -> Reply {
        guard let routeConfig = relay.config.route(named: route) else { throw SigningError(description: "no route \(route)") }
        let signed = try RequestSigner.sign(route: routeConfig, body: Array(body.utf8), now: clock.now)
        return try await post(signed.target, body: body, headers: signed.headers.map { ($0.name, $0.value) } + extraHeaders)
    }
}

/// `signatures.json`, copied from the shared vectors so these tests stand alone.
struct SignatureVector: Decodable, Sendable, CustomTestStringConvertible {
    let preset: String
    let name: String
    let secret: Secret
    let method: String
    let headers: [String: String]
    let body: String
    let url: String?
    let now: Double
    let expect: String
    let conversation_id: String?
    let feedback: String?

    enum Secret: Decodable, Sendable {
        case one(String)
        case many([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([String].self) {
                self = .many(list)
            } else {
                self = .one(try container.decode(String.self))
            }
        }

        var joined: String {
            switch self {
            case .one(let secret): secret
            case .many(let secrets): secrets.joined(separator: ",")
            }
        }
    }

    var testDescription: String { name }
    var isValid: Bool { expect == "valid" }

    static let all: [SignatureVector] = {
        let url = Bundle.module.url(forResource: "signatures", withExtension: "json", subdirectory: "Fixtures")!
        struct File: Decodable { let cases: [SignatureVector] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    /// The request as the relay sees it: path and query from the signed URL when there is one.
    var signedRequest: SignedRequest {
        var target = "/hooks/\(preset)"
        if let url, let components = URLComponents(string: url) {
            target = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        }
        return SignedRequest(method: method, target: target, headers: headers.map { ($0.key, $0.value) }, body: Array(body.utf8))
    }
}

/// Test servers on loopback ports, each started with a callback for its bound port, for the duration of `body`.
enum LoopbackServices {
    static func run<T>(
        _ servers: [String: (@escaping @Sendable (Int) async -> Void) -> any Service],
        _ body: (PortBook) async throws -> T
    ) async throws -> T {
        let ports = PortBook()
        let group = ServiceGroup(
            configuration: .init(
                services: servers.map { name, start in start { ports.record(name, $0) } },
                logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }
            )
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let result = try await body(ports)
            await group.triggerGracefulShutdown()
            return result
        }
    }
}

/// Polls until a condition holds or time runs out: how the tests wait for what a server does in the background.
enum Eventually {
    static func holds(within timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
