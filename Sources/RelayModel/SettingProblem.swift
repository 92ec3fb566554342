/// A setting's value is unusable. The reader that knows which variable it came from reports it under that name.
public struct SettingProblem: Error, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}
