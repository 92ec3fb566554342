import Foundation
import Testing
import Yams

@testable import Settings
@testable import Store

/// `deploy/kubernetes`, rendered by the real `kubectl kustomize` as a user applies it: the pod's environment,
/// with its Secret and ConfigMap mounted as files, configures a valid relay, and the objects around it
/// (probes, ports, security context, rollout) fit that relay.
@Suite struct KustomizeOverlayTests {
    /// One rendered overlay: its objects by kind, and the relay its pod would start.
    struct Rendered {
        let objects: [[String: Any]]
        let deployment: [String: Any]
        let pod: [String: Any]
        let container: [String: Any]
        let config: RelayConfig
        let mounts: [String: String]

        func object(_ kind: String) throws -> [String: Any] { try #require(objects.first { $0["kind"] as? String == kind }, "no \(kind)") }
    }

    /// The objects `kubectl kustomize` renders from a folder under deploy/kubernetes.
    static func objects(_ folder: String) throws -> [[String: Any]] {
        let kustomize = try ExternalTool.run(
            ["kubectl", "kustomize", DeployFiles.deploy.appendingPathComponent("kubernetes/\(folder)").path],
            package: "kubernetes-client"
        )
        try #require(kustomize.status == 0, "kubectl kustomize \(folder): \(kustomize.stderr)")
        return try Yams.load_all(yaml: kustomize.stdout).compactMap { $0 as? [String: Any] }
    }

    static func render(_ overlay: String) throws -> Rendered {
        let objects = try objects("overlays/\(overlay)")
        let deployment = try #require(objects.first { $0["kind"] as? String == "Deployment" })
        let pod = try #require(deployment[path: "spec", "template", "spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let (environment, mounts) = try mountFiles(of: pod, container: container, objects: objects)
        return Rendered(
            objects: objects,
            deployment: deployment,
            pod: pod,
            container: container,
            config: try RelayConfig.load(environment: environment),
            mounts: mounts
        )
    }

