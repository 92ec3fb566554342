import Foundation

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

/// libFuzzer entry points over the relay's parsers; `FUZZ_TARGET` picks one (see README, Reliability).
/// Each must never crash, hang or leak, whatever the bytes: the relay's answer to bad input is an error.
enum FuzzTarget: String, CaseIterable {
    /// The JSON parser, on any bytes.
    case json
    /// A selector's text, then that selector over a JSON body, a form body and a query built from the input.
    case selector
    /// Form bodies (`a=b&c=d`, percent-decoding).
    case form
    /// Every preset's verifier and mapping on a request read from the input (`Name: value` lines, a blank
    /// line, the body): every signature-header parser the presets have.
    case verify
    /// The configuration reader on `NAME=value` lines.
    case config

    func run(_ bytes: [UInt8]) {
        switch self {
        case .json:
            _ = try? JSONParser.parse(bytes)
        case .selector:
            let text = String(decoding: bytes, as: UTF8.self)
            let (head, rest) = Self.split(text, at: "\n")
            guard let selector = Selector(head) else { return }
            for contentType in ["application/json", "application/x-www-form-urlencoded"] {
                let request = SignedRequest(
                    method: "POST",
                    target: "/hooks/fuzz?" + rest.prefix(256),
                    headers: [("Content-Type", contentType), ("X-Fuzz", String(rest.prefix(64)))],
                    body: Array(rest.utf8)
                )
                _ = try? RequestPayload(request).text(selector)
            }
        case .form:
            _ = FormFields(parsing: Substring(String(decoding: bytes, as: UTF8.self)))
        case .verify:
            let text = String(decoding: bytes, as: UTF8.self)
            let (head, body) = Self.split(text, at: "\n\n")
            var headers: [(name: String, value: String)] = []
            for line in head.split(separator: "\n") {
                let (name, value) = Self.split(String(line), at: ": ")
                headers.append((name, value))
            }
            for route in Self.routes {
                let request = SignedRequest(method: "POST", target: "/hooks/\(route.name)", headers: headers, body: Array(body.utf8))
                _ = route.verifier.verify(request, now: Self.now)
                _ = route.handshake?.answer(request)
                _ = try? route.mapping.map(RequestPayload(request), route: route.name)
            }
        case .config:
            var environment: [String: String] = [:]
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let (name, value) = Self.split(String(line), at: "=")
                environment[name] = value
            }
            _ = try? RelayConfig.load(environment: environment) { path in
                guard path == "routes.yaml" else { throw CocoaError(.fileNoSuchFile) }
                return environment["ROUTES_YAML"]?.replacingOccurrences(of: "\\n", with: "\n") ?? ""
            }
        }
    }

    static func split(_ text: String, at separator: String) -> (String, String) {
        guard let range = text.range(of: separator) else { return (text, "") }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    static let now = Date(timeIntervalSince1970: 1_768_388_714)

    /// One route per preset, each with a secret, and the fallbacks its preset needs.
    static let routes: [Route] = {
        var environment = [
            "ELEVENLABS_API_KEY": "sk_fuzz", "RELAY_PUBLIC_URL": "https://relay.example.com",
        ]
        for preset in Preset.all.map(\.name) where preset != "none" {
            let key = "RELAY_ROUTE_" + preset.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
            environment[key + "PRESET"] = preset
            environment[key + "SECRET"] = preset == "basic" ? "fuzz:secret" : "fuzz-secret,c2VjcmV0"
            environment[key + "CONVERSATION_ID"] = "/data/conversation_id|form:conversation_id|header:X-Conversation"
            environment[key + "FEEDBACK"] = "/rating|form:rating"
            environment[key + "LIKE"] = ">=4,good"
            environment[key + "DISLIKE"] = "<=2,bad"
            if preset == "token" { environment[key + "TOKEN_HEADER"] = "X-Token" }
            if preset == "hmac" { environment[key + "SIGNATURE_HEADER"] = "X-Signature" }
        }
        do {
            return try RelayConfig.load(environment: environment).routes
        } catch {
            fatalError("the fuzz routes do not configure: \(error)")
        }
    }()
}

/// libFuzzer's entry point, for its own `main` where that is the one linked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzedTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

/// The target `FUZZ_TARGET` names.
let fuzzedTarget: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        fatalError("set FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()
