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
