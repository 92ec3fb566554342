import Hummingbird

/// The management listener: `/healthz` (the process is alive) and `/readyz` (configuration loaded,
/// not draining). Kept off the public listener so probes and operators never share a port with senders.
struct ManagementResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let state: RelayState

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get || request.method == .head else { return Answer.methodNotAllowedGet.response }
        switch request.uri.path {
        case "/healthz":
            return Answer(.ok, "alive").response
        case "/readyz":
            return state.isDraining ? Answer(.serviceUnavailable, "draining").response : Answer(.ok, "ready").response
        default:
            return Answer.notFound.response
        }
    }
}

extension Answer {
    static let methodNotAllowedGet = Answer(.methodNotAllowed, "method_not_allowed")
}
