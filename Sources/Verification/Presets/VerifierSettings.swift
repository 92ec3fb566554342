import RelayModel

/// A route's settings as a preset reads them to build its verifier. Each reader reports a bad value under
/// the variable (or routes-file key) that set it and answers nil, so one start lists every problem.
package protocol VerifierSettings: AnyObject {
    /// The trimmed value, nil when unset or blank.
    func string(_ key: RouteKey) -> String?
    /// As `string`, reporting the key as required when it is unset.
    func required(_ key: RouteKey) -> String?
    func flag(_ key: RouteKey) -> Bool?
    func choice<T: RawRepresentable & CaseIterable>(_ key: RouteKey, default value: T) -> T? where T.RawValue == String
    func selector(_ key: RouteKey, _ text: String) -> Selector?
    /// `SECRET`, comma-separated for rotation, each decoded.
    func secrets(encoding: SecretEncoding) -> [[UInt8]]?
    /// `RELAY_PUBLIC_URL`, for presets that sign the URL.
    var publicURL: String? { get }
    func publicOrigin() -> PublicOrigin?
    /// `TOLERANCE` in seconds, else the preset's.
    var tolerance: Int? { get }
    func fail(_ key: RouteKey, _ message: String)
}
