import Foundation
import Testing
import Yams

@testable import RelayModel
@testable import Settings

/// `deploy/prometheus-rules.yaml`, its promtool unit tests and the Prometheus Operator objects: each
/// alert fires, whatever the scrape job is called, from series the relay really exports.
@Suite struct AlertRuleTests {
    static func yaml(_ name: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: try DeployFiles.text(name)) as? [String: Any], "\(name) is not a YAML mapping")
    }

    static func rules() throws -> [[String: Any]] {
        ((try yaml("prometheus-rules.yaml")["groups"] as? [[String: Any]]) ?? []).flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
    }

    /// Labels a scrape adds to every series of a target; the relay itself exports none of them.
    static let targetLabels: Set<String> = ["job", "instance", "namespace"]

    @Test func promtoolChecksTheRulesAndFiresEveryAlert() throws {
        let path = { (name: String) in DeployFiles.deploy.appendingPathComponent(name).path }
        let check = try ExternalTool.run(["promtool", "check", "rules", path("prometheus-rules.yaml")], package: "prometheus")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let unitTests = try ExternalTool.run(["promtool", "test", "rules", path("prometheus-rules.test.yaml")], package: "prometheus")
        #expect(unitTests.status == 0, "\(unitTests.stdout)\(unitTests.stderr)")

        let cases = try #require(try Self.yaml("prometheus-rules.test.yaml")["tests"] as? [[String: Any]])
        let fired = Set(
            cases.flatMap { ($0["alert_rule_test"] as? [[String: Any]]) ?? [] }
                .filter { !(($0["exp_alerts"] as? [Any]) ?? []).isEmpty }.compactMap { $0["alertname"] as? String }
        )
        let alerts = try Self.rules().compactMap { $0["alert"] as? String }
        #expect(alerts.count >= 9)
        #expect(Set(alerts).subtracting(fired).isEmpty, "no promtool test fires \(Set(alerts).subtracting(fired).sorted())")
    }

    @Test func noExpressionDependsOnWhatTheJobIsCalled() throws {
        for rule in try Self.rules() {
            let expression = try #require(rule["expr"] as? String)
            #expect(expression.firstMatch(of: /\bjob\s*(=|!=|=~|!~)/) == nil, "\(rule["alert"] ?? "") names a job: \(expression)")
        }
    }

    @Test func everyAlertNamesSeriesTheRelayExports() async throws {
        let selector = /(feedback_relay_[a-z_]+|process_[a-z_]+)(\{([^}]*)\})?/
        let exact = /([a-z_]+)="([^"]*)"/
        try await RelayHarness.run(MetricsTests.env) { relay in
            let scrape = try await MetricsTests.scrape(relay)
            for expression in try Self.rules().compactMap({ $0["expr"] as? String }) {
                for match in expression.matches(of: selector) {
                    let name = String(match.1)
                    #expect(scrape.types[name] != nil, "\(name) in '\(expression)' is not exported")
                    for pair in (match.3.map(String.init) ?? "").matches(of: exact) {
                        let label = "\(pair.1)=\"\(pair.2)\""
                        #expect(scrape.samples.keys.contains { $0.hasPrefix(name + "{") && $0.contains(label) }, "no \(name) series with \(label)")
                    }
                }
            }
        }
    }

    /// The promtool tests feed the alerts the series a real `/metrics` holds, names and labels alike, so
    /// they cannot pass on a series the relay does not export.
    @Test func theUnitTestsUseSeriesFromARealScrape() async throws {
        let cases = try #require(try Self.yaml("prometheus-rules.test.yaml")["tests"] as? [[String: Any]])
        let series = cases.flatMap { ($0["input_series"] as? [[String: Any]]) ?? [] }.compactMap { $0["series"] as? String }
        #expect(series.count >= 10)
        try await RelayHarness.run(MetricsTests.env) { relay in
            let scrape = try await MetricsTests.scrape(relay)
            for text in series {
                let parts = try #require(text.wholeMatch(of: /([a-z_:]+)\{(.*)\}/), "cannot read the series \(text)")
                let name = String(parts.1)
                let labels = String(parts.2).matches(of: /([a-z_]+)="([^"]*)"/).map { (String($0.1), String($0.2)) }
                #expect(Set(labels.map(\.0)).isSuperset(of: ["job", "instance"]), "\(text) lacks the labels a scrape adds")
                // `up` is Prometheus' own series for every target.
                guard name != "up" else { continue }
                let exported = PrometheusExposition.key(name, labels.filter { !Self.targetLabels.contains($0.0) })
                #expect(scrape.samples[exported] != nil, "the relay exports no \(exported)")
            }
        }
        #expect(series.contains { $0.contains("version=\"\(RelayVersion.current)\"") })
    }

    @Test func theOperatorObjectsHoldTheSameRulesAndScrapeThePods() throws {
        let objects = try KustomizeOverlayTests.objects("monitoring")
        let rule = try #require(objects.first { $0["kind"] as? String == "PrometheusRule" })
        func canonical(_ value: Any?) throws -> Data { try JSONSerialization.data(withJSONObject: value ?? [], options: [.sortedKeys]) }
        #expect(try canonical(rule[path: "spec", "groups"]) == canonical(try Self.yaml("prometheus-rules.yaml")["groups"]))

        let monitor = try #require(objects.first { $0["kind"] as? String == "PodMonitor" })
        let endpoint = try #require((monitor[path: "spec", "podMetricsEndpoints"] as? [[String: Any]])?.first)
        #expect(endpoint["path"] as? String == "/metrics")
        for overlay in ["single", "ha"] {
            let rendered = try KustomizeOverlayTests.render(overlay)
            let labels = try #require(rendered.deployment[path: "spec", "template", "metadata", "labels"] as? [String: String])
            let wanted = try #require(monitor[path: "spec", "selector", "matchLabels"] as? [String: String])
            #expect(!wanted.isEmpty && wanted.allSatisfy { labels[$0.key] == $0.value }, "the PodMonitor selects no \(overlay) pod")
            let port = (rendered.container["ports"] as? [[String: Any]])?.first { $0["name"] as? String == endpoint["port"] as? String }
            #expect(port?["containerPort"] as? Int == rendered.config.managementListen.port, "the PodMonitor scrapes another port")
        }
    }
}
