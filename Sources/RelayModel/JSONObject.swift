/// A JSON object's members in the order the document gives them. A webhook's objects are small and
/// a mapping reads a few members of each: a scan of the members costs less than hashing every name
/// into a dictionary while parsing, which the relay did on every request.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(name: String, value: JSONValue)]

    public init(members: [(name: String, value: JSONValue)]) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The member's value; for a name given twice, the last, as JavaScript and most parsers read it.
    public subscript(name: String) -> JSONValue? {
        members.last { $0.name == name }?.value
    }

    /// Objects are equal when each name reads the same value, whatever the order.
    public static func == (left: JSONObject, right: JSONObject) -> Bool {
        left.byName == right.byName
    }

    private var byName: [String: JSONValue] {
        Dictionary(members.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
