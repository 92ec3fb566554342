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

/// The real libcurl client against the fake ElevenLabs on loopback.
@Suite struct CurlFeedbackClientTests {
    func client(
        concurrency: Int = 8,
        timeout: Duration = .seconds(2),
        allowInsecure: Bool = true,
        proxy: UpstreamProxy = .none
    ) -> CurlFeedbackClient {
        CurlFeedbackClient(configuration: .init(concurrency: concurrency, timeout: timeout, allowInsecure: allowInsecure, proxy: proxy))
    }

    /// curl's variables, read as curl reads them: the scheme's own first (http's lowercase only), then
    /// ALL_PROXY, lowercase before uppercase, an empty value as unset.
    @Test func readsTheProxyFromCurlsVariables() {
        let environment = [
            "HTTPS_PROXY": "http://upper:3128", "https_proxy": "", "ALL_PROXY": "http://all:3128",
            "HTTP_PROXY": "http://ignored:3128", "NO_PROXY": "internal.example", "no_proxy": "",
        ]
        let proxy = UpstreamProxy(environment: environment)
        #expect(proxy.https == "http://upper:3128")
        #expect(proxy.http == "http://all:3128")
        #expect(proxy.noProxy == "internal.example")
        #expect(proxy.proxy(for: "https://api.elevenlabs.io") == "http://upper:3128")
        #expect(UpstreamProxy(environment: ["all_proxy": "http://a:1", "ALL_PROXY": "http://b:1"]).https == "http://a:1")
        #expect(UpstreamProxy(environment: ["no_proxy": "*", "NO_PROXY": "x"]).noProxy == "*")
        #expect(UpstreamProxy.none == UpstreamProxy(environment: ["RELAY_LISTEN": ":8080"]))
    }

    /// The base URL's host does not resolve: the call arrives only if it went through the proxy (the
    /// fake takes the absolute-form request a proxy gets).
    @Test func callsGoThroughTheConfiguredProxy() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            let client = client(proxy: UpstreamProxy(environment: ["http_proxy": url]))
            let outcome = await client.send(request("http://api.elevenlabs.invalid", key: fake.apiKey, id: "conv_proxied"))
            await client.shutdown()
            #expect(outcome == .response(status: 200, body: Array("{}".utf8), retryAfter: nil))
            #expect(fake.recorded.map(\.path) == ["/v1/convai/conversations/conv_proxied/feedback"])
        }
    }

    /// A host in NO_PROXY goes direct: the proxy named refuses every connection.
    @Test func hostsInNoProxyGoDirect() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            let client = client(proxy: UpstreamProxy(environment: ["http_proxy": "http://127.0.0.1:1", "NO_PROXY": "127.0.0.1"]))
            let outcome = await client.send(request(url, key: fake.apiKey, id: "conv_direct"))
            await client.shutdown()
            #expect(outcome == .response(status: 200, body: Array("{}".utf8), retryAfter: nil))
            #expect(fake.recorded.count == 1)
        }
    }

    func request(_ url: String, key: String, id: String = "conv_c", feedback: Feedback = .like) -> FeedbackRequest {
        FeedbackRequest(baseURL: url, apiKey: key, conversationID: id, feedback: feedback)
    }

    @Test func sendsTheFeedbackCallAndReusesOneConnection() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            let client = client()
            for index in 0..<20 {
                let outcome = await client.send(
                    request(url, key: fake.apiKey, id: "conv_\(index)", feedback: index.isMultiple(of: 2) ? .like : .dislike)
                )
                #expect(outcome == .response(status: 200, body: Array("{}".utf8), retryAfter: nil))
            }
            await client.shutdown()
            #expect(fake.recorded.count == 20)
            #expect(fake.recorded[3].path == "/v1/convai/conversations/conv_3/feedback")
            #expect(fake.recorded[3].body == #"{"feedback":"dislike"}"#)
            let stats = client.connectionStatistics
            #expect(stats.transfers == 20)
            #expect(stats.connectionsOpened == 1)
        }
    }

    @Test func neverHasMoreThanItsConcurrencyInFlight() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            fake.behave(.delay(.milliseconds(200)))
            // A timeout far above the delay: only the cap is under test, not how fast this machine is.
            let client = client(concurrency: 3, timeout: .seconds(30))
            let outcomes = await withTaskGroup(of: UpstreamOutcome.self) { group in
                for index in 0..<9 { group.addTask { await client.send(request(url, key: fake.apiKey, id: "conv_\(index)")) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            await client.shutdown()
            #expect(outcomes.count == 9 && outcomes.allSatisfy(\.isSuccess))
            #expect(fake.peakConcurrency == 3)
        }
    }

    @Test func timesOutPerAttempt() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            // The answer would come 25x later than the timeout: an outcome marked timed out can only be
            // the timeout's. No bound on elapsed time, which a busy machine could break.
            fake.behave(.delay(.seconds(5)))
            let client = client(timeout: .milliseconds(200))
            let outcome = await client.send(request(url, key: fake.apiKey))
            guard case .failure(let failure) = outcome else {
                Issue.record("expected a timeout, got \(outcome)")
                return
            }
            #expect(failure.timedOut)
            #expect(outcome.isRetryable)
            await client.shutdown()
        }
    }

    @Test func keepsRetryAfterAndAtMost2KBOfTheBody() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            let client = client()
            fake.behave(.status(429, body: #"{"detail":{"status":"too_many_concurrent_requests"}}"#, headers: ["Retry-After": "7"]))
            guard case .response(429, _, let retryAfter) = await client.send(request(url, key: fake.apiKey)) else {
                Issue.record("expected 429")
                return
            }
            #expect(retryAfter == "7")
            fake.behave(.status(503, body: "{}", headers: ["Retry-After": "7", "retry-after-ms": "1500"]))
            guard case .response(503, _, let precise) = await client.send(request(url, key: fake.apiKey)) else {
                Issue.record("expected 503")
                return
            }
            #expect(precise == "ms:1500")
            fake.behave(.status(422, body: String(repeating: "x", count: 5000)))
            guard case .response(422, let body, nil) = await client.send(request(url, key: fake.apiKey)) else {
                Issue.record("expected 422")
                return
            }
            #expect(body.count == 2048)
            await client.shutdown()
        }
    }

    @Test func refusesPlainHTTPUnlessAllowed() async throws {
        try await FakeElevenLabs.withRunning { fake, url in
            let client = client(allowInsecure: false)
            let outcome = await client.send(request(url, key: fake.apiKey))
            guard case .failure(let failure) = outcome else {
                Issue.record("plain http must not be used: \(outcome)")
                return
            }
            #expect(failure.description.contains("curl error 1"))
            #expect(fake.recorded.isEmpty)
            await client.shutdown()
        }
    }

    @Test func refusesWorkAfterShutdown() async {
        let client = client()
        await client.shutdown()
        let outcome = await client.send(request("http://127.0.0.1:1", key: "k"))
        #expect(outcome == .failure(UpstreamFailure(timedOut: false, description: "the relay is shutting down")))
    }

    @Test func classifiesAnswersForRetry() {
        for status in [408, 425, 429, 500, 502, 503, 504, 302] {
            #expect(UpstreamOutcome.response(status: status, body: [], retryAfter: nil).isRetryable, "\(status)")
        }
        for status in [200, 204, 400, 401, 403, 404, 409, 422] {
            #expect(!UpstreamOutcome.response(status: status, body: [], retryAfter: nil).isRetryable, "\(status)")
        }
    }
}
