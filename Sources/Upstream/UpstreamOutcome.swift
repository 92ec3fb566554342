/// What the feedback API answered, or why there was no answer.
public enum UpstreamOutcome: Sendable, Equatable {
    /// An HTTP answer. `body` holds at most the first 2 KB.
    case response(status: Int, body: [UInt8], retryAfter: String?)
    /// No answer: connection, TLS or DNS failure, or the per-attempt timeout.
    case failure(UpstreamFailure)

    public var isSuccess: Bool {
        if case .response(let status, _, _) = self { return (200..<300).contains(status) }
        return false
    }

    /// Worth another attempt: network errors, timeouts, 408, 425, 429 and 5xx.
    public var isRetryable: Bool {
        switch self {
        case .failure: true
        case .response(let status, _, _):
            switch status {
            case 200..<300: false
            case 408, 425, 429: true
            case 400..<500: false
            // 1xx/3xx mean a misconfigured base URL or a proxy in the way, not a refusal of this feedback.
            default: true
            }
        }
    }
}
