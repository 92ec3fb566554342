import Foundation
import Synchronization
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

@Suite struct HMACSchemeTests {
    static let body = Array(#"{"conversation_id":"conv_1","rating":5}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_768_388_731)

    func route(_ settings: [String: String]) throws -> Route {
        var env = [
            "ELEVENLABS_API_KEY": "sk_unused", "RELAY_PUBLIC_URL": "https://relay.example.com",
            "RELAY_ROUTE_CUSTOM_CONVERSATION_ID": "/conversation_id", "RELAY_ROUTE_CUSTOM_FEEDBACK": "/rating",
        ]
        for (key, value) in settings { env["RELAY_ROUTE_CUSTOM_" + key] = value }
        return try #require(try RelayConfig.load(environment: env).routes.first)
    }

    func request(_ headers: [(String, String)], target: String = "/hooks/custom", body: [UInt8] = body) -> SignedRequest {
        SignedRequest(method: "POST", target: target, headers: headers, body: body)
    }

    @Test func genericHMACMatchesAnIndependentComputation() throws {
        let route = try route([
            "PRESET": "hmac", "SECRET": "s3cret", "SIGNATURE_HEADER": "X-Sig", "ALGORITHM": "sha512", "ENCODING": "base64",
            "SIGNATURE_PREFIX": "sha512=", "SIGNED_PAYLOAD": "{method} {timestamp}:{header:X-Account}:{body}", "TIMESTAMP_HEADER": "X-Time",
            "TIMESTAMP_UNIT": "ms", "TOLERANCE": "60",
        ])
        let timestamp = "1768388700000"
        let message = Array("POST \(timestamp):acct_9:".utf8) + Self.body
        let signature = "sha512=" + Base64.encode(Crypto.hmac(.sha512, key: Array("s3cret".utf8), message: message))
        let good = request([("X-Sig", signature), ("X-Time", timestamp), ("X-Account", "acct_9")])
        #expect(route.verifier.verify(good, now: Self.now) == .verified(secretIndex: 0))

        let otherAccount = request([("X-Sig", signature), ("X-Time", timestamp), ("X-Account", "acct_8")])
        #expect(route.verifier.verify(otherAccount, now: Self.now) == .refused(.signatureMismatch("X-Sig")))
        let stale = route.verifier.verify(good, now: Self.now.addingTimeInterval(61))
        #expect(stale == .refused(.staleTimestamp(header: "X-Time", skewSeconds: 92)))
        #expect(route.verifier.verify(request([("X-Sig", signature)]), now: Self.now) == .refused(.missingTimestamp("X-Time")))
        #expect(route.verifier.verify(request([("X-Time", timestamp)]), now: Self.now) == .refused(.missingHeader("X-Sig")))
        let unprefixed = request([("X-Sig", String(signature.dropFirst(7))), ("X-Time", timestamp), ("X-Account", "acct_9")])
        #expect(route.verifier.verify(unprefixed, now: Self.now) == .refused(.malformedHeader("X-Sig")))
    }

    @Test func secretsDecodeAsConfiguredAndRotate() throws {
        let key: [UInt8] = [0x00, 0xff, 0x10, 0x80, 0x7f]
        let signature = Hex.encode(Crypto.hmac(.sha1, key: key, message: Self.body)).uppercased()
        for (encoding, old, text) in [("hex", "abcd", Hex.encode(key)), ("base64", "b2xk", Base64.encode(key))] {
            let route = try route([
                "PRESET": "hmac", "SECRET": "\(old),\(text)", "SECRET_ENCODING": encoding, "SIGNATURE_HEADER": "X-Sig", "ALGORITHM": "sha1",
            ])
            #expect(route.verifier.verify(request([("X-Sig", signature)]), now: Self.now) == .verified(secretIndex: 1), "\(encoding)")
        }
    }

    @Test func signedRequestsVerifyForEveryScheme() throws {
        let schemes: [[String: String]] = [
            ["PRESET": "hmac", "SECRET": "a", "SIGNATURE_HEADER": "X-Sig", "SIGNED_PAYLOAD": "{url}|{body}", "TIMESTAMP_HEADER": "X-Ts"],
            [
                "PRESET": "hmac", "SECRET": "a", "SIGNATURE_HEADER": "X-Sig", "TIMESTAMP_HEADER": "X-Ts", "TIMESTAMP_UNIT": "iso8601",
                "SIGNED_PAYLOAD": "{timestamp}{body}",
            ],
            ["PRESET": "elevenlabs", "SECRET": "wsec_a,wsec_b"],
            ["PRESET": "github", "SECRET": "b"],
            ["PRESET": "standard-webhooks", "SECRET": "whsec_" + Base64.encode(Array("key material".utf8))],
            ["PRESET": "zendesk", "SECRET": "z"],
            ["PRESET": "slack", "SECRET": "s"],
            ["PRESET": "stripe", "SECRET": "whsec_old,whsec_new"],
            ["PRESET": "teams", "SECRET": Base64.encode(Array("teams security token".utf8))],
            ["PRESET": "helpscout", "SECRET": "h"], ["PRESET": "intercom", "SECRET": "i"], ["PRESET": "delighted", "SECRET": "d"],
            ["PRESET": "front", "SECRET": "f"],
            ["PRESET": "typeform", "SECRET": "tf"], ["PRESET": "shopify", "SECRET": "sh"], ["PRESET": "kustomer", "SECRET": "k"],
            ["PRESET": "genesys", "SECRET": "g"], ["PRESET": "linear", "SECRET": "l"], ["PRESET": "hubspot", "SECRET": "hs_old,hs_new"],
            ["PRESET": "twilio", "SECRET": "auth_token_1,auth_token_2"],
            ["PRESET": "token", "SECRET": "t0k,t1k"],
            ["PRESET": "token", "SECRET": "t0k", "TOKEN_HEADER": "X-Token"],
            ["PRESET": "token", "SECRET": "t0k", "TOKEN_QUERY": "token"],
            ["PRESET": "basic", "SECRET": "relay:pa55"],
        ]
        // Every preset but `none`, which has nothing to sign.
        #expect(Set(schemes.compactMap { $0["PRESET"] }) == Set(Preset.all.map(\.name)).subtracting(["none"]))
        // Linear reads its time from the body; Twilio signs form parameters one by one.
        let json = Array(#"{"conversation_id":"conv_1","rating":5,"webhookTimestamp":1768388731000}"#.utf8)
        let form = Array("conversation_id=conv_1&rating=5&Body=yes+please&Body=%F0%9F%91%8D".utf8)
        for settings in schemes {
            let route = try route(settings)
            let cases = (0..<settings["SECRET"]!.split(separator: ",").count).flatMap { index in
                (route.preset == "twilio" ? [json, form] : [json]).map { (index, $0) }
            }
            for (secretIndex, body) in cases {
                let signed = try RequestSigner.sign(route: route, body: body, now: Self.now, secretIndex: secretIndex)
                let sent = SignedRequest(
                    method: "POST",
                    target: signed.target,
                    headers: signed.headers,
                    body: body
                )
                #expect(route.verifier.verify(sent, now: Self.now) == .verified(secretIndex: secretIndex), "\(settings)")
                var tampered = sent
                tampered.body += Array("&x=1".utf8)
                if route.preset != "token" && route.preset != "basic" {
                    #expect(route.verifier.verify(tampered, now: Self.now) != .verified(secretIndex: secretIndex), "\(settings)")
                }
            }
        }
    }

    @Test func everySecretComparisonGoesThroughCRYPTOMemcmp() throws {
        #if DEBUG
        let hmac = try route(["PRESET": "github", "SECRET": "one,two"])
        let token = try route(["PRESET": "token", "SECRET": "tok"])
        let basic = try route(["PRESET": "basic", "SECRET": "u:p"])
        let cases: [(Route, SignedRequest)] = [
            (hmac, request([("X-Hub-Signature-256", "sha256=" + String(repeating: "ab", count: 32))])),
            (token, request([("Authorization", "Bearer nope")])),
            (basic, request([("Authorization", "Basic " + Base64.encode(Array("u:q".utf8)))])),
        ]
        for (route, request) in cases {
            let before = Crypto.constantTimeComparisons.load(ordering: .relaxed)
            #expect(route.verifier.verify(request, now: Self.now) != .verified(secretIndex: 0))
            // One comparison per configured secret: a plain == would leave the count unchanged.
            #expect(Crypto.constantTimeComparisons.load(ordering: .relaxed) - before >= (route.preset == "github" ? 2 : 1), "\(route.preset)")
        }
        #endif
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(Crypto.constantTimeEqualsDigest(Array("token".utf8), Array("token".utf8)))
        #expect(!Crypto.constantTimeEqualsDigest(Array("token".utf8), Array("token!".utf8)))
    }

    @Test func toleranceIsCheckedBothWays() throws {
        let route = try route(["PRESET": "elevenlabs", "SECRET": "wsec_x"])
        let signed = try RequestSigner.sign(route: route, body: Self.body, now: Self.now)
        let request = SignedRequest(method: "POST", target: "/hooks/custom", headers: signed.headers, body: Self.body)
        #expect(route.verifier.verify(request, now: Self.now.addingTimeInterval(1800)) == .verified(secretIndex: 0))
        #expect(route.verifier.verify(request, now: Self.now.addingTimeInterval(-1800)) == .verified(secretIndex: 0))
        #expect(route.verifier.verify(request, now: Self.now.addingTimeInterval(1801)) != .verified(secretIndex: 0))
        #expect(route.verifier.verify(request, now: Self.now.addingTimeInterval(-1801)) != .verified(secretIndex: 0))
    }

    @Test func keysSetUpOnceGiveTheSameMACAsOneShotHMAC() throws {
        // RFC 4231, test case 2.
        let jefe = HMACKey(.sha256, secret: Array("Jefe".utf8))
        #expect(jefe.isKeyed)
        #expect(
            Hex.encode(jefe.mac(Array("what do ya want for nothing?".utf8))) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        // Keys shorter than, as long as and longer than each hash's block (64 or 128 bytes), which
        // HMAC hashes first; messages around a block's padding boundary.
        for algorithm in HMACAlgorithm.allCases {
            for keyLength in [1, 20, 64, 65, 128, 129, 300] {
                let secret = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
                let key = HMACKey(algorithm, secret: secret)
                #expect(key.isKeyed, "\(algorithm) \(keyLength)")
                for messageLength in [0, 1, 55, 56, 64, 111, 112, 1000] {
                    let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13) }
                    #expect(key.mac(message) == Crypto.hmac(algorithm, key: secret, message: message), "\(algorithm) \(keyLength) \(messageLength)")
                }
            }
        }
    }

    @Test func emptySignaturesInAHeaderAreMalformedNotMismatched() throws {
        let elevenLabs = try route(["PRESET": "elevenlabs", "SECRET": "wsec_x"])
        for header in ["t=1768388731,v0=", "t=1768388731,=abcd", "t=1768388731"] {
            #expect(
                elevenLabs.verifier.verify(request([("ElevenLabs-Signature", header)]), now: Self.now)
                    == .refused(.malformedHeader("ElevenLabs-Signature")),
                "\(header)"
            )
        }
        let standard = try route(["PRESET": "standard-webhooks", "SECRET": "whsec_" + Base64.encode(Array("key material".utf8))])
        let headers = [("webhook-id", "msg_1"), ("webhook-timestamp", "1768388731")]
        for header in ["v1,", ",abcd", "v1"] {
            #expect(
                standard.verifier.verify(request(headers + [("webhook-signature", header)]), now: Self.now)
                    == .refused(.malformedHeader("webhook-signature")),
                "\(header)"
            )
        }
    }
}
