import Mapping
import RelayModel
import Settings
import Verification

/// `check-config`'s account of the configuration. Secrets and keys appear only as "[redacted]".
public enum ConfigReport {
    public static func render(_ config: RelayConfig) -> String {
        var lines = ["configuration OK"]
        lines.append("upstream: \(config.baseURL)  api key: \(config.apiKey == nil ? "none (every route has its own)" : "set [redacted]")")
        lines.append("listen: \(config.listen)  management: \(config.managementListen)")
        lines.append(
            "delivery: \(config.delivery.rawValue)  concurrency: \(config.concurrency)  upstream timeout: \(config.upstreamTimeout.seconds)s  max body: \(config.maxBodyBytes) bytes"
        )
        lines.append(
            "client connections: at most \(config.maxConnections) per listener  timeouts: head \(config.headerTimeout.seconds)s, body \(config.bodyTimeout.seconds)s, idle \(config.idleTimeout.seconds)s"
        )
        if let publicURL = config.publicURL { lines.append("public url: \(publicURL)") }
        lines.append("admin api: \(config.adminToken == nil ? "off" : "on (token [redacted])")")
        lines.append("routes (\(config.routes.count)):")
        for route in config.routes {
            let mapping = route.mapping
            lines.append("  POST /hooks/\(route.name)  preset \(route.preset)")
            lines.append("    verify: \(route.verifier.summary)")
            var conversation = "    conversation id: \(mapping.conversationID)"
            if let pattern = mapping.conversationIDPattern { conversation += "  pattern \(pattern)" }
            lines.append(conversation)
            var feedback = "    feedback: \(mapping.feedback)"
            if let pattern = mapping.feedbackPattern { feedback += "  pattern \(pattern)" }
            lines.append(feedback + "  like: \(mapping.like)  dislike: \(mapping.dislike)")
            if let match = mapping.match { lines.append("    match: \(match)") }
            if let eventID = mapping.eventID { lines.append("    event id: \(eventID)") }
            if let eventTime = mapping.eventTime { lines.append("    event time: \(eventTime)") }
            lines.append("    upstream: \(route.baseURL)  api key: \(route.hasOwnAPIKey ? "route's own [redacted]" : "global [redacted]")")
        }
        return lines.joined(separator: "\n")
    }
}
