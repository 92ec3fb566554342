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

/// Every case of the shared vectors whose preset exists: valid ones verify at their `now`, invalid
/// ones are refused; and the same requests, sent over HTTP, land on the fake ElevenLabs or do not.
@Suite struct SignatureVectorTests {
    static let covered = SignatureVector.all.filter { Preset.named(presetName($0.preset)) != nil }

    /// The vectors name Front's rule webhooks `front-rule`; the `front` preset takes both kinds.
    static func presetName(_ vectorPreset: String) -> String {
        vectorPreset == "front-rule" ? "front" : vectorPreset
    }

    /// The route a vector was sent to: the signed URL's last path segment, else the preset's name.
    static func routeName(_ vector: SignatureVector) -> String {
        let path = vector.signedRequest.path
        return path.hasPrefix("/hooks/") ? String(path.dropFirst(7)) : vector.preset
    }

    /// Where the vectors that sign the URL were sent.
    static let publicURL = "https://relay.example.com"

    /// Route settings that map each vector's body; the route is named as `routeName` says.
    static func routeEnvironment(_ route: String, preset: String, secret: String) -> [String: String] {
        let prefix = "RELAY_ROUTE_" + route.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
        var env = [prefix + "PRESET": presetName(preset), prefix + "SECRET": secret, "RELAY_PUBLIC_URL": publicURL]
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
            "twilio-sms": ["CONVERSATION_ID": "form:conversation"],
            "twilio-json": ["CONVERSATION_ID": "/conversation", "FEEDBACK": "/answer", "LIKE": "thumbs_up", "DISLIKE": "thumbs_down"],
            "hubspot": ["CONVERSATION_ID": "/0/conversation_id", "LIKE": "good", "DISLIKE": "bad"],
        ]
        for shared in ["intercom", "helpscout", "typeform", "shopify", "kustomer", "genesys", "delighted", "front", "front-rule"] {
            mapping[shared] = ratingShape
        }
        for (key, value) in mapping[route] ?? [:] { env[prefix + key] = value }
        return env
    }

    /// What the vector's body means under `routeEnvironment`; nil where it carries no feedback.
    static func expectedFeedback(_ vector: SignatureVector) -> String? {
        let likes = [
            "github", "stripe", "intercom", "helpscout", "typeform", "shopify", "kustomer", "genesys", "delighted", "front-rule", "linear", "twilio",
            "hubspot",
        ]
        return vector.feedback ?? (likes.contains(vector.preset) ? "like" : ["standard-webhooks": "dislike"][vector.preset])
    }

    @Test func everyImplementedPresetHasVectors() {
        let presets = Set(Self.covered.map(\.preset))
        #expect(
            presets == [
                "elevenlabs", "github", "standard-webhooks", "zendesk", "slack", "intercom", "helpscout", "typeform", "shopify", "kustomer",
                "genesys", "delighted", "stripe", "teams", "linear", "front", "front-rule", "hubspot", "twilio",
            ]
        )
        #expect(Self.covered.count == SignatureVector.all.count)
        #expect(Self.covered.count == 68)
    }

    @Test(arguments: covered)
    func verifiesAsTheProviderSigns(_ vector: SignatureVector) throws {
        var env = Self.routeEnvironment(Self.routeName(vector), preset: vector.preset, secret: vector.secret.joined)
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
        for route in Set(Self.covered.map(Self.routeName)) {
            let vectors = Self.covered.filter { Self.routeName($0) == route }
            let secrets = Set(vectors.map(\.secret.joined)).joined(separator: ",")
            env.merge(Self.routeEnvironment(route, preset: vectors[0].preset, secret: secrets)) { $1 }
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
