import ArgumentParser
import FeedbackRelay
import Foundation
import Logging

@main
struct FeedbackRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedback-relay",
        abstract: "Verifies webhooks and relays like/dislike feedback to ElevenLabs Agents conversations.",
        discussion: "Configured by environment variables; see README.md.",
        subcommands: [Serve.self, CheckConfig.self, Sign.self],
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

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the relay (the default).")

    func run() async throws {
        let config = loadConfig()
        let logger = Logger.relay(format: config.logFormat, level: config.logLevel)
        logger.info(
            "starting",
            metadata: [
                "routes": .array(config.routes.map { .string($0.name) }), "listen": "\(config.listen)",
                "management_listen": "\(config.managementListen)", "delivery": "\(config.delivery.rawValue)", "upstream": "\(config.baseURL)",
            ]
        )
        try await Relay(config: config, logger: logger).run(logger: logger)
        logger.info("stopped")
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
        guard let route = config.route(named: self.route) else {
            throw ValidationError("no route named '\(self.route)'; configured: \(config.routes.map(\.name).joined(separator: ", "))")
        }
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
