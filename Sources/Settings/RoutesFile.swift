import Foundation
import RelayModel
import Yams

/// `RELAY_ROUTES_FILE`: YAML or JSON (JSON is YAML), with the route keys in lower case:
///
///     routes:
///       zendesk-csat:
///         preset: zendesk
///         secret_file: /run/secrets/zendesk
///         feedback: /ticket/satisfaction
package enum RoutesFile {
    package static func load(path: String, text: String, problems: ProblemLog, readFile: (String) throws -> String) -> [RouteSettings] {
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
                let source = "\(variable) (\(path): routes.\(name).\(rawKey))"
                var keyName = rawKey.uppercased()
                let fromFile = keyName.hasSuffix("_FILE") && RouteKey(rawValue: String(keyName.dropLast(5)))?.isSecret == true
                if fromFile { keyName.removeLast(5) }
                guard let key = RouteKey(rawValue: keyName) else {
                    problems.report(source, "unknown setting; known: \(RouteKey.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))")
                    continue
                }
                guard let text = scalarText(rawValue) else {
                    problems.report(source, "must be a string, a number, a boolean or a list of them")
                    continue
                }
                if fromFile {
                    guard let secret = SecretFile.read(text, for: source, readFile: readFile, problems: problems) else { continue }
                    settings.values[key] = .init(text: secret, source: source)
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
