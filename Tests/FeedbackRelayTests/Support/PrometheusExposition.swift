import Foundation

/// A strict reader of the Prometheus text format (0.0.4), for tests: every line must be a `# HELP`, a
/// `# TYPE` or a sample of a declared family, names and labels must be well formed, no series may
/// repeat, and histograms must be cumulative with `+Inf` equal to `_count`.
struct PrometheusExposition {
    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    /// Series (`name{a="x",b="y"}`, labels sorted) to value.
    private(set) var samples: [String: Double] = [:]
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw FormatError(description: "the exposition must end with a newline") }
        var helped = Set<String>()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let fail = { (why: String) in FormatError(description: "line \(number + 1) '\(line)': \(why)") }
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1)
                guard parts.count == 2, Self.isName(parts[0]) else { throw fail("malformed HELP") }
                guard helped.insert(String(parts[0])).inserted else { throw fail("second HELP for the family") }
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, Self.isName(parts[0]), ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1]))
                else {
                    throw fail("malformed TYPE")
                }
                guard types.updateValue(String(parts[1]), forKey: String(parts[0])) == nil else { throw fail("second TYPE for the family") }
            } else if line.hasPrefix("#") || line.isEmpty {
                throw fail("not a sample, HELP or TYPE")
            } else {
                let (name, labels, value) = try Self.sample(line, fail)
                guard let family = family(of: name) else { throw fail("sample before its family's TYPE") }
                if types[family] == "counter", !name.hasSuffix("_total") { throw fail("a counter's name must end in _total") }
                if types[family] == "histogram", labels.contains(where: { $0.0 == "le" }) != name.hasSuffix("_bucket") {
                    throw fail("only _bucket samples carry le")
                }
                let key = Self.key(name, labels)
                guard samples.updateValue(value, forKey: key) == nil else { throw fail("series repeated") }
            }
        }
        try checkHistograms()
    }

    private func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    private func checkHistograms() throws {
        for (family, type) in types where type == "histogram" {
            var buckets: [String: [(Double, Double)]] = [:]
            for (key, value) in samples where key.hasPrefix(family + "_bucket{") {
                let labels = Self.labels(of: key)
                let bound = labels.first { $0.0 == "le" }.map { $0.1 == "+Inf" ? Double.infinity : Double($0.1)! }!
                let rest = Self.key(family + "_count", labels.filter { $0.0 != "le" })
                buckets[rest, default: []].append((bound, value))
            }
            for (countKey, list) in buckets {
                let sorted = list.sorted { $0.0 < $1.0 }
                for (previous, next) in zip(sorted, sorted.dropFirst()) where next.1 < previous.1 {
                    throw FormatError(description: "\(countKey): buckets are not cumulative")
                }
                guard sorted.last?.0 == .infinity, sorted.last?.1 == samples[countKey] else {
                    throw FormatError(description: "\(countKey): the +Inf bucket is missing or differs from _count")
                }
            }
        }
    }

    subscript(_ name: String, _ labels: [(String, String)] = []) -> Double? {
        samples[Self.key(name, labels)]
    }

    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.isEmpty ? name : name + "{" + labels.sorted { $0.0 < $1.0 }.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
    }

    private static func labels(of key: String) -> [(String, String)] {
        guard let open = key.firstIndex(of: "{") else { return [] }
        return key[key.index(after: open)..<key.index(before: key.endIndex)].split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1].dropFirst().dropLast()))
        }
    }

    static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func sample(_ line: Substring, _ fail: (String) -> FormatError) throws -> (String, [(String, String)], Double) {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = rest[..<nameEnd]
        guard isName(name) else { throw fail("bad metric name") }
        rest = rest[nameEnd...]
        var labels: [(String, String)] = []
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "="), isName(rest[..<equals]), rest[rest.index(after: equals)...].first == "\"" else {
                    throw fail("bad label")
                }
                let labelName = String(rest[..<equals])
                rest = rest[rest.index(equals, offsetBy: 2)...]
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first, ["\\", "\"", "n"].contains(escaped) else { throw fail("bad escape in a label value") }
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { throw fail("unterminated label value") }
                rest = rest.dropFirst()
                guard !labels.contains(where: { $0.0 == labelName }) else { throw fail("label \(labelName) twice") }
                labels.append((labelName, value))
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("expected , or }") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("expected a space before the value") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count) else { throw fail("expected a value and at most a timestamp") }
        let text = fields[0]
        let value: Double? = text == "+Inf" ? .infinity : text == "-Inf" ? -.infinity : text == "NaN" ? .nan : Double(text)
        guard let value else { throw fail("bad value") }
        return (String(name), labels, value)
    }
}
