/// The release this build is. The release workflow refuses a tag that says otherwise, so an image's
/// tag, `feedback-relay --version` and the `feedback_relay_build_info` metric always agree (README, Releases).
public enum RelayVersion {
    public static let current = "0.9.0"
}
