import RelayModel

/// Parsing shared by global variables and route settings; the caller reports a failure under the
/// variable it read.
package enum SettingText {
    package static func flag(_ text: String) -> Result<Bool, SettingProblem> {
        switch text.lowercased() {
        case "true", "1", "yes": .success(true)
        case "false", "0", "no": .success(false)
        default: .failure(.init("'\(text)' is not true or false"))
        }
    }

    package static func choice<T: RawRepresentable & CaseIterable>(_ text: String, as type: T.Type = T.self) -> Result<T, SettingProblem>
    where T.RawValue == String {
        guard let parsed = T(rawValue: text.lowercased()) else {
            return .failure(.init("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return .success(parsed)
    }
}
