import Foundation
import Testing
import Yams

@testable import RelayModel

/// The release workflow and the deploy files agree on one version: the one `--version` prints.
@Suite struct ReleaseTests {
    static let image = "ghcr.io/feedback-relay/feedback-relay"
    static let repository = DeployFiles.deploy.deletingLastPathComponent()

    static func workflow() throws -> [String: Any] {
        let text = try String(contentsOf: repository.appendingPathComponent(".github/workflows/release.yml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test func everyDeployFileNamesThisReleaseNeverLatest() throws {
        for file in ["docker-compose.yml", "docker-compose.ha.yml"] {
            let compose = try #require(try Yams.load(yaml: try DeployFiles.text(file)) as? [String: Any])
            let images = ((compose["services"] as? [String: [String: Any]]) ?? [:]).values.compactMap { $0["image"] as? String }
            let relays = images.filter { $0.contains("feedback-relay") }
            #expect(!relays.isEmpty && relays.allSatisfy { $0 == "\(Self.image):\(RelayVersion.current)" }, "\(file): \(relays)")
        }
        for overlay in ["single", "ha"] {
            let rendered = try KustomizeOverlayTests.render(overlay)
            #expect(rendered.container["image"] as? String == "\(Self.image):\(RelayVersion.current)", "\(overlay)")
        }
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for match in readme.matches(of: /feedback-relay\/feedback-relay:([0-9a-z.]+)/) {
            #expect(String(match.1) == RelayVersion.current, "the README names release \(match.1)")
        }
        #expect(!readme.contains("feedback-relay:latest"))
    }

    /// The workflow's own gate, run here as GitHub would run it: it passes for a tag of this version and
    /// refuses any other, so no image is pushed under a version the binary does not report.
    @Test func theReleaseGateAcceptsOnlyThisVersionsTag() throws {
        let jobs = try #require(try Self.workflow()["jobs"] as? [String: [String: Any]])
        let steps = try #require(jobs["version"]?["steps"] as? [[String: Any]])
        let gate = try #require(steps.first { $0["id"] as? String == "version" }?["run"] as? String)
        func run(tag: String) throws -> (Int32, String) {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("github-output-\(UUID().uuidString)").path
            try #require(FileManager.default.createFile(atPath: output, contents: nil))
            defer { try? FileManager.default.removeItem(atPath: output) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-e", "-c", gate]
            process.currentDirectoryURL = Self.repository
            process.environment = ["PATH": "/usr/bin:/bin", "GITHUB_REF_NAME": tag, "GITHUB_OUTPUT": output]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, try String(contentsOfFile: output, encoding: .utf8))
        }
        let this = try run(tag: "v\(RelayVersion.current)")
        #expect(this.0 == 0)
        #expect(this.1 == "version=\(RelayVersion.current)\n")
        #expect(try run(tag: "v0.0.1").0 != 0)
    }

    @Test func theReleaseBuildsBothArchitecturesWithAnSBOM() throws {
        let workflow = try Self.workflow()
        // YAML 1.1 reads the key `on` as true; either way it is the trigger.
        let trigger = try #require((workflow["on"] ?? workflow["true"]) as? [String: Any])
        #expect((trigger[path: "push", "tags"] as? [String])?.allSatisfy { $0.hasPrefix("v") } == true)
        let jobs = try #require(workflow["jobs"] as? [String: [String: Any]])
        let platforms = (jobs["build"]?[path: "strategy", "matrix", "include"] as? [[String: Any]])?.compactMap { $0["platform"] as? String }
        #expect(Set(platforms ?? []) == ["linux/amd64", "linux/arm64"])
        let build = (jobs["build"]?["steps"] as? [[String: Any]])?.first { ($0["uses"] as? String)?.hasPrefix("docker/build-push-action") == true }
        #expect(build?[path: "with", "sbom"] as? Bool == true)
        let released = (jobs["publish"]?["steps"] as? [[String: Any]])?.compactMap { $0["uses"] as? String } ?? []
        #expect(released.contains { $0.hasPrefix("anchore/sbom-action") } && released.contains { $0.hasPrefix("softprops/action-gh-release") })
    }
}
