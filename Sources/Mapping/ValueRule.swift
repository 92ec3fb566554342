import Foundation
import RelayModel

/// `LIKE`/`DISLIKE`/`MATCH` values: comma-separated words (case-insensitive) or numeric comparisons
/// (`>=4`, `<=2`, `>3`, `<3`, `=5`), also applied to numeric strings such as `"5"`.
public struct ValueRule: Sendable, CustomStringConvertible {
    package enum Comparison: String, Sendable, CaseIterable {
        case greaterOrEqual = ">="
        case lessOrEqual = "<="
        case greater = ">"
        case less = "<"
        case equal = "="

        func holds(_ value: Double, _ bound: Double) -> Bool {
            switch self {
            case .greaterOrEqual: value >= bound
            case .lessOrEqual: value <= bound
            case .greater: value > bound
            case .less: value < bound
            case .equal: value == bound
            }
        }
    }

    package let words: Set<String>
    package let comparisons: [(Comparison, Double)]
    public let description: String

    /// Throws a message naming the offending item.
    public init(_ text: String) throws(SettingProblem) {
        var words = Set<String>()
        var comparisons: [(Comparison, Double)] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            if let comparison = Comparison.allCases.first(where: { item.hasPrefix($0.rawValue) }) {
                let number = item.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
                guard let bound = Double(number), bound.isFinite else {
                    throw SettingProblem("'\(item)' is not a comparison with a number, like >=4")
                }
                comparisons.append((comparison, bound))
            } else {
                words.insert(item.lowercased())
            }
        }
        guard !words.isEmpty || !comparisons.isEmpty else { throw SettingProblem("is empty") }
        self.words = words
        self.comparisons = comparisons
        self.description = text
    }

    package func matches(_ value: String) -> Bool {
        if !words.isEmpty, words.contains(value.lowercased()) { return true }
        if comparisons.isEmpty { return false }
        guard let number = Double(value.trimmedASCII), number.isFinite else { return false }
        return comparisons.contains { $0.0.holds(number, $0.1) }
    }
}
