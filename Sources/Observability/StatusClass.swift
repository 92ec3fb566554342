/// How an upstream call ended, as a bounded label: the status class, or `error` when there was no answer.
package enum StatusClass: String, CaseIterable {
    case informational = "1xx"
    case success = "2xx"
    case redirect = "3xx"
    case clientError = "4xx"
    case serverError = "5xx"
    case error

    package var index: Int { Self.indices[self]! }
    private static let indices = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    package init(status: Int?) {
        guard let status, (100..<600).contains(status) else {
            self = .error
            return
        }
        self = [.informational, .success, .redirect, .clientError, .serverError][status / 100 - 1]
    }

}
