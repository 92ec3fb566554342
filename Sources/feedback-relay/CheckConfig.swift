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

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the environment and routes file; print the routes with secrets redacted."
    )

    func run() throws {
        print(ConfigReport.render(loadConfig()))
    }
}
