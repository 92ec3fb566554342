/// The proxy for calls to ElevenLabs, from the environment as curl reads it: `https_proxy` or
/// `HTTPS_PROXY` (for an `http://` base URL, `http_proxy`, lowercase only, as curl has it), else
/// `all_proxy` or `ALL_PROXY`; hosts in `no_proxy` or `NO_PROXY` go direct. An empty value counts as
/// unset. Read once at start and handed to libcurl with each call: libcurl would otherwise read these
/// five variables anew for every call, each a scan of the whole environment (in a Kubernetes pod, a
/// few variables for every service in the namespace).
public struct UpstreamProxy: Sendable, Equatable {
    /// The proxy URL for `https://` calls; empty for none.
    public let https: String
    /// The proxy URL for `http://` calls (tests, a local proxy); empty for none.
    public let http: String
    /// The hosts that go direct, as curl takes them (comma-separated; `*` for all); empty for none.
    public let noProxy: String

    public static let none = UpstreamProxy(environment: [:])

    public init(environment: [String: String]) {
        func first(_ names: String...) -> String {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
        }
        https = first("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")
        http = first("http_proxy", "all_proxy", "ALL_PROXY")
        noProxy = first("no_proxy", "NO_PROXY")
    }

    /// The proxy for a call to `url`.
    func proxy(for url: String) -> String {
        url.hasPrefix("https:") ? https : http
    }
}
