import Foundation
import Hummingbird
import Observability
import Store

/// What holds for every management request before it is routed: the admin API answers only a valid token
/// (and is not there at all when off), everything else only GET and HEAD; answers the router makes itself
/// (no such path) are JSON like every other answer.
struct ManagementGate: RouterMiddleware {
    typealias Context = BasicRequestContext

    let admin: AdminAPI?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/admin/") {
            guard let admin else { return Answer.notFound.response }
            guard admin.authorizes(request) else { return Answer.unauthorized.response }
        } else if request.method != .get && request.method != .head {
            return Answer.methodNotAllowed(allow: "GET, HEAD").response
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return Answer.notFound.response
        }
    }
}
