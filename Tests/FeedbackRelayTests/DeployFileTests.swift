import Foundation
import Testing
import Yams

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// The files in `deploy/` that users copy as they are: they must keep naming what the relay reads and exports.
@Suite struct DeployFileTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theKubernetesManifestConfiguresAValidRelay() throws {
        let documents = try Yams.load_all(yaml: try Self.text("kubernetes.yaml")).compactMap { $0 as? [String: Any] }
        let deployment = try #require(documents.first { $0["kind"] as? String == "Deployment" })
        let pod = try #require(((deployment["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        var environment: [String: String] = [:]
        for entry in try #require(container["env"] as? [[String: Any]]) {
            let name = try #require(entry["name"] as? String)
            // Values from a Secret stand in as a placeholder of the right shape.
            environment[name] = entry["value"] as? String ?? "secret-from-kubernetes"
        }
        let config = try RelayConfig.load(environment: environment)
        #expect(config.routes.map(\.name) == ["zendesk-csat"])
        #expect(config.sqlitePath == "/var/lib/feedback-relay/relay.sqlite")
        let liveness = (container["livenessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        let readiness = (container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any]
        #expect(liveness?["path"] as? String == "/healthz" && readiness?["path"] as? String == "/readyz")
        // The image's user (Dockerfile) is the one the pod runs as.
        let uid = (pod["securityContext"] as? [String: Any])?["runAsUser"] as? Int
        #expect(try String(contentsOf: Self.deploy.appendingPathComponent("../Dockerfile"), encoding: .utf8).contains("\(uid ?? -1)"))
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
