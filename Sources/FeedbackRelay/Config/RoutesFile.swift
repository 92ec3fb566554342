import Foundation
import Yams

/// `RELAY_ROUTES_FILE`: YAML or JSON (JSON is YAML), with the route keys in lower case:
///
///     routes:
///       zendesk-csat:
///         preset: zendesk
///         secret_file: /run/secrets/zendesk
///         feedback: /ticket/satisfaction
enum RoutesFile {
    static func load(path: String, text: String, problems: ProblemLog, readFile: (String) throws -> String) -> [RouteSettings] {
        let variable = "RELAY_ROUTES_FILE"
        let document: Any?
        do {
            // Yams' untyped load stops the process on a key that is not text (`? [a]: b`); refuse it first.
            if let tree = try Yams.compose(yaml: text), hasKeyThatIsNotText(tree) {
                problems.report(variable, "\(path): every key must be plain text")
                return []
            }
            document = try Yams.load(yaml: text)
        } catch {
            problems.report(variable, "\(path) is not valid YAML or JSON: \(error)")
            return []
        }
        guard let top = document as? [String: Any], let routes = top["routes"] else {
            problems.report(variable, "\(path) must have a top-level 'routes:' mapping of route name to settings")
            return []
        }
        guard let table = routes as? [String: Any] else {
            problems.report(variable, "\(path): 'routes' must map each route name to its settings")
            return []
        }
        var result: [RouteSettings] = []
        for (name, body) in table.sorted(by: { $0.key < $1.key }) {
            let place = "\(variable) (\(path): routes.\(name))"
            guard RouteName.isValid(name) else {
                problems.report(place, "route names are 1 to 64 of a-z A-Z 0-9 - _")
                continue
            }
            guard let entries = body as? [String: Any] else {
                problems.report(place, "must be a mapping of settings")
                continue
            }
            var settings = RouteSettings(name: name)
            for (rawKey, rawValue) in entries {
                var key = rawKey.uppercased()
                let source = "\(variable) (\(path): routes.\(name).\(rawKey))"
                var fromFile = false
                if key.hasSuffix("_FILE"), RouteSettings.secretKeys.contains(String(key.dropLast(5))) {
                    key = String(key.dropLast(5))
                    fromFile = true
                }
                guard RouteSettings.keys.contains(key) else {
                    problems.report(source, "unknown setting; known: \(RouteSettings.keys.map { $0.lowercased() }.joined(separator: ", "))")
                    continue
                }
                guard let text = scalarText(rawValue) else {
                    problems.report(source, "must be a string, a number, a boolean or a list of them")
                    continue
                }
                if fromFile {
                    do {
                        settings.values[key] = .init(text: SecretFile.trim(try readFile(text)), source: source)
                    } catch {
                        problems.report(source, "cannot read \(text): \(error)")
                    }
                } else {
                    settings.values[key] = .init(text: text, source: source)
                }
            }
            result.append(settings)
        }
        return result
    }

    private static func hasKeyThatIsNotText(_ node: Node) -> Bool {
        if let mapping = node.mapping {
            return mapping.contains { key, value in key.scalar == nil || hasKeyThatIsNotText(value) }
        }
        if let sequence = node.sequence { return sequence.contains(where: hasKeyThatIsNotText) }
        return false
    }

    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        case let list as [Any]:
            let items = list.compactMap(scalarText)
            return items.count == list.count ? items.joined(separator: ",") : nil
        default: return nil
        }
    }
}

enum RouteName {
    static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }
}

enum SecretFile {
    /// A secret file usually ends with a newline that is not part of the secret.
    static func trim(_ text: String) -> String {
        var text = text
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        return text
    }
}
