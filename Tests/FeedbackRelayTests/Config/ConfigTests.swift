import Foundation
import Logging
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

@Suite struct ConfigTests {
    static let minimal = ["ELEVENLABS_API_KEY": "sk_k", "RELAY_ROUTE_ZENDESK_CSAT_PRESET": "elevenlabs", "RELAY_ROUTE_ZENDESK_CSAT_SECRET": "s"]

    func problems(_ env: [String: String], files: [String: String] = [:]) -> [ConfigError.Issue] {
        do {
            _ = try RelayConfig.load(environment: env) { path in
                guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
                return text
            }
            return []
        } catch {
            return error.issues
        }
    }

    func variables(_ env: [String: String]) -> [String] {
        problems(env).map(\.variable)
    }

    @Test func aPostgreSQLStoreURLIsCheckedWhenReadAndNeverEchoed() throws {
        let cases = [
            ("postgres://relay:hunter2pw@db/relay?sslmode=maybe", "sslmode 'maybe' is not one of"),
            ("postgres://relay:hunter2pw@/relay", "names no host"),
            ("postgres://relay:hunter2pw@db", "names no database"),
            ("postgres://:hunter2pw@db/relay", "names no user"),
            ("postgres://relay:hunter2pw@db/relay?application_name=x", "parameter application_name is not supported"),
            ("mysql://relay:hunter2pw@db/relay", "is neither sqlite:PATH nor postgres://"),
        ]
        for (url, message) in cases {
            let found = problems(Self.minimal.merging(["RELAY_STORE": url]) { $1 })
            #expect(found.map(\.variable) == ["RELAY_STORE"], "\(url)")
            #expect(found.first?.message.contains(message) == true, "\(url): \(found)")
            #expect(found.allSatisfy { !$0.message.contains("hunter2pw") })
        }
        // From a secret file, as a Kubernetes Secret mounts it.
        let config = try RelayConfig.load(environment: Self.minimal.merging(["RELAY_STORE_FILE": "/run/secrets/store"]) { $1 }) { _ in
            "postgres://relay:p%40ss@db.internal:6432/feedback?sslmode=verify-full\n"
        }
        guard case .postgres(let location) = config.store else {
            Issue.record("not PostgreSQL: \(config.store)")
            return
        }
        #expect(location.host == "db.internal" && location.port == 6432 && location.database == "feedback" && location.username == "relay")
        #expect(location.password == "p@ss" && location.tlsMode == .verifyFull)
        #expect(location.description == "postgres://relay:[redacted]@db.internal:6432/feedback?sslmode=verify-full")
        #expect(variables(Self.minimal.merging(["RELAY_STORE": "sqlite:/a", "RELAY_STORE_FILE": "/b"]) { $1 }) == ["RELAY_STORE_FILE"])
    }

    @Test func defaultsFollowTheSpec() throws {
        let config = try RelayConfig.load(environment: Self.minimal)
        #expect(config.baseURL == "https://api.elevenlabs.io")
        #expect(config.listen == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(config.managementListen == ListenAddress(host: "0.0.0.0", port: 9090))
        #expect(config.maxBodyBytes == 1_048_576 && config.concurrency == 32)
        #expect(config.upstreamTimeout == .seconds(15) && config.retryMaxAge == .seconds(72 * 3600))
        #expect(config.logFormat == .json && config.logLevel == .info)
        #expect(config.routes.map(\.name) == ["zendesk-csat"])
    }

