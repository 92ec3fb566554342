import ArgumentParser
import Commands
import Foundation
import Logging
import Observability
import RelayModel
import Server
import Settings
import Store
import Upstream

@main
struct FeedbackRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback-relay",
        abstract: "Verifies webhooks and relays like/dislike feedback to ElevenLabs Agents conversations.",
        discussion: "Configured by environment variables; see README.md.",
        subcommands: [Serve.self, CheckConfig.self, TestRoute.self, Sign.self, Deliveries.self],
        defaultSubcommand: Serve.self
    )
}

/// Loads the configuration or exits 1 with every problem, each naming its variable.
func loadConfig() -> RelayConfig {
    do {
        return try RelayConfig.load(environment: ProcessInfo.processInfo.environment)
    } catch {
        FileHandle.standardError.write(Data("feedback-relay: configuration error\n\(error)\n".utf8))
        exit(1)
    }
}

func requireRoute(_ name: String, in config: RelayConfig) throws -> Route {
    guard let route = config.route(named: name) else {
        throw ValidationError("no route named '\(name)'; configured: \(config.routes.map(\.name).joined(separator: ", "))")
    }
    return route
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the relay (the default).")

    func run() async throws {
        let config = loadConfig()
        // A file-size limit must fail the write (the store answers 503), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let logger = Logger.relay(format: config.logFormat, level: config.logLevel)
        logger.info(
            "starting",
            metadata: [
                "routes": .array(config.routes.map { .string($0.name) }), "listen": "\(config.listen)",
                "management_listen": "\(config.managementListen)", "delivery": "\(config.delivery.rawValue)", "upstream": "\(config.baseURL)",
            ]
        )
        let relay: Relay
        do {
            relay = try Relay(config: config, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("feedback-relay: RELAY_STORE: \(error)\n".utf8))
            throw ExitCode(1)
        }
        do {
            try await relay.run(logger: logger)
        } catch let error as ListenError {
            logger.critical("\(error)")
            LogSink.flush()
            FileHandle.standardError.write(Data("feedback-relay: \(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info("stopped")
        LogSink.flush()
    }
}

/// The same store the server uses, read from the same environment; works while the server runs.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and retry deliveries in the store.",
        subcommands: [List.self, Show.self, Retry.self]
    )

    static func openStore() throws -> SQLiteDeliveryStore {
        let config = loadConfig()
        guard let path = config.sqlitePath else { throw ValidationError("RELAY_STORE is not sqlite:PATH") }
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no store at \(path) (RELAY_STORE)") }
        return try SQLiteDeliveryStore(path: path)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print deliveries, newest first, as JSON lines.")
        @Option(help: "pending, delivered, dead or superseded.") var state: String?
        @Option(help: "How many at most.") var limit = 100
        @Option(help: "Continue after this cursor (printed last when there are more).") var cursor: String?

        func run() async throws {
            var filter: DeliveryState?
            if let state {
                guard let parsed = DeliveryState(rawValue: state) else { throw ValidationError("--state is pending, delivered, dead or superseded") }
                filter = parsed
            }
            let page = try await Deliveries.openStore().list(state: filter, limit: limit, cursor: cursor)
            for delivery in page.deliveries { print(DeliveryBody(delivery).jsonLine) }
            if let next = page.nextCursor { print("# more: --cursor \(next)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one delivery as JSON.")
        @Argument var id: Int64

        func run() async throws {
            guard let delivery = try await Deliveries.openStore().delivery(id) else { throw ValidationError("no delivery \(id)") }
            print(DeliveryBody(delivery).jsonLine)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a dead delivery (or every dead one) pending and due now.")
        @Argument var id: Int64?
        @Flag(name: .customLong("all-dead"), help: "Retry every dead delivery.") var allDead = false

        func validate() throws {
            guard (id == nil) != !allDead else { throw ValidationError("give an id or --all-dead") }
        }

        func run() async throws {
            let store = try Deliveries.openStore()
            if allDead {
                print("retried \(try await store.retryAllDead(now: Date()))")
                return
            }
            switch try await store.retry(id!, now: Date()) {
            case .retried(let delivery): print(DeliveryBody(delivery).jsonLine)
            case .notFound: throw ValidationError("no delivery \(id!)")
            case .notDead(let state): throw ValidationError("delivery \(id!) is \(state.rawValue), not dead")
            case .superseded: throw ValidationError("a newer event for this conversation exists; delivery \(id!) is now superseded")
            }
        }
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the environment and routes file; print the routes with secrets redacted."
    )

    func run() throws {
        print(ConfigReport.render(loadConfig()))
    }
}

struct TestRoute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-route",
        abstract: "Verify and map a saved request as the route would, print every step, send nothing.",
        discussion: """
            Exit status 0 when the relay would take the request (send it, or answer ignored or a handshake), 1 when it \
            would refuse it. Example:
              feedback-relay test-route zendesk-csat --body saved.json \\
                --header 'X-Zendesk-Webhook-Signature: ...' --header 'X-Zendesk-Webhook-Signature-Timestamp: ...'
            """
    )

    @Argument(help: "The route name, as in /hooks/NAME.") var route: String
    @Option(help: "File holding the exact request body.") var body: String
    @Option(name: .customLong("header"), help: "A request header, 'Name: value'; repeat for each.") var headers: [String] = []
    @Option(help: "Unix time to check signed timestamps against (default: now).") var now: Double?
    @Option(help: "Query string the request carried (for presets that sign the URL).") var query: String?

    func run() throws {
        let config = loadConfig()
        let route = try requireRoute(self.route, in: config)
        var parsed: [(name: String, value: String)] = []
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else { throw ValidationError("--header '\(header)' is not 'Name: value'") }
            let name = String(header[..<colon]).trimmingCharacters(in: .whitespaces)
            guard SignedRequest.isValidHeaderName(name) else { throw ValidationError("--header '\(header)': '\(name)' is not a header name") }
            parsed.append((name, String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: body)))
        let target = "/hooks/\(route.name)" + (query.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
        let request = SignedRequest(method: "POST", target: target, headers: parsed, body: bytes)
        let report = RouteDryRun.run(
            route: route,
            request: request,
            now: now.map(Date.init(timeIntervalSince1970:)) ?? Date(),
            inline: config.delivery == .inline
        )
        for line in report.lines { print(line) }
        if !(200..<300).contains(report.status) { throw ExitCode(1) }
    }
}

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the headers a sender would send for a body, signed with the route's secret.",
        discussion: "With --curl URL, print a whole curl command instead."
    )

    @Argument(help: "The route name, as in /hooks/NAME.") var route: String
    @Option(help: "File holding the exact request body.") var body: String
    @Option(help: "Unix time to sign at (default: now).") var now: Double?
    @Option(help: "Which of the route's secrets to sign with, from 1.") var secret: Int = 1
    @Option(help: "Query string the sender adds (for presets that sign the URL).") var query: String?
    @Option(help: "Print a curl command posting to this base URL, e.g. http://localhost:8080.") var curl: String?

    func run() throws {
        let config = loadConfig()
        let route = try requireRoute(self.route, in: config)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: body)))
        let date = now.map(Date.init(timeIntervalSince1970:)) ?? Date()
        let signed = try RequestSigner.sign(route: route, body: bytes, now: date, secretIndex: secret - 1, query: query)
        if let curl {
            let headers = signed.headers.map { "-H " + shellQuoted("\($0.name): \($0.value)") }.joined(separator: " ")
            print("curl -sS -X POST \(headers) --data-binary @\(shellQuoted(body)) \(shellQuoted(curl + signed.target))")
        } else {
            for header in signed.headers { print("\(header.name): \(header.value)") }
            if signed.target.contains("?") { print("# post to \(signed.target)") }
        }
    }

    private func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
