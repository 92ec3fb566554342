/// `RELAY_DELIVERY`: forward before answering (`inline`), or commit and answer 202 (`queue`).
public enum DeliveryMode: String, Sendable, CaseIterable {
    case inline, queue
}
