/// The rating ElevenLabs' feedback API takes.
public enum Feedback: String, Sendable, Codable {
    case like, dislike
}
