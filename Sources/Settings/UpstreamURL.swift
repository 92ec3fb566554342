import Foundation
import RelayModel

package enum UpstreamURL {
    /// An `https` origin (and optional path prefix), without a trailing slash.
    package static func validate(_ text: String, allowInsecure: Bool) -> Result<String, SettingProblem> {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.encodedHost, !host.isEmpty,
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
