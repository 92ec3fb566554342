import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A stand-in for an OpenTelemetry collector on loopback: it takes OTLP/HTTP JSON exports on
/// `POST /v1/traces`, as a real collector does, and keeps every span it was sent.
final class FakeCollector: Sendable {
    struct Span: Sendable {
        let traceID: String
        let spanID: String
        let parentSpanID: String
        let name: String
        let kind: Int
        let attributes: [String: String]
        /// (trace id, span id) of each linked span.
        let links: [(String, String)]
        let isError: Bool
    }

    private let received = NIOLockedValueBox<[Span]>([])
    private let exports = NIOLockedValueBox(0)

    var spans: [Span] { received.withLockedValue { $0 } }
    var exportCount: Int { exports.withLockedValue { $0 } }

    func waitUntil(timeout: Duration = .seconds(15), _ condition: ([Span]) -> Bool) async -> Bool {
        await Eventually.holds(within: timeout) { condition(spans) }
    }

    func application(onPort: @escaping @Sendable (Int) async -> Void) -> some Service {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 16 << 20)
            guard request.method == .post, request.uri.path == "/v1/traces", request.headers[.contentType] == "application/json" else {
                return Response(status: .notFound)
            }
            let spans = try Self.spans(in: Data(body.readableBytesView))
            self.exports.withLockedValue { $0 += 1 }
            self.received.withLockedValue { $0 += spans }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        return Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) },
            logger: Logger(label: "fake-collector") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    /// The spans of one `ExportTraceServiceRequest` in the OTLP JSON encoding (ids as protobuf JSON's base64).
    static func spans(in json: Data) throws -> [Span] {
        struct Malformed: Error {}
        guard let document = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { throw Malformed() }
        func hex(_ value: Any?) -> String {
            guard let text = value as? String, let bytes = Data(base64Encoded: text) else { return "" }
            return bytes.map { String(format: "%02x", $0) }.joined()
        }
        var spans: [Span] = []
        for resource in document["resourceSpans"] as? [[String: Any]] ?? [] {
            for scope in resource["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in scope["spans"] as? [[String: Any]] ?? [] {
                    var attributes: [String: String] = [:]
                    for attribute in span["attributes"] as? [[String: Any]] ?? [] {
                        guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any], let first = value.first else {
                            continue
                        }
                        attributes[key] = "\(first.value)"
                    }
                    let links = (span["links"] as? [[String: Any]] ?? []).map { (hex($0["traceId"]), hex($0["spanId"])) }
                    spans.append(
                        Span(
                            traceID: hex(span["traceId"]),
                            spanID: hex(span["spanId"]),
                            parentSpanID: hex(span["parentSpanId"]),
                            name: span["name"] as? String ?? "",
                            kind: span["kind"] as? Int ?? 0,
                            attributes: attributes,
                            links: links,
                            isError: ((span["status"] as? [String: Any])?["code"] as? Int) == 2
                        )
                    )
                }
            }
        }
        return spans
    }
}
