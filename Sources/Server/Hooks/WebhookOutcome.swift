import HTTPTypes
import Mapping
import RelayModel
import Store
import Upstream
import Verification

/// Everything one webhook request can end in. The answer, the metric label and the log reason all come
/// from this one value, so they cannot disagree.
enum WebhookOutcome: Sendable {
    case unknownRoute(path: String)
    case methodNotAllowed(method: String)
    case draining
    /// Over `RELAY_MAX_BODY_BYTES`, by its `Content-Length` or while it was read.
    case tooLarge(String)
    /// The connection failed while the body was read.
    case unreadableBody(String)
    /// Verified, but the body is not what the route's selectors read.
    case badBody(PayloadError)
    case refused(Refusal)
    case handshake(HandshakeAnswer)
    case ignored(String)
    case unprocessable(String)
    /// Queue mode: committed.
    case accepted(id: Int64)
    case duplicate(id: Int64)
    case storeFailed(StoreError)
    /// Inline mode: what the feedback API answered.
    case upstream(UpstreamResult)

    var label: RequestOutcome {
        switch self {
        case .unknownRoute: .unknownRoute
        case .methodNotAllowed: .methodNotAllowed
        case .draining, .storeFailed: .unavailable
        case .tooLarge: .tooLarge
        case .unreadableBody, .badBody: .badBody
        case .refused(let refusal): refusal.outcome
        case .handshake: .handshake
        case .ignored: .ignored
        case .unprocessable: .badConversationID
        case .accepted: .accepted
        case .duplicate: .duplicate
        case .upstream(.delivered): .forwarded
        case .upstream(.rejected): .upstreamRejected
        case .upstream(.failed): .upstreamFailed
        }
    }

    /// Why it was refused, ignored or failed, exactly, for the log (the sender sees less).
    var reason: String? {
        switch self {
        case .unknownRoute(let path): "no route is configured for \(path.prefix(200))"
        case .methodNotAllowed(let method): "method \(method) (only POST)"
        case .draining: "shutting down"
        case .tooLarge(let reason), .ignored(let reason), .unprocessable(let reason): reason
        case .unreadableBody(let error): "the body could not be read: \(error)"
        case .badBody(let error): error.description
        case .refused(let refusal): refusal.description
        case .storeFailed(let error): "cannot store the event: \(error)"
        case .upstream(.rejected(let status, let excerpt)), .upstream(.failed(let status?, let excerpt, _)):
            "upstream answered \(status): " + String(decoding: excerpt.utf8.prefix(512), as: UTF8.self)
        case .upstream(.failed(nil, let detail, _)): "upstream unreachable: \(detail)"
        case .handshake, .accepted, .duplicate, .upstream(.delivered): nil
        }
    }

    var answer: Answer {
        switch self {
        case .unknownRoute: .notFound
        case .methodNotAllowed: .methodNotAllowed(allow: "POST")
        case .draining, .storeFailed: .unavailable
        case .tooLarge: .tooLarge
        case .unreadableBody: .badRequest("the body could not be read")
        case .badBody(let error): .badRequest(error.description)
        case .refused: .unauthorized
        case .handshake(let handshake): Answer(handshake)
        case .ignored(let reason): .ignored(reason)
        case .unprocessable(let reason): .unprocessable(reason)
        case .accepted(let id): Answer(.accepted, "accepted", [("id", String(id))])
        case .duplicate(let id): Answer(.ok, "duplicate", [("id", String(id))])
        case .upstream(.delivered): .forwarded
        case .upstream(.rejected(let status, _)): .upstreamRejected(status)
        case .upstream(.failed(let status, _, _)): .upstreamFailed(status)
        }
    }

    /// The stored delivery it names, for the log.
    var deliveryID: Int64? {
        switch self {
        case .accepted(let id), .duplicate(let id): id
        default: nil
        }
    }
}
