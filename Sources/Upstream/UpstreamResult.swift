/// How a feedback call ended, decided once for both delivery modes: inline answers the sender from it,
/// the queue records it.
public enum UpstreamResult: Sendable, Equatable {
    /// A 2xx answer.
    case delivered(status: Int)
    /// ElevenLabs refused this feedback (a 4xx other than 408, 425 and 429): sending it again cannot help.
    case rejected(status: Int, excerpt: String)
    /// No answer (`status` nil, `detail` says why), or an answer worth another attempt (`detail` is its
    /// excerpt, `retryAfter` its `Retry-After`).
    case failed(status: Int?, detail: String, retryAfter: String?)

    /// The answer's first 2 KB, as logged and kept on a dead delivery.
    package static let excerptBytes = 2048

    /// `key` is the one the call was sent with; it never appears in an excerpt.
    package init(_ outcome: UpstreamOutcome, redacting key: String) {
        switch outcome {
        case .response(let status, _, _) where (200..<300).contains(status):
            self = .delivered(status: status)
        case .response(let status, let body, let retryAfter):
            let excerpt = UpstreamExcerpt.text(body, bytes: Self.excerptBytes, redacting: key)
            self =
                outcome.isRetryable ? .failed(status: status, detail: excerpt, retryAfter: retryAfter) : .rejected(status: status, excerpt: excerpt)
        case .failure(let failure):
            self = .failed(status: nil, detail: failure.description, retryAfter: nil)
        }
    }

    /// The answer's status, nil when there was none.
    public var status: Int? {
        switch self {
        case .delivered(let status), .rejected(let status, _): status
        case .failed(let status, _, _): status
        }
    }
}
