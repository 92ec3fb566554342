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
