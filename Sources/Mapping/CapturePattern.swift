import Foundation
import RelayModel

/// A regex with one capture group; the capture is the value (`CONVERSATION_ID_PATTERN`, `FEEDBACK_PATTERN`).
public struct CapturePattern: @unchecked Sendable, CustomStringConvertible {
    // Regex is immutable once built; it is only read after configuration.
    package let regex: Regex<AnyRegexOutput>
    public let description: String

    public init(_ text: String) throws(SettingProblem) {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(text)
        } catch {
            throw SettingProblem("is not a valid regular expression: \(error)")
        }
        guard Regex<(Substring, Substring)>(regex) != nil || Regex<(Substring, Substring?)>(regex) != nil else {
            throw SettingProblem("must have exactly one capture group, like ^([A-Za-z0-9_-]+):")
        }
        self.regex = regex
        self.description = text
    }

    package func capture(in text: String) -> String? {
        guard let match = try? regex.firstMatch(in: text), match.output.count > 1,
            let captured = match.output[1].substring
        else { return nil }
        return String(captured)
    }
}
