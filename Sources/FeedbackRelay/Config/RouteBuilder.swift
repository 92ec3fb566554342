import Foundation

/// One configured webhook endpoint, ready to serve.
public struct Route: Sendable {
    public let name: String
    public let preset: String
    public let verifier: any Verifier
    public let handshake: (any Handshake)?
    public let mapping: Mapping
    /// The key this route's feedback is sent with (its own, or the global one).
    let apiKey: String
    public let hasOwnAPIKey: Bool
    public let baseURL: String
}

/// Reads one route's settings into a `Route`, reporting every problem under the variable that set it.
final class RouteBuilder {
    let settings: RouteSettings
    let problems: ProblemLog
    let publicURL: String?
    private var preset: Preset?

    init(settings: RouteSettings, problems: ProblemLog, publicURL: String?) {
        self.settings = settings
        self.problems = problems
        self.publicURL = publicURL
    }

    func fail(_ key: String, _ message: String) {
        problems.report(settings.variable(key), message)
    }

    func string(_ key: String) -> String? {
        guard let text = settings[key] else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func required(_ key: String) -> String? {
        guard let text = string(key) else {
            fail(key, "is required for PRESET=\(preset?.name ?? "?")")
            return nil
        }
        return text
    }

    func flag(_ key: String) -> Bool? {
        string(key).flatMap { reported(SettingText.flag($0), key) }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default value: T) -> T? where T.RawValue == String {
        guard let text = string(key) else { return value }
        return reported(SettingText.choice(text), key)
    }

    private func reported<T>(_ result: Result<T, ConfigError.Problem>, _ key: String) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let problem):
            fail(key, problem.message)
            return nil
        }
    }

    func selector(_ key: String, _ text: String) -> Selector? {
        guard let selector = Selector(text) else {
            fail(key, "'\(text)' is not a selector: use \(Selector.syntax)")
            return nil
        }
        return selector
    }

    /// `SECRET`, comma-separated for rotation, each decoded.
    func secrets(encoding: SecretEncoding) -> [[UInt8]]? {
        guard let text = settings["SECRET"] else {
            fail("SECRET", "is required for PRESET=\(preset?.name ?? "?") (or \(settings.variablePrefix)SECRET_FILE)")
            return nil
        }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else {
            fail("SECRET", "is empty")
            return nil
        }
        var decoded: [[UInt8]] = []
        for (index, item) in items.enumerated() {
            guard let bytes = encoding.decode(item), !bytes.isEmpty else {
                fail("SECRET", "secret #\(index + 1) is not valid \(encoding.rawValue)")
                return nil
            }
            decoded.append(bytes)
        }
        return decoded
    }

    /// `RELAY_PUBLIC_URL`, which presets that sign the URL cannot do without.
    func publicOrigin() -> PublicOrigin? {
        guard let publicURL else {
            problems.report(
                "RELAY_PUBLIC_URL",
                "is required by route \(settings.name): PRESET=\(preset?.name ?? "?") signs the URL the sender used (e.g. https://relay.example.com)"
            )
            return nil
        }
        return PublicOrigin(publicURL)
    }

    /// `TOLERANCE` in seconds, else the preset's.
    var tolerance: Int? {
        guard let text = string("TOLERANCE") else { return preset?.defaults.tolerance }
        guard let seconds = Int(text), seconds > 0 else {
            fail("TOLERANCE", "'\(text)' is not a whole number of seconds above 0")
            return preset?.defaults.tolerance
        }
        return seconds
    }

    private func pattern(_ key: String, _ fallback: String?) -> CapturePattern? {
        guard let text = string(key) ?? fallback else { return nil }
        do {
            return try CapturePattern(text)
        } catch {
            fail(key, error.message)
            return nil
        }
    }

    private func rule(_ key: String, _ fallback: String) -> ValueRule? {
        let text = string(key) ?? fallback
        do {
            return try ValueRule(text)
        } catch {
            fail(key, "'\(text)' \(error.message)")
            return nil
        }
    }

    private func optionalSelector(_ key: String, _ fallback: String?) -> Selector? {
        guard let text = string(key) ?? fallback else { return nil }
        return selector(key, text)
    }

    func build(globalAPIKey: String?, apiKeyReported: Bool, globalBaseURL: String, allowInsecure: Bool) -> Route? {
        let before = problems.issues.count
        guard let presetName = string("PRESET") else {
            fail("PRESET", "is required: one of \(Preset.all.map(\.name).joined(separator: ", "))")
            return nil
        }
        guard let preset = Preset.named(presetName.lowercased()) else {
            fail("PRESET", "unknown preset '\(presetName)'; known: \(Preset.all.map(\.name).joined(separator: ", "))")
            return nil
        }
        self.preset = preset
        let knobs = Set(Preset.genericHMAC.extraKeys).union(Preset.token.extraKeys)
        for key in settings.values.keys where knobs.contains(key) && !preset.extraKeys.contains(key) {
            fail(key, "does not apply to PRESET=\(preset.name)")
        }
        if settings["ALLOW_UNSIGNED"] != nil, preset.name != "none" {
            fail("ALLOW_UNSIGNED", "only applies to PRESET=none")
        }

        let verifier = preset.makeVerifier(self)
        let defaults = preset.defaults
        let conversationText = string("CONVERSATION_ID") ?? defaults.conversationID
        let feedbackText = string("FEEDBACK") ?? defaults.feedback
        if conversationText == nil { fail("CONVERSATION_ID", "is required: PRESET=\(preset.name) has no default; use \(Selector.syntax)") }
        if feedbackText == nil { fail("FEEDBACK", "is required: PRESET=\(preset.name) has no default; use \(Selector.syntax)") }
        let conversation = conversationText.flatMap { selector("CONVERSATION_ID", $0) }
        let feedback = feedbackText.flatMap { selector("FEEDBACK", $0) }
        let like = rule("LIKE", defaults.like ?? "like")
        let dislike = rule("DISLIKE", defaults.dislike ?? "dislike")
        if let like, let dislike, !like.words.isDisjoint(with: dislike.words) {
            fail("DISLIKE", "shares \(like.words.intersection(dislike.words).sorted().joined(separator: ", ")) with LIKE")
        }
        var match: MatchRule?
        if let text = string("MATCH") ?? defaults.match {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, let selector = selector("MATCH", parts[0]) {
                do {
                    match = MatchRule(selector: selector, values: try ValueRule(parts[1]))
                } catch {
                    fail("MATCH", "value \(error.message)")
                }
            } else if parts.count != 2 {
                fail("MATCH", "'\(text)' is not selector=value[,value]")
            }
        }
        let mapping = Mapping(
            conversationID: conversation ?? .header("-"),
            conversationIDPattern: pattern("CONVERSATION_ID_PATTERN", defaults.conversationIDPattern),
            feedback: feedback ?? .header("-"),
            feedbackPattern: pattern("FEEDBACK_PATTERN", defaults.feedbackPattern),
            like: like ?? (try! ValueRule("like")),
            dislike: dislike ?? (try! ValueRule("dislike")),
            match: match,
            eventID: optionalSelector("EVENT_ID", defaults.eventID),
            eventTime: optionalSelector("EVENT_TIME", defaults.eventTime)
        )

        let ownKey = string("API_KEY")
        if ownKey == nil, globalAPIKey == nil, !apiKeyReported {
            fail("API_KEY", "no API key: set ELEVENLABS_API_KEY (or ELEVENLABS_API_KEY_FILE) or this route's API_KEY")
        }
        var baseURL = globalBaseURL
        if let text = string("BASE_URL") {
            switch UpstreamURL.validate(text, allowInsecure: allowInsecure) {
            case .success(let url): baseURL = url
            case .failure(let problem): fail("BASE_URL", problem.message)
            }
        }
        guard problems.issues.count == before, let verifier else { return nil }
        return Route(
            name: settings.name,
            preset: preset.name,
            verifier: verifier,
            handshake: preset.handshake,
            mapping: mapping,
            apiKey: ownKey ?? globalAPIKey ?? "",
            hasOwnAPIKey: ownKey != nil,
            baseURL: baseURL
        )
    }
}

enum UpstreamURL {
    /// An `https` origin (and optional path prefix), without a trailing slash.
    static func validate(_ text: String, allowInsecure: Bool) -> Result<String, ConfigError.Problem> {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty,
            parsed.query == nil, parsed.fragment == nil, parsed.user == nil
        else {
            return .failure(.init("'\(text)' is not a URL like https://api.elevenlabs.io"))
        }
        if scheme == "http" && !allowInsecure {
            return .failure(.init("'\(text)' is not https; the API key would travel in clear (RELAY_ALLOW_INSECURE_UPSTREAM=true allows it)"))
        }
        guard scheme == "https" || scheme == "http" else { return .failure(.init("'\(text)' must be an https URL")) }
        return .success(url)
    }
}
