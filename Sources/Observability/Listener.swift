/// The relay's two listeners, as the `listener` label of `feedback_relay_client_connections`.
public enum Listener: String, Sendable, CaseIterable {
    /// `RELAY_LISTEN`: webhooks from senders.
    case hooks
    /// `RELAY_MANAGEMENT_LISTEN`: probes, metrics and the admin API.
    case management
}
