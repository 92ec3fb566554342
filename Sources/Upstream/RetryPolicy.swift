import Foundation
import RelayModel
import Store

/// What to do after an attempt: done, again later (exponential backoff with full jitter, never
/// before the upstream's `Retry-After`), or dead (refused, or out of time).
public struct RetryPolicy: Sendable {
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// After this long since the event was received, a retryable failure makes it dead.
    public var maxAge: Duration
    /// A number in 0...1, for jitter; tests pin it.
    package let random: @Sendable () -> Double

    public init(
        baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(600),
        maxAge: Duration,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAge = maxAge
        self.random = random
    }

    public func decide(_ result: UpstreamResult, attempts: Int, receivedAt: Date, now: Date) -> AttemptResult {
        let status: Int?
        let error: String
        var retryAfter: String?
        switch result {
        case .delivered(let code):
            return .delivered(status: code)
        case .rejected(let code, let excerpt):
            return .dead(status: code, error: excerpt)
        case .failed(let code, let detail, let answeredRetryAfter):
            (status, error, retryAfter) = (code, detail, answeredRetryAfter)
        }
        let exponent = min(max(attempts - 1, 0), 30)
        let ceiling = min(maxDelay.seconds, baseDelay.seconds * pow(2, Double(exponent)))
        var delay = ceiling * random()
        if let retryAfter, let wait = Self.retryAfterSeconds(retryAfter, now: now) {
            delay = max(delay, wait)
        }
        let next = now.addingTimeInterval(delay)
        if next.timeIntervalSince(receivedAt) > maxAge.seconds {
            return .dead(status: status, error: "gave up after \(attempts) attempt(s) over \(Int(now.timeIntervalSince(receivedAt))) s: \(error)")
        }
        return .retry(at: next, status: status, error: error)
    }

    /// `Retry-After` as seconds or an HTTP date, or `retry-after-ms` (given as `ms:<n>` by the client).
    package static func retryAfterSeconds(_ value: String, now: Date) -> Double? {
        if value.hasPrefix("ms:") { return Double(value.dropFirst(3)).map { max(0, $0 / 1000) } }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
