import Foundation
import Testing
import Yams

/// The files in `deploy/` that users copy as they are: they must keep naming what the relay reads and exports.
@Suite struct DeployFileTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../deploy")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func everyAlertNamesSeriesTheRelayExports() async throws {
        let rules = try #require(try Yams.load(yaml: try Self.text("prometheus-rules.yaml")) as? [String: Any])
        let expressions = ((rules["groups"] as? [[String: Any]]) ?? []).flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }.compactMap {
            $0["expr"] as? String
        }
        #expect(expressions.count >= 8)
        let selector = /(feedback_relay_[a-z_]+|process_[a-z_]+)(\{([^}]*)\})?/
        let exact = /([a-z_]+)="([^"]*)"/
        try await RelayHarness.run(MetricsTests.env) { relay in
            let scrape = try await MetricsTests.scrape(relay)
            for expression in expressions {
                for match in expression.matches(of: selector) {
                    let name = String(match.1)
                    #expect(scrape.types[name] != nil, "\(name) in '\(expression)' is not exported")
                    for pair in (match.3.map(String.init) ?? "").matches(of: exact) where pair.1 != "job" {
                        let label = "\(pair.1)=\"\(pair.2)\""
                        #expect(scrape.samples.keys.contains { $0.hasPrefix(name + "{") && $0.contains(label) }, "no \(name) series with \(label)")
                    }
                }
            }
        }
    }
}
