import Foundation
import Testing

@testable import FeedbackRelay

/// Every case of the shared vectors whose preset exists: valid ones verify at their `now`, invalid
/// ones are refused; and the same requests, sent over HTTP, land on the fake ElevenLabs or do not.
@Suite struct SignatureVectorTests {
    static let covered = SignatureVector.all.filter { Preset.named(presetName($0.preset)) != nil }

    /// The vectors name Front's rule webhooks `front-rule`; the `front` preset takes both kinds.
    static func presetName(_ vectorPreset: String) -> String {
        vectorPreset == "front-rule" ? "front" : vectorPreset
    }

    /// Route settings that map each preset's vector body; the route is named after the vectors' preset.
    static func routeEnvironment(_ preset: String, secret: String) -> [String: String] {
        let prefix = "RELAY_ROUTE_" + preset.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
        var env = [prefix + "PRESET": presetName(preset), prefix + "SECRET": secret]
        let ratingShape = ["CONVERSATION_ID": "/conversation_id", "FEEDBACK": "/rating", "LIKE": "good", "DISLIKE": "bad"]
        var mapping: [String: [String: String]] = [
            "github": ratingShape,
            "stripe": [
                "CONVERSATION_ID": "/data/object/metadata/conversation_id", "FEEDBACK": "/data/object/metadata/rating", "LIKE": ">=4",
                "DISLIKE": "<=2",
            ],
            "standard-webhooks": ["CONVERSATION_ID": "/data/conversation_id", "FEEDBACK": "/data/score", "LIKE": ">=4", "DISLIKE": "<=2"],
            "zendesk": ["CONVERSATION_ID": "/ticket/custom_fields/elevenlabs_conversation_id", "FEEDBACK": "/ticket/satisfaction"],
            "linear": ["CONVERSATION_ID": "/data/conversation_id", "FEEDBACK": "/action", "LIKE": "update"],
        ]
        for shared in ["intercom", "helpscout", "typeform", "shopify", "kustomer", "genesys", "delighted", "front", "front-rule"] {
            mapping[shared] = ratingShape
        }
        for (key, value) in mapping[preset] ?? [:] { env[prefix + key] = value }
        return env
    }

    /// What the vector's body means under `routeEnvironment`; nil where it carries no feedback.
    static func expectedFeedback(_ vector: SignatureVector) -> String? {
        let likes = ["github", "stripe", "intercom", "helpscout", "typeform", "shopify", "kustomer", "genesys", "delighted", "front-rule", "linear"]
        return vector.feedback ?? (likes.contains(vector.preset) ? "like" : ["standard-webhooks": "dislike"][vector.preset])
    }

    @Test func everyImplementedPresetHasVectors() {
        let presets = Set(Self.covered.map(\.preset))
        #expect(
            presets == [
                "elevenlabs", "github", "standard-webhooks", "zendesk", "slack", "intercom", "helpscout", "typeform", "shopify", "kustomer",
                "genesys", "delighted", "stripe", "teams", "linear", "front", "front-rule",
            ]
        )
        #expect(Self.covered.count == 59)
    }

    @Test(arguments: covered)
    func verifiesAsTheProviderSigns(_ vector: SignatureVector) throws {
        var env = Self.routeEnvironment(vector.preset, secret: vector.secret.joined)
        env["ELEVENLABS_API_KEY"] = "sk_unused"
        let route = try #require(try RelayConfig.load(environment: env).routes.first)
        let result = route.verifier.verify(vector.signedRequest, now: Date(timeIntervalSince1970: vector.now))
        if vector.isValid {
            guard case .verified = result else {
                Issue.record("\(vector.name) should verify: \(result)")
                return
            }
        } else {
            guard case .refused = result else {
                Issue.record("\(vector.name) should be refused")
                return
            }
        }
    }

    @Test func vectorsTravelEndToEnd() async throws {
        var env: [String: String] = [:]
        for preset in Set(Self.covered.map(\.preset)) {
            let secrets = Set(Self.covered.filter { $0.preset == preset }.map(\.secret.joined)).joined(separator: ",")
            env.merge(Self.routeEnvironment(preset, secret: secrets)) { $1 }
        }
        try await RelayHarness.run(env) { relay in
            for vector in Self.covered {
                relay.clock.set(Date(timeIntervalSince1970: vector.now))
                let before = relay.fake.recorded.count
                let reply = try await relay.post(vector.signedRequest.target, body: vector.body, headers: vector.headers.map { ($0.key, $0.value) })
                let calls = relay.fake.recorded.dropFirst(before)
                if !vector.isValid {
                    #expect(reply.status == 401, "\(vector.name)")
                    #expect(calls.isEmpty, "\(vector.name)")
                } else if let feedback = Self.expectedFeedback(vector) {
                    #expect(reply.status == 200 && reply.json["status"] as? String == "forwarded", "\(vector.name): \(reply.body)")
                    #expect(calls.count == 1, "\(vector.name)")
                    #expect(calls.first?.body == #"{"feedback":"\#(feedback)"}"#, "\(vector.name)")
                    #expect(calls.first?.path == "/v1/convai/conversations/\(vector.conversation_id ?? "")/feedback", "\(vector.name)")
                } else {
                    #expect(reply.status == 200 && reply.json["status"] as? String == "ignored", "\(vector.name): \(reply.body)")
                    #expect(calls.isEmpty, "\(vector.name)")
                }
            }
        }
    }
}
