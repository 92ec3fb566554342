import Foundation
import Testing

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// Runs every recipe of `docs/recipes.md` as written: its `env` blocks loaded by the shell, its files
/// written, its commands run (with `localhost:8080` pointed at a real relay binary), and each command's
/// `<!-- expect: ... -->` checked against what the stand-in ElevenLabs received. A recipe cannot rot.
@Suite struct RecipeTests {
    struct Command {
        let section: String
        let text: String
        /// `like conv_x`, `dislike conv_x` or `ignored`.
        let expectation: String
    }

    struct Recipes {
        var environment: [String] = []
        var files: [String: String] = [:]
        var commands: [Command] = []
    }

    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/recipes.md")

    static func parse(_ text: String) -> Recipes {
        var recipes = Recipes()
        var section = ""
        var block: (info: String, lines: [String])?
        var pending: (section: String, text: String)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var open = block {
                if line == "```" {
                    let content = open.lines.joined(separator: "\n")
                    if open.info == "env" {
                        recipes.environment += open.lines
                    } else if open.info == "sh" {
                        pending = (section, content)
                    } else if let name = open.info.split(separator: " ").first(where: { $0.hasPrefix("file=") }) {
                        recipes.files[String(name.dropFirst(5))] = content + "\n"
                    }
                    block = nil
                } else {
                    open.lines.append(line)
                    block = open
                }
            } else if line.hasPrefix("```") {
                block = (String(line.dropFirst(3)), [])
            } else if line.hasPrefix("#") {
                section = line.drop { $0 == "#" || $0 == " " }.description
            } else if line.hasPrefix("<!-- expect: "), let command = pending {
                let expectation = line.dropFirst("<!-- expect: ".count).replacingOccurrences(of: " -->", with: "")
                recipes.commands.append(Command(section: command.section, text: command.text, expectation: expectation))
                pending = nil
            }
        }
        return recipes
    }

    /// Runs `script` in `directory` with the recipes' environment loaded the way the document says.
    static func shell(_ script: String, in directory: URL, environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "set -a; . ./relay.env; set +a; " + script]
        process.currentDirectoryURL = directory
        process.environment = environment
        let output = try CapturedProcess.run(process, mergeErrors: true)
        return (output.status, output.stdout)
    }

    @Test func theDocumentCoversEveryProviderTheIssueNames() throws {
        let recipes = Self.parse(try String(contentsOf: Self.document, encoding: .utf8))
        let sections = Set(recipes.commands.map(\.section))
        for provider in [
            "ElevenLabs", "evaluation criterion", "Zendesk", "Intercom", "Help Scout", "Slack", "Twilio", "Typeform", "Freshdesk", "Gorgias",
            "Aircall",
        ] {
            #expect(sections.contains { $0.contains(provider) }, "no runnable recipe for \(provider)")
        }
        #expect(recipes.commands.contains { $0.expectation == "ignored" })
        #expect(recipes.commands.allSatisfy { $0.expectation == "ignored" || $0.expectation.split(separator: " ").count == 2 })
    }

    @Test func everyRecipeWorksAsWritten() async throws {
        let recipes = Self.parse(try String(contentsOf: Self.document, encoding: .utf8))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try (recipes.environment.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("relay.env"),
            atomically: true,
            encoding: .utf8
        )
        for (name, content) in recipes.files {
            try content.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        // What the shell makes of the env blocks is what the relay gets.
        let loaded = try Self.shell("env", in: directory, environment: ["PATH": "/usr/bin:/bin"])
        #expect(loaded.status == 0, "relay.env does not load: \(loaded.output)")
        var routes: [String: String] = [:]
        for line in loaded.output.split(separator: "\n") where line.hasPrefix("RELAY_") {
            let pair = line.split(separator: "=", maxSplits: 1)
            routes[String(pair[0])] = pair.count == 2 ? String(pair[1]) : ""
        }

        try await FakeElevenLabs.withRunning { fake, upstream in
            let shared = [
                "ELEVENLABS_API_KEY": fake.apiKey, "ELEVENLABS_BASE_URL": upstream, "RELAY_ALLOW_INSECURE_UPSTREAM": "true",
                "RELAY_STORE": "sqlite:" + directory.appendingPathComponent("relay.sqlite").path, "RELAY_LOG_LEVEL": "warning",
            ]
            let relay = try RelayProcess(environment: routes.merging(shared) { $1 })
            defer { _ = relay.stop() }
            #expect(await relay.waitUntilReady(), "relay did not start: \(relay.log)")
            let commandEnvironment = shared.merging(["PATH": CommandLineTests.binary.deletingLastPathComponent().path + ":/usr/bin:/bin"]) { $1 }
            var expectedCalls = 0
            for command in recipes.commands {
                let script = command.text.replacingOccurrences(of: "http://localhost:8080", with: relay.url)
                let run = try Self.shell(script, in: directory, environment: commandEnvironment)
                #expect(run.status == 0, "\(command.section): \(run.output)")
                if command.expectation == "ignored" {
                    #expect(run.output.contains(#""status":"ignored""#), "\(command.section): \(run.output)")
                    continue
                }
                #expect(run.output.contains(#""status":"accepted""#), "\(command.section): \(run.output)")
                let words = command.expectation.split(separator: " ").map(String.init)
                expectedCalls += 1
                let arrived = await fake.waitUntil(timeout: .seconds(10)) { calls in
                    calls.contains { $0.feedback.map { $0 == (words[1], words[0]) } ?? false }
                }
                #expect(arrived, "\(command.section): ElevenLabs never got \(command.expectation); relay said \(run.output)")
            }
            #expect(fake.recorded.count == expectedCalls, "\(fake.recorded.map(\.path))")
        }
    }
}
