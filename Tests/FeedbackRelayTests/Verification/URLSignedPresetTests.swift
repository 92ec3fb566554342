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

/// Twilio and HubSpot sign the URL they called, which the relay rebuilds from `RELAY_PUBLIC_URL`.
@Suite struct URLSignedPresetTests {
    static let now = Date(timeIntervalSince1970: 1_768_388_731)
    static let form = "MessageSid=SM1&Body=2&conversation=conv_7"

    func route(_ preset: String, secret: String, publicURL: String?) throws -> Route {
        var env = [
            "ELEVENLABS_API_KEY": "sk_unused", "RELAY_ROUTE_SMS_PRESET": preset, "RELAY_ROUTE_SMS_SECRET": secret,
            "RELAY_ROUTE_SMS_CONVERSATION_ID": "form:conversation",
        ]
        env["RELAY_PUBLIC_URL"] = publicURL
        return try #require(try RelayConfig.load(environment: env).routes.first)
    }

    /// Twilio's formula, written out independently of the verifier: URL, then each parameter sorted.
    func twilioSignature(url: String, body: String, key: String, algorithm: HMACAlgorithm = .sha1) -> String {
        let pairs = body.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map { $0.removingPercentEncoding! } }
        let message = url + pairs.sorted { $0[0] < $1[0] }.map { $0[0] + $0[1] }.joined()
        return Base64.encode(Crypto.hmac(algorithm, key: Array(key.utf8), message: Array(message.utf8)))
    }

    func request(_ headers: [(String, String)], target: String = "/hooks/sms", body: String = form) -> SignedRequest {
        SignedRequest(method: "POST", target: target, headers: headers, body: Array(body.utf8))
    }

    @Test func aDefaultPortMayBeWrittenOrLeftOut() throws {
        for (publicURL, signedURLs, refusedURLs) in [
            (
                "https://relay.example.com", ["https://relay.example.com/hooks/sms", "https://relay.example.com:443/hooks/sms"],
                ["http://relay.example.com/hooks/sms"]
            ),
            ("https://relay.example.com:443", ["https://relay.example.com/hooks/sms", "https://relay.example.com:443/hooks/sms"], []),
            ("https://relay.example.com:8443", ["https://relay.example.com:8443/hooks/sms"], ["https://relay.example.com/hooks/sms"]),
            (
                "https://example.com/relay", ["https://example.com/relay/hooks/sms", "https://example.com:443/relay/hooks/sms"],
                ["https://example.com/hooks/sms"]
            ),
        ] {
            let route = try route("twilio", secret: "tok", publicURL: publicURL)
            for url in signedURLs {
                let signature = twilioSignature(url: url, body: Self.form, key: "tok")
                #expect(route.verifier.verify(request([("X-Twilio-Signature", signature)]), now: Self.now) == .verified(secretIndex: 0), "\(url)")
            }
            for url in refusedURLs {
                let signature = twilioSignature(url: url, body: Self.form, key: "tok")
                #expect(
                    route.verifier.verify(request([("X-Twilio-Signature", signature)]), now: Self.now)
                        == .refused(.signatureMismatch("X-Twilio-Signature")),
                    "\(url)"
                )
            }
        }
    }

    @Test func aWebhookSettingMaySignWithSHA256AndASharedKey() throws {
        let route = try route("twilio", secret: "auth_token,shared_key", publicURL: "https://relay.example.com")
        let url = "https://relay.example.com/hooks/sms"
        let sha256 = twilioSignature(url: url, body: Self.form, key: "shared_key", algorithm: .sha256)
        let settings = ("X-Twilio-Webhooks-Signature-Settings", "key=ws_1,algorithm=HMAC_SHA256")
        #expect(route.verifier.verify(request([("X-Twilio-Signature", sha256), settings]), now: Self.now) == .verified(secretIndex: 1))
        // Without the header the same signature is read as SHA-1 and fails.
        #expect(route.verifier.verify(request([("X-Twilio-Signature", sha256)]), now: Self.now) != .verified(secretIndex: 1))
        let unknown = ("X-Twilio-Webhooks-Signature-Settings", "key=ws_1,algorithm=HMAC_MD5")
        #expect(
            route.verifier.verify(request([("X-Twilio-Signature", sha256), unknown]), now: Self.now)
                == .refused(.malformedHeader("X-Twilio-Webhooks-Signature-Settings"))
        )
    }

    @Test func aJSONBodyMustMatchItsBodySHA256() throws {
        let route = try route("twilio", secret: "tok", publicURL: "https://relay.example.com")
        let body = #"{"answer":"yes"}"#
        let hash = Hex.encode(Crypto.sha256(Array(body.utf8)))
        let target = "/hooks/sms?bodySHA256=\(hash)"
        let signature = twilioSignature(url: "https://relay.example.com" + target, body: "", key: "tok")
        #expect(
            route.verifier.verify(request([("X-Twilio-Signature", signature)], target: target, body: body), now: Self.now)
                == .verified(secretIndex: 0)
        )
        #expect(
            route.verifier.verify(request([("X-Twilio-Signature", signature)], target: target, body: #"{"answer":"no!"}"#), now: Self.now)
                == .refused(.bodyHashMismatch("query bodySHA256"))
        )
    }

    @Test func twilioDedupsOnTheMessageOrCallSid() throws {
        let route = try route("twilio", secret: "tok", publicURL: "https://relay.example.com")
        for (body, expected) in [(Self.form, "SM1"), ("CallSid=CA9&Body=yes&conversation=conv_7", "CA9")] {
            guard case .feedback(let event) = try route.mapping.map(RequestPayload(request([], body: body)), route: "sms") else {
                Issue.record("\(body) should map to feedback")
                continue
            }
            #expect(event.eventID == expected)
            #expect(event.feedback == (expected == "SM1" ? .dislike : .like))
        }
    }

    @Test func hubspotSignsTheURIWithSomeEscapesDecoded() throws {
        let route = try route("hubspot", secret: "client_secret", publicURL: "https://relay.example.com")
        let body = #"[{"eventId":1,"propertyValue":"good"}]"#
        let timestamp = "1768388731000"
        // HubSpot decodes %3A and %2C before signing but leaves %20 alone.
        let signedURI = "https://relay.example.com/hooks/sms?tags=a:b,c%20d"
        let message = Array(("POST" + signedURI + body + timestamp).utf8)
        let signature = Base64.encode(Crypto.hmac(.sha256, key: Array("client_secret".utf8), message: message))
        let headers = [("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp)]
        let sent = request(headers, target: "/hooks/sms?tags=a%3Ab%2Cc%20d", body: body)
        #expect(route.verifier.verify(sent, now: Self.now) == .verified(secretIndex: 0))
        #expect(
            route.verifier.verify(sent, now: Self.now.addingTimeInterval(301))
                == .refused(.staleTimestamp(header: "X-HubSpot-Request-Timestamp", skewSeconds: 301))
        )
    }

    @Test func withoutAPublicURLTheRouteIsRefusedAtStart() throws {
        for preset in ["twilio", "hubspot"] {
            let env = [
                "ELEVENLABS_API_KEY": "sk_unused", "RELAY_ROUTE_SMS_PRESET": preset, "RELAY_ROUTE_SMS_SECRET": "s",
                "RELAY_ROUTE_SMS_CONVERSATION_ID": "form:conversation",
            ]
            do {
                _ = try RelayConfig.load(environment: env)
                Issue.record("\(preset) without RELAY_PUBLIC_URL should not load")
            } catch {
                #expect(error.issues.map(\.variable) == ["RELAY_PUBLIC_URL"], "\(preset)")
                #expect(error.issues.first?.message.contains("route sms") == true)
            }
        }
    }
}