    /// Lays the pod's volumes out under a temporary root (the ConfigMap's real files, a stand-in for each
    /// Secret key the configuration names) and returns the container's environment pointing there.
    static func mountFiles(of pod: [String: Any], container: [String: Any], objects: [[String: Any]]) throws -> ([String: String], [String: String]) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pod-\(UUID().uuidString)").path
        var mounts: [String: String] = [:]
        for mount in container["volumeMounts"] as? [[String: Any]] ?? [] {
            mounts[try #require(mount["name"] as? String)] = try #require(mount["mountPath"] as? String)
        }
        func moved(_ text: String) -> String { mounts.values.reduce(text) { $0.replacingOccurrences(of: $1 + "/", with: root + $1 + "/") } }
        var secretPaths: [String] = []
        for volume in pod["volumes"] as? [[String: Any]] ?? [] {
            let name = try #require(volume["name"] as? String)
            let directory = root + (try #require(mounts[name], "volume \(name) is not mounted"))
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let configMap = volume[path: "configMap", "name"] as? String {
                let data = try #require(
                    objects.first { $0["kind"] as? String == "ConfigMap" && $0[path: "metadata", "name"] as? String == configMap }?["data"]
                        as? [String: String],
                    "no ConfigMap \(configMap)"
                )
                for (file, text) in data { try moved(text).write(toFile: directory + "/" + file, atomically: true, encoding: .utf8) }
            } else if volume["secret"] != nil {
                secretPaths.append(directory + "/")
            }
        }
        var environment: [String: String] = [:]
        for entry in try #require(container["env"] as? [[String: Any]]) {
            environment[try #require(entry["name"] as? String)] = moved(entry["value"] as? String ?? "secret-from-kubernetes")
        }
        // Every file the configuration names under a Secret's mount gets a stand-in value of the right shape.
        let named =
            environment.values.joined(separator: "\n") + "\n"
            + (try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".yaml") }
                .map { try String(contentsOfFile: root + "/" + $0, encoding: .utf8) }.joined(separator: "\n"))
        for directory in secretPaths {
            for match in named.matches(of: try Regex("\(NSRegularExpression.escapedPattern(for: directory))([a-z0-9._-]+)")) {
                let path = String(named[match.range])
                let isStore = environment["RELAY_STORE_FILE"] == path
                try (isStore ? "postgres://relay:secret@postgres.example:5432/relay?sslmode=verify-full" : "secret-from-kubernetes")
                    .write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
        return (environment, mounts)
    }

    @Test(arguments: ["single", "ha"]) func theRenderedPodRunsAValidRelay(overlay: String) throws {
        let rendered = try Self.render(overlay)
        let config = rendered.config
        #expect(config.routes.map(\.name).sorted() == ["elevenlabs-calls", "zendesk-csat"])
        #expect(config.apiKey == "secret-from-kubernetes")
        // Ports: the names the probes and the Service use are the ports the relay listens on.
        var ports: [String: Int] = [:]
        for port in rendered.container["ports"] as? [[String: Any]] ?? [] { ports[port["name"] as? String ?? ""] = port["containerPort"] as? Int }
        #expect(ports["hooks"] == config.listen.port && ports["management"] == config.managementListen.port)
        #expect(rendered.container[path: "livenessProbe", "httpGet", "path"] as? String == "/healthz")
        #expect(rendered.container[path: "readinessProbe", "httpGet", "path"] as? String == "/readyz")
        for probe in ["livenessProbe", "readinessProbe"] { #expect(rendered.container[path: probe, "httpGet", "port"] as? String == "management") }
        let service = try rendered.object("Service")
        let servicePorts = try #require(service[path: "spec", "ports"] as? [[String: Any]])
        #expect(servicePorts.map { $0["targetPort"] as? String } == ["hooks"], "the management port stays out of the Service")
        // The pods the selectors pick are the Deployment's own.
        let labels = try #require(rendered.deployment[path: "spec", "template", "metadata", "labels"] as? [String: String])
        for selector in [rendered.deployment[path: "spec", "selector", "matchLabels"], service[path: "spec", "selector"]] {
            let wanted = try #require(selector as? [String: String])
            #expect(!wanted.isEmpty && wanted.allSatisfy { labels[$0.key] == $0.value })
        }
        // Security: not root, the image's user, nothing writable but the volumes.
        #expect(rendered.pod[path: "securityContext", "runAsNonRoot"] as? Bool == true)
        let uid = try #require(rendered.pod[path: "securityContext", "runAsUser"] as? Int)
        let gid = try #require(rendered.pod[path: "securityContext", "runAsGroup"] as? Int)
        let dockerfile = try String(contentsOf: DeployFiles.deploy.appendingPathComponent("../Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("--uid \(uid) ") && dockerfile.contains("--gid \(gid) "))
        #expect(rendered.container[path: "securityContext", "readOnlyRootFilesystem"] as? Bool == true)
        #expect(rendered.container[path: "securityContext", "allowPrivilegeEscalation"] as? Bool == false)
        #expect(rendered.container[path: "securityContext", "capabilities", "drop"] as? [String] == ["ALL"])
    }

    @Test func singleKeepsOneWriterOnItsVolume() throws {
        let rendered = try Self.render("single")
        #expect(rendered.deployment[path: "spec", "replicas"] as? Int == 1)
        #expect(rendered.deployment[path: "spec", "strategy", "type"] as? String == "Recreate")
        let data = try #require(rendered.mounts["data"])
        #expect(try #require(rendered.config.sqlitePath).contains(data + "/"), "the SQLite file is on the volume")
        let claim = try rendered.object("PersistentVolumeClaim")
        let volume = (rendered.pod["volumes"] as? [[String: Any]])?.first { $0["name"] as? String == "data" }
        #expect(volume?[path: "persistentVolumeClaim", "claimName"] as? String == claim[path: "metadata", "name"] as? String)
    }

    @Test func haRollsWithoutRefusingAWebhook() throws {
        let rendered = try Self.render("ha")
        guard case .postgres = rendered.config.store else {
            Issue.record("ha uses \(rendered.config.store)")
            return
        }
        #expect(rendered.deployment[path: "spec", "replicas"] as? Int ?? 0 >= 2)
        #expect(rendered.deployment[path: "spec", "strategy", "type"] as? String == "RollingUpdate")
        #expect(rendered.deployment[path: "spec", "strategy", "rollingUpdate", "maxUnavailable"] as? Int == 0)
        #expect((rendered.pod["topologySpreadConstraints"] as? [Any])?.isEmpty == false)
        let budget = try rendered.object("PodDisruptionBudget")
        let labels = try #require(rendered.deployment[path: "spec", "template", "metadata", "labels"] as? [String: String])
        #expect((budget[path: "spec", "selector", "matchLabels"] as? [String: String]).map { $0.allSatisfy { labels[$0.key] == $0.value } } == true)
        // The pod keeps answering while load balancers let go of it, then drains its calls in flight; the
        // grace period covers both, or the kubelet kills calls in flight.
        let command = try #require(rendered.container[path: "lifecycle", "preStop", "exec", "command"] as? [String])
        let pause = try #require(command.first == "sleep" ? Int(command.last ?? "") : nil, "preStop: \(command)")
        let grace = try #require(rendered.pod["terminationGracePeriodSeconds"] as? Int)
        #expect(Double(grace) > Double(pause) + Double(rendered.config.upstreamTimeout.components.seconds))
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The value at a path of keys through nested mappings.
    subscript(path keys: String...) -> Any? {
        keys.dropFirst().reduce(self[keys[0]]) { ($0 as? [String: Any])?[$1] }
    }
}
