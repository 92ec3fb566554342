import Foundation
import Mapping
import RelayModel
import Verification

/// Reads one route's settings into a `Route`, reporting every problem under the variable that set it.
package final class RouteBuilder: VerifierSettings {
    package let settings: RouteSettings
    package let problems: ProblemLog
    package let publicURL: String?
    private var preset: Preset?

    package init(settings: RouteSettings, problems: ProblemLog, publicURL: String?) {
        self.settings = settings
        self.problems = problems
        self.publicURL = publicURL
    }

    package func fail(_ key: RouteKey, _ message: String) {
        problems.report(settings.variable(key), message)
    }

    package func string(_ key: RouteKey) -> String? {
        guard let text = settings[key] else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    package func required(_ key: RouteKey) -> String? {
        guard let text = string(key) else {
            fail(key, "is required for PRESET=\(preset?.name ?? "?")")
            return nil
        }
        return text
    }

    package func flag(_ key: RouteKey) -> Bool? {
        string(key).flatMap { reported(SettingText.flag($0), key) }
    }

    package func choice<T: RawRepresentable & CaseIterable>(_ key: RouteKey, default value: T) -> T? where T.RawValue == String {
        guard let text = string(key) else { return value }
        return reported(SettingText.choice(text), key)
    }

    private func reported<T>(_ result: Result<T, SettingProblem>, _ key: RouteKey) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let problem):
            fail(key, problem.message)
            return nil
        }
    }

    package func selector(_ key: RouteKey, _ text: String) -> Selector? {
        guard let selector = Selector(text) else {
            fail(key, "'\(text)' is not a selector: use \(Selector.syntax)")
            return nil
        }
        return selector
    }

    /// `SECRET`, comma-separated for rotation, each decoded.
    package func secrets(encoding: SecretEncoding) -> [[UInt8]]? {
        guard let text = settings[.secret] else {
            fail(.secret, "is required for PRESET=\(preset?.name ?? "?") (or \(settings.variablePrefix)SECRET_FILE)")
            return nil
        }
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else {
            fail(.secret, "is empty")
            return nil
        }
        var decoded: [[UInt8]] = []
        for (index, item) in items.enumerated() {
            guard let bytes = encoding.decode(item), !bytes.isEmpty else {
                fail(.secret, "secret #\(index + 1) is not valid \(encoding.rawValue)")
                return nil
            }
            decoded.append(bytes)
        }
        return decoded
    }

    /// `RELAY_PUBLIC_URL`, which presets that sign the URL cannot do without.
    package func publicOrigin() -> PublicOrigin? {
        guard let publicURL else {
            problems.report(
                .publicURL,
                "is required by route \(settings.name): PRESET=\(preset?.name ?? "?") signs the URL the sender used (e.g. https://relay.example.com)"
            )
            return nil
        }
        return PublicOrigin(publicURL)
    }

    /// `TOLERANCE` in seconds, else the preset's.
    package var tolerance: Int? {
        guard let text = string(.tolerance) else { return preset?.defaults.tolerance }
        guard let seconds = Int(text), seconds > 0 else {
            fail(.tolerance, "'\(text)' is not a whole number of seconds above 0")
            return preset?.defaults.tolerance
        }
        return seconds
    }

    private func pattern(_ key: RouteKey, _ fallback: String?) -> CapturePattern? {
        guard let text = string(key) ?? fallback else { return nil }
        do {
            return try CapturePattern(text)
        } catch {
            fail(key, error.message)
            return nil
        }
    }

    private func rule(_ key: RouteKey, _ fallback: String) -> ValueRule? {
        let text = string(key) ?? fallback
        do {
            return try ValueRule(text)
        } catch {
            fail(key, "'\(text)' \(error.message)")
            return nil
        }
    }

    private func optionalSelector(_ key: RouteKey, _ fallback: String?) -> Selector? {
        guard let text = string(key) ?? fallback else { return nil }
        return selector(key, text)
    }

    package func build(globalAPIKey: String?, apiKeyReported: Bool, globalBaseURL: String, allowInsecure: Bool) -> Route? {
        let before = problems.issues.count
        guard let presetName = string(.preset) else {
            fail(.preset, "is required: one of \(Preset.all.map(\.name).joined(separator: ", "))")
            return nil
        }
        guard let preset = Preset.named(presetName.lowercased()) else {
            fail(.preset, "unknown preset '\(presetName)'; known: \(Preset.all.map(\.name).joined(separator: ", "))")
            return nil
        }
        self.preset = preset
        let knobs = Set(Preset.genericHMAC.extraKeys).union(Preset.token.extraKeys)
        for key in settings.values.keys where knobs.contains(key) && !preset.extraKeys.contains(key) {
            fail(key, "does not apply to PRESET=\(preset.name)")
        }
        if settings[.allowUnsigned] != nil, preset.name != "none" {
            fail(.allowUnsigned, "only applies to PRESET=none")
        }

        let verifier = preset.makeVerifier(self)
        let defaults = preset.defaults
        let conversationText = string(.conversationID) ?? defaults.conversationID
        let feedbackText = string(.feedback) ?? defaults.feedback
        if conversationText == nil { fail(.conversationID, "is required: PRESET=\(preset.name) has no default; use \(Selector.syntax)") }
        if feedbackText == nil { fail(.feedback, "is required: PRESET=\(preset.name) has no default; use \(Selector.syntax)") }
        let conversation = conversationText.flatMap { selector(.conversationID, $0) }
        let feedback = feedbackText.flatMap { selector(.feedback, $0) }
        let like = rule(.like, defaults.like ?? "like")
        let dislike = rule(.dislike, defaults.dislike ?? "dislike")
        if let like, let dislike, !like.words.isDisjoint(with: dislike.words) {
            fail(.dislike, "shares \(like.words.intersection(dislike.words).sorted().joined(separator: ", ")) with LIKE")
        }
        var match: MatchRule?
        if let text = string(.match) ?? defaults.match {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, let selector = selector(.match, parts[0]) {
                do {
                    match = MatchRule(selector: selector, values: try ValueRule(parts[1]))
                } catch {
                    fail(.match, "value \(error.message)")
                }
            } else if parts.count != 2 {
                fail(.match, "'\(text)' is not selector=value[,value]")
            }
        }
        let mapping = Mapping(
            conversationID: conversation ?? .header("-"),
            conversationIDPattern: pattern(.conversationIDPattern, defaults.conversationIDPattern),
            feedback: feedback ?? .header("-"),
            feedbackPattern: pattern(.feedbackPattern, defaults.feedbackPattern),
            like: like ?? (try! ValueRule("like")),
            dislike: dislike ?? (try! ValueRule("dislike")),
            match: match,
            eventID: optionalSelector(.eventID, defaults.eventID),
            eventTime: optionalSelector(.eventTime, defaults.eventTime)
        )

        let ownKey = string(.apiKey)
        if ownKey == nil, globalAPIKey == nil, !apiKeyReported {
            fail(.apiKey, "no API key: set ELEVENLABS_API_KEY (or ELEVENLABS_API_KEY_FILE) or this route's API_KEY")
        }
        var baseURL = globalBaseURL
        if let text = string(.baseURL) {
            switch UpstreamURL.validate(text, allowInsecure: allowInsecure) {
            case .success(let url): baseURL = url
            case .failure(let problem): fail(.baseURL, problem.message)
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
