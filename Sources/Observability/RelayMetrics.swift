import Foundation
import Prometheus
import RelayModel
import Store

/// The relay's Prometheus metrics. Every labelled series is created up front, one set per route, so the
/// request path only increments atomics; values that are read rather than counted (queue depth, process
/// memory) are gathered when `/metrics` is scraped. Each relay has its own registry, so several can run
/// in one process (the tests do).
public final class RelayMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    private let routes: [String: RouteSeries]
    /// Requests for names that are not routes: one series, since the name itself is unbounded.
    private let unknown: RouteSeries
    /// Open client connections, hooks listener first.
    private let clientConnections: [Gauge]
    private let clientConnectionsClosed: [Counter]

    package static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    package final class RouteSeries: Sendable {
        let requests: [Counter]
        let ingest: DurationHistogram
        let attempts: [Counter]
        let delivered: Counter
        let dead: [Counter]
        let retries: Counter
        let upstream: DurationHistogram

        init(route: String, registry: PrometheusCollectorRegistry) {
            func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
                MetricNameDescriptor(namespace: "feedback_relay", metricName: metric, unitName: unit, helpText: help)
            }
            /// One counter per value of the last label, in the order of `values`.
            func counters(_ name: MetricNameDescriptor, _ labels: [(String, String)], _ label: String, _ values: [String]) -> [Counter] {
                values.map { registry.makeCounter(descriptor: name, labels: [("route", route)] + labels + [(label, $0)]) }
            }
            let routeLabel = [("route", route)]
            requests = counters(
                name("requests", "total", "Webhook requests answered, by route and outcome (refusals by reason)."),
                [],
                "outcome",
                RequestOutcome.allCases.map(\.rawValue)
            )
            ingest = registry.makeDurationHistogram(
                descriptor: name(
                    "request_duration",
                    "seconds",
                    "Time from a webhook request's head to its answer (inline mode includes the upstream call)."
                ),
                labels: routeLabel,
                buckets: RelayMetrics.latencyBuckets
            )
            attempts = counters(
                name("upstream_attempts", "total", "Calls to the ElevenLabs feedback API, by route and answer class (error: no answer)."),
                [],
                "status_class",
                StatusClass.allCases.map(\.rawValue)
            )
            let ended = name(
                "deliveries",
                "total",
                "Events whose delivery ended, by route, outcome (delivered or dead) and the last answer's class."
            )
            delivered = counters(ended, [("outcome", "delivered")], "status_class", ["2xx"])[0]
            dead = counters(ended, [("outcome", "dead")], "status_class", StatusClass.allCases.map(\.rawValue))
            retries = registry.makeCounter(
                descriptor: name("delivery_retries", "total", "Failed attempts that were scheduled to be tried again."),
                labels: routeLabel
            )
            upstream = registry.makeDurationHistogram(
                descriptor: name("upstream_duration", "seconds", "Duration of calls to the ElevenLabs feedback API."),
                labels: routeLabel,
                buckets: RelayMetrics.latencyBuckets
            )
        }
    }

    public init(routes: [String]) {
        var series: [String: RouteSeries] = [:]
        for route in routes { series[route] = RouteSeries(route: route, registry: registry) }
        self.routes = series
        self.unknown = RouteSeries(route: "", registry: registry)
        let open = MetricNameDescriptor(
            namespace: "feedback_relay",
            metricName: "client_connections",
            unitName: "",
            helpText: "Client connections open now, by listener."
        )
        let registry = self.registry
        clientConnections = Listener.allCases.map { registry.makeGauge(descriptor: open, labels: [("listener", $0.rawValue)]) }
        let closed = MetricNameDescriptor(
            namespace: "feedback_relay",
            metricName: "client_connections_closed",
            unitName: "total",
            helpText: "Client connections the relay closed on its own, by reason (timeouts, malformed requests, final answers)."
        )
        clientConnectionsClosed = ClientCloseReason.allCases.map { registry.makeCounter(descriptor: closed, labels: [("reason", $0.rawValue)]) }
    }

    package func clientConnectionOpened(_ listener: Listener) {
        clientConnections[listener == .hooks ? 0 : 1].increment()
    }

    package func clientConnectionEnded(_ listener: Listener) {
        clientConnections[listener == .hooks ? 0 : 1].decrement()
    }

    package func clientConnectionClosed(_ reason: ClientCloseReason) {
        clientConnectionsClosed[reason.index].increment()
    }

    private func series(_ route: String?) -> RouteSeries {
        route.flatMap { routes[$0] } ?? unknown
    }

    package func request(route: String?, outcome: RequestOutcome, duration: Duration) {
        let series = series(route)
        series.requests[outcome.index].increment()
        series.ingest.record(duration)
    }

    /// One call to the feedback API; `status` is nil when there was no answer.
    package func upstreamCall(route: String, status: Int?, duration: Duration) {
        let series = series(route)
        series.attempts[StatusClass(status: status).index].increment()
        series.upstream.record(duration)
    }

    package func deliveryEnded(route: String, result: AttemptResult) {
        let series = series(route)
        switch result {
        case .delivered: series.delivered.increment()
        case .dead(let status, _): series.dead[StatusClass(status: status).index].increment()
        case .retry: series.retries.increment()
        }
    }

    /// The exposition: the counted series, then what is read at scrape time.
    package func render(
        now: Date,
        queue: QueueStatistics?,
        connections: (transfers: Int, connectionsOpened: Int)?,
        process: ProcessStatistics
    ) -> [UInt8] {
        var out = registry.emitToBuffer()
        var text = PrometheusText()
        text.family("feedback_relay_build_info", type: "gauge", help: "Always 1; the label says which release is running.")
        text.sample("feedback_relay_build_info", labels: [("version", RelayVersion.current)], 1)
        if let queue {
            text.family("feedback_relay_queue_depth", type: "gauge", help: "Events not yet delivered: waiting, in flight, or dead.")
            for (state, count) in [("waiting", queue.waiting), ("in_flight", queue.inFlight), ("dead", queue.dead)] {
                text.sample("feedback_relay_queue_depth", labels: [("state", state)], Double(count))
            }
            text.family(
                "feedback_relay_oldest_pending_age_seconds",
                type: "gauge",
                help: "Age of the oldest event not yet delivered (0 when none is pending)."
            )
            text.sample("feedback_relay_oldest_pending_age_seconds", queue.oldestPendingReceivedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        }
        if let connections {
            text.family(
                "feedback_relay_upstream_connections_total",
                type: "counter",
                help: "Upstream calls by connection: opened anew, or reused (keep-alive, HTTP/2)."
            )
            text.sample("feedback_relay_upstream_connections_total", labels: [("kind", "opened")], Double(connections.connectionsOpened))
            text.sample(
                "feedback_relay_upstream_connections_total",
                labels: [("kind", "reused")],
                Double(max(0, connections.transfers - connections.connectionsOpened))
            )
        }
        process.write(into: &text)
        out += text.bytes
        return out
    }
}
