import Foundation
import HTTPTypes
import Mapping
import RelayModel
import Settings
import Upstream
import Verification

/// `feedback-relay test-route`: a saved request through the route's verification and mapping, each step
/// printed, nothing sent and nothing stored. The answer to "why was my webhook refused?".
public enum RouteDryRun {
    public struct Report: Sendable {
        public var lines: [String] = []
        /// The status the relay would answer (202 in queue mode when it would send).
        public var status = 0

        mutating func add(_ step: String, _ detail: String) {
            let label = step.padding(toLength: 13, withPad: " ", startingAt: 0)
            lines.append(label + detail)
        }
    }

    public static func run(route: Route, request: SignedRequest, now: Date, inline: Bool) -> Report {
        var report = Report()
        report.add("route", "\(route.name) (PRESET=\(route.preset)): \(route.verifier.summary)")
        let names = request.headers.map(\.name.rawName).joined(separator: ", ")
        report.add("request", "\(request.method) \(request.target), \(request.body.count) bytes, headers: \(names.isEmpty ? "none" : names)")
        report.add("clock", "\(RFC3339.format(now)) (\(Int(now.timeIntervalSince1970)); --now to change)")

        switch route.verifier.verify(request, now: now) {
        case .verified(let index):
            report.add("verify", "ok: the signature matches the route's secret #\(index + 1)")
        case .refused(let refusal):
            report.add("verify", "REFUSED: \(refusal)")
            report.add("hint", hint(refusal, route: route))
            report.add("answer", "401 unauthorized")
            report.status = 401
            return report
        }
        if let handshake = route.handshake?.answer(request) {
            report.add("handshake", "answered \(handshake.status) \(handshake.contentType): \(handshake.body.prefix(200))")
            report.add("answer", "\(handshake.status), nothing sent")
            report.status = handshake.status
            return report
        }

        let trace = MappingTrace()
        let outcome: MappingOutcome
        do throws(PayloadError) {
            outcome = try route.mapping.map(RequestPayload(request), route: route.name, trace: trace)
        } catch {
            for (step, detail) in trace.steps { report.add(step, detail) }
            report.add("answer", "400 bad_request: \(error)")
            report.status = 400
            return report
        }
        for (step, detail) in trace.steps { report.add(step, detail) }
        switch outcome {
        case .ignored(let reason):
            report.add("answer", "200 ignored: \(reason); nothing sent")
            report.status = 200
        case .unprocessable(let reason):
            report.add("answer", "422 unprocessable: \(reason); nothing sent")
            report.status = 422
        case .feedback(let event):
            let upstream = FeedbackRequest(
                baseURL: route.baseURL,
                apiKey: route.apiKey,
                conversationID: event.conversationID,
                feedback: event.feedback
            )
            report.add("dedup key", event.eventID.map { "id:\($0)" } ?? "sha256 of the route and body (no event id)")
            report.add("send", "POST \(upstream.url)")
            report.add("", "xi-api-key: [redacted]")
            report.add("", "content-type: application/json")
            report.add("", upstream.body)
            report.add("answer", inline ? "what ElevenLabs answers: 200 forwarded, 422 or 502" : "202 accepted, then delivered by the queue")
            report.status = inline ? 200 : 202
        }
        return report
    }

    static func hint(_ refusal: Refusal, route: Route) -> String {
        switch refusal {
        case .missingHeader(let name):
            "the request has no \(name): is the sender set to sign its webhooks, is PRESET=\(route.preset) the right one, "
                + "and did the saved request keep every header (--header 'Name: value')?"
        case .malformedHeader(let name):
            "\(name) is not in the form PRESET=\(route.preset) expects; compare it with the preset's row in the README"
        case .signatureMismatch:
            "no configured secret gives this signature. Check SECRET (the whole value, the current one; during a rotation list "
                + "old and new, comma-separated), that the body file is byte for byte what was sent (no reformatting, no added "
                + "newline), and, for presets that sign the URL, RELAY_PUBLIC_URL and --query"
        case .missingTimestamp(let name):
            "\(name) is missing or not a number/time in the unit the preset expects"
        case .staleTimestamp(_, let skew):
            "the signed time is \(skew) s from this clock: a saved request needs --now with the time it was sent; a live one "
                + "means a replay or a clock off on one side (TOLERANCE sets the window)"
        case .missingCredential(let place):
            "the request carries no \(place): set the sender to send it, or check TOKEN_HEADER/TOKEN_QUERY/TOKEN_FIELD"
        case .credentialMismatch(let place):
            "\(place) is not one of the route's SECRET values"
        case .bodyHashMismatch(let place):
            "the body is not the one the sender hashed into \(place): the body file was changed after it was sent"
        }
    }
}
