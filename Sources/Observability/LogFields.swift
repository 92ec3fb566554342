import Logging
import RelayModel

/// A log line's own fields, in the order given, for lines written per request and per attempt. Passed
/// as one metadata value (`LogFields.key`), the JSON handler writes them as top-level members: one
/// array instead of a dictionary of ten, nothing to hash or sort, numbers as numbers.
public struct LogFields: CustomStringConvertible, Sendable {
    public enum Value: Sendable {
        case string(String)
        case integer(Int64)
        case number(Double)
    }

    /// The metadata key the fields travel under.
    public static let key = "fields"

    /// Names are literals: the JSON handler writes them without looking for characters to escape.
    private(set) var items: [(name: StaticString, value: Value)] = []

    package init() {
        items.reserveCapacity(12)
    }

    package mutating func add(_ name: StaticString, _ text: String?) {
        if let text { items.append((name, .string(text))) }
    }

    // Int and Int64 apart: a generic `BinaryInteger` parameter cost a conversion through the protocol per field.
    package mutating func add(_ name: StaticString, _ integer: Int?) {
        if let integer { items.append((name, .integer(Int64(integer)))) }
    }

    package mutating func add(_ name: StaticString, _ integer: Int64?) {
        if let integer { items.append((name, .integer(integer))) }
    }

    package mutating func add(_ name: StaticString, _ number: Double?) {
        if let number { items.append((name, .number(number))) }
    }

    package var metadata: Logger.Metadata { [Self.key: .stringConvertible(self)] }

    /// `,"name":value` for each field.
    package func appendJSON(to line: inout JSONLine) {
        for (name, value) in items {
            line.member(literal: name)
            switch value {
            case .string(let text): line.quoted(text)
            case .integer(let integer): line.integer(integer)
            case .number(let number): line.number(number)
            }
        }
    }

    /// `name=value ...`, for the text format.
    public var description: String {
        items.map { name, value in
            switch value {
            case .string(let text): "\(name)=\(text)"
            case .integer(let integer): "\(name)=\(integer)"
            case .number(let number): "\(name)=\(number)"
            }
        }.joined(separator: " ")
    }
}
