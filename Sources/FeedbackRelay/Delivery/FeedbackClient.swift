import Foundation

/// One feedback call: `POST {base}/v1/convai/conversations/{id}/feedback` with the stored key.
public struct FeedbackRequest: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var conversationID: String
    public var feedback: Feedback

    public init(baseURL: String, apiKey: String, conversationID: String, feedback: Feedback) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.conversationID = conversationID
        self.feedback = feedback
    }

    /// The conversation id was validated against `[A-Za-z0-9_-]{1,128}`; it is percent-encoded anyway,
    /// so even a bypassed check could not leave its path segment.
    public var url: String {
        baseURL + "/v1/convai/conversations/" + PercentEncoding.encodePathSegment(conversationID) + "/feedback"
    }

    public var body: String {
        #"{"feedback":""# + feedback.rawValue + #""}"#
    }
}

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

/// What of an upstream answer may be logged or kept: its first bytes as text, with the key that was
/// sent replaced by `[redacted]` (an upstream, or a proxy before it, might echo it in an error).
enum UpstreamExcerpt {
    static func text(_ body: [UInt8], bytes: Int, redacting key: String) -> String {
        let text = String(decoding: body.prefix(bytes), as: UTF8.self)
        return key.isEmpty ? text : text.replacingOccurrences(of: key, with: "[redacted]")
    }
}

public struct UpstreamFailure: Sendable, Equatable, CustomStringConvertible {
    public var timedOut: Bool
    public var description: String
}

public protocol FeedbackSending: Sendable {
    func send(_ request: FeedbackRequest) async -> UpstreamOutcome
}