    @Test(arguments: [
        ("RELAY_LISTEN", "8080"), ("RELAY_MANAGEMENT_LISTEN", "host:port"), ("RELAY_MAX_BODY_BYTES", "-1"), ("RELAY_CONCURRENCY", "0"),
        ("RELAY_UPSTREAM_TIMEOUT", "soon"), ("RELAY_RETRY_MAX_AGE", "0s"), ("RELAY_DEDUP_WINDOW", "3 days"), ("RELAY_LOG_LEVEL", "loud"),
        ("RELAY_LOG_FORMAT", "xml"), ("RELAY_DELIVERY", "carrier-pigeon"), ("RELAY_STORE", "mysql://x"), ("ELEVENLABS_BASE_URL", "ftp://x"),
        ("ELEVENLABS_BASE_URL", "http://api.elevenlabs.io"), ("RELAY_ALLOW_INSECURE_UPSTREAM", "maybe"), ("RELAY_PUBLIC_URL", "not a url"),
        ("RELAY_CONCURENCY", "8"), ("ELEVENLABS_API_KEY", ""), ("RELAY_ROUTE_ZENDESK_CSAT_PRESET", "zendeks"),
        ("RELAY_ROUTE_ZENDESK_CSAT_TOLERANCE", "-5"), ("RELAY_ROUTE_ZENDESK_CSAT_LIKE", ">=many"),
        ("RELAY_ROUTE_ZENDESK_CSAT_FEEDBACK", "data.rating"),
        ("RELAY_ROUTE_ZENDESK_CSAT_CONVERSATION_ID_PATTERN", "(unclosed"), ("RELAY_ROUTE_ZENDESK_CSAT_FEEDBACK_PATTERN", "no-group"),
        ("RELAY_ROUTE_ZENDESK_CSAT_MATCH", "/type"), ("RELAY_ROUTE_ZENDESK_CSAT_SIGNATURE_HEADER", "X-Sig"), ("RELAY_ROUTE_ZENDESK_CSAT_SECERT", "x"),
        ("RELAY_ROUTE_ZENDESK_CSAT_BASE_URL", "http://api.us.elevenlabs.io"), ("RELAY_ROUTE_ZENDESK_CSAT_DISLIKE", "success"),
        ("RELAY_ROUTE_ZENDESK_CSAT_SECRET", ""),
    ])
    func eachBadValueNamesItsVariable(_ variable: String, _ value: String) {
        let env = Self.minimal.merging([variable: value]) { $1 }
        let found = problems(env)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.variable == variable, "\(found)")
        #expect(found.first?.message.isEmpty == false)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let env = ["RELAY_CONCURRENCY": "lots", "RELAY_ROUTE_A_PRESET": "github", "RELAY_ROUTE_B_PRESET": "nope"]
        #expect(
            Set(variables(env)) == [
                "RELAY_CONCURRENCY", "RELAY_ROUTE_A_SECRET", "RELAY_ROUTE_A_CONVERSATION_ID", "RELAY_ROUTE_A_FEEDBACK", "RELAY_ROUTE_A_API_KEY",
                "RELAY_ROUTE_B_PRESET",
            ]
        )
    }

    @Test func routesNeedAKeyAndThereMustBeRoutes() {
        #expect(variables(["ELEVENLABS_API_KEY": "k"]) == ["RELAY_ROUTE_<NAME>_PRESET"])
        #expect(variables(["RELAY_ROUTE_A_PRESET": "elevenlabs", "RELAY_ROUTE_A_SECRET": "s"]) == ["RELAY_ROUTE_A_API_KEY"])
        #expect(variables(["RELAY_ROUTE_A_PRESET": "elevenlabs", "RELAY_ROUTE_A_SECRET": "s", "RELAY_ROUTE_A_API_KEY": "own"]).isEmpty)
        let unsigned = [
            "ELEVENLABS_API_KEY": "k", "RELAY_ROUTE_A_PRESET": "none", "RELAY_ROUTE_A_CONVERSATION_ID": "/c", "RELAY_ROUTE_A_FEEDBACK": "/f",
        ]
        #expect(variables(unsigned) == ["RELAY_ROUTE_A_PRESET"])
        #expect(variables(unsigned.merging(["RELAY_ROUTE_A_ALLOW_UNSIGNED": "true"]) { $1 }).isEmpty)
    }

    @Test func secretsComeFromFiles() throws {
        let files = ["/run/secrets/key": "sk_from_file\n", "/run/secrets/zd": "file-secret\n"]
        let env = [
            "ELEVENLABS_API_KEY_FILE": "/run/secrets/key", "RELAY_ROUTE_EL_PRESET": "github", "RELAY_ROUTE_EL_SECRET_FILE": "/run/secrets/zd",
            "RELAY_ROUTE_EL_CONVERSATION_ID": "/c", "RELAY_ROUTE_EL_FEEDBACK": "/f",
        ]
        let config = try RelayConfig.load(environment: env) { files[$0]! }
        #expect(config.apiKey == "sk_from_file")
        let route = try #require(config.routes.first)
        let body = Array(#"{"c":"x"}"#.utf8)
        let signature = "sha256=" + Hex.encode(Crypto.hmac(.sha256, key: Array("file-secret".utf8), message: body))
        let request = SignedRequest(method: "POST", target: "/hooks/el", headers: [("X-Hub-Signature-256", signature)], body: body)
        #expect(route.verifier.verify(request, now: Date()) == .verified(secretIndex: 0))

        #expect(problems(env.merging(["ELEVENLABS_API_KEY_FILE": "/missing"]) { $1 }, files: files).map(\.variable) == ["ELEVENLABS_API_KEY_FILE"])
        #expect(problems(env.merging(["ELEVENLABS_API_KEY": "both"]) { $1 }, files: files).map(\.variable) == ["ELEVENLABS_API_KEY_FILE"])
        #expect(problems(env.merging(["RELAY_ROUTE_EL_SECRET": "both"]) { $1 }, files: files).map(\.variable) == ["RELAY_ROUTE_EL_SECRET_FILE"])
    }

    @Test func routesFileInYAMLOrJSONWithEnvironmentOverrides() throws {
        let yaml = """
            routes:
              zendesk-csat:
                preset: zendesk
                secret: [old-secret, new-secret]
                conversation_id: /ticket/custom_fields/conversation
                feedback: /ticket/satisfaction
                tolerance: 600
              intercom_rating:
                preset: hmac
                secret_file: /run/secrets/intercom
                signature_header: X-Hub-Signature
                algorithm: sha1
                signature_prefix: sha1=
                conversation_id: /data/item/custom_attributes/conversation_id
                feedback: /data/item/conversation_rating/rating
                like: ">=4"
                dislike: "<=2"
            """
        let json = #"{"routes":{"gh":{"preset":"github","secret":"s","conversation_id":"/c","feedback":"/f"}}}"#
        let files = ["/etc/relay/routes.yaml": yaml, "/etc/relay/routes.json": json, "/run/secrets/intercom": "ic-secret\n"]
        let env = ["ELEVENLABS_API_KEY": "k", "RELAY_ROUTES_FILE": "/etc/relay/routes.yaml", "RELAY_ROUTE_ZENDESK_CSAT_LIKE": "good,great"]
        let config = try RelayConfig.load(environment: env) { files[$0]! }
        #expect(config.routes.map(\.name) == ["intercom_rating", "zendesk-csat"])
        let zendesk = try #require(config.route(named: "zendesk-csat"))
        #expect(zendesk.mapping.like.description == "good,great")
        #expect(zendesk.verifier.summary.contains("tolerance 600s"))
        #expect(zendesk.verifier.summary.contains("2 secret(s)"))

        let fromJSON = try RelayConfig.load(environment: ["ELEVENLABS_API_KEY": "k", "RELAY_ROUTES_FILE": "/etc/relay/routes.json"]) { files[$0]! }
        #expect(fromJSON.routes.map(\.name) == ["gh"])

        let broken = ["ELEVENLABS_API_KEY": "k", "RELAY_ROUTES_FILE": "/etc/relay/broken.yaml"]
        #expect(problems(broken, files: ["/etc/relay/broken.yaml": "routes: [unclosed"]).map(\.variable) == ["RELAY_ROUTES_FILE"])
        // Found by the config fuzzer: a key that is not text stopped the process inside Yams.
        for keyNotText in ["routes:\n  ? [a, b]\n  : {preset: github}\n", "routes:\n  a:\n    ? {x: 1}\n    : y\n"] {
            let found = problems(broken, files: ["/etc/relay/broken.yaml": keyNotText])
            #expect(found.map(\.variable) == ["RELAY_ROUTES_FILE"] && found.first?.message.contains("every key must be plain text") == true)
        }
        let typo = problems(
            broken,
            files: [
                "/etc/relay/broken.yaml":
                    "routes:\n  a:\n    preset: github\n    secert: x\n    secret: y\n    conversation_id: /c\n    feedback: /f\n"
            ]
        )
        #expect(typo.map(\.variable) == ["RELAY_ROUTES_FILE (/etc/relay/broken.yaml: routes.a.secert)"])
    }

    @Test func routeVariablesSplitOnTheLongestKnownKey() {
        #expect(RouteVariable.split("RELAY_ROUTE_ZENDESK_CSAT_CONVERSATION_ID_PATTERN")! == ("zendesk-csat", .conversationIDPattern, false))
        #expect(RouteVariable.split("RELAY_ROUTE_A_B_CONVERSATION_ID")! == ("a-b", .conversationID, false))
        #expect(RouteVariable.split("RELAY_ROUTE_X_API_KEY_FILE")! == ("x", .apiKey, true))
        #expect(RouteVariable.split("RELAY_ROUTE_X_NOPE") == nil)
        #expect(RouteVariable.split("RELAY_ROUTE_SECRET") == nil)
    }

    @Test func durationsAndAddresses() {
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("15s") == .seconds(15))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("72h") == .seconds(259_200))
        #expect(DurationText.parse("1.5") == .milliseconds(1500))
        // Past what a Duration of milliseconds holds: refused (the variable is then named), never a trap (a fuzzer found it).
        #expect(DurationText.parse("16666666666666666666666h") == nil)
        #expect(DurationText.parse("1e300") == nil)
        #expect(DurationText.parse("fast") == nil)
        #expect(ListenAddress("[::1]:9090") == ListenAddress(host: "::1", port: 9090))
        #expect(ListenAddress(":8080") == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(ListenAddress("localhost:99999") == nil)
    }
}
