import Foundation
import RelayModel

/// The steps of one mapping, as `test-route` prints them.
public final class MappingTrace {
    public private(set) var steps: [(step: String, detail: String)] = []

    public init() {}

    package func note(_ step: String, _ detail: String) {
        steps.append((step, detail))
    }

    package static func show(_ value: String?) -> String {
        value.map { "'\($0.prefix(200))'" } ?? "missing"
    }
}
