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
        version: RelayVersion.current,
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
