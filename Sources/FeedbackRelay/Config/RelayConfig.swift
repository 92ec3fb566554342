import Foundation
import Logging

public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, `[::1]:port` or `:port` (all interfaces).
    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public enum DeliveryMode: String, Sendable, CaseIterable {
    case inline, queue
}

public enum LogFormat: String, Sendable, CaseIterable {
    case json, text
}

/// The whole configuration, read from the environment (and `RELAY_ROUTES_FILE`) and validated at start.
public struct RelayConfig: Sendable {
    public var apiKey: String?
    public var baseURL = "https://api.elevenlabs.io"
    public var allowInsecureUpstream = false
    public var listen = ListenAddress(host: "0.0.0.0", port: 8080)
    public var managementListen = ListenAddress(host: "0.0.0.0", port: 9090)
    public var store = "sqlite:./data/relay.sqlite"
    public var delivery = DeliveryMode.queue
    public var maxBodyBytes = 1_048_576
    public var concurrency = 32
    public var upstreamTimeout = Duration.seconds(15)
    public var retryMaxAge = Duration.seconds(72 * 3600)
    public var dedupWindow = Duration.seconds(72 * 3600)
    /// Client connections: nginx's defaults for the head, a stalled body and keep-alive idling.
    public var headerTimeout = Duration.seconds(60)
    public var bodyTimeout = Duration.seconds(60)
    public var idleTimeout = Duration.seconds(75)
    /// Client connections held at most, on each listener.
    public var maxConnections = 10_000
    public var publicURL: String?
    public var adminToken: String?
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    public var routes: [Route] = []

    /// The SQLite file of `RELAY_STORE=sqlite:PATH`.
    public var sqlitePath: String? {
        store.hasPrefix("sqlite:") ? String(store.dropFirst(7)) : nil
    }

    public func route(named name: String) -> Route? {
        routes.first { $0.name == name }
    }

    /// Every global variable the relay reads; any other `RELAY_*` is a typo and stops the start.
    static let globalVariables: Set<String> = [
        "RELAY_LISTEN", "RELAY_MANAGEMENT_LISTEN", "RELAY_STORE", "RELAY_DELIVERY", "RELAY_MAX_BODY_BYTES", "RELAY_CONCURRENCY",
        "RELAY_UPSTREAM_TIMEOUT", "RELAY_RETRY_MAX_AGE", "RELAY_DEDUP_WINDOW", "RELAY_PUBLIC_URL", "RELAY_ADMIN_TOKEN",
        "RELAY_ADMIN_TOKEN_FILE", "RELAY_LOG_LEVEL", "RELAY_LOG_FORMAT", "RELAY_ROUTES_FILE", "RELAY_ALLOW_INSECURE_UPSTREAM",
        "RELAY_HEADER_TIMEOUT", "RELAY_BODY_TIMEOUT", "RELAY_IDLE_TIMEOUT", "RELAY_MAX_CONNECTIONS",
    ]

    /// Reads and validates everything; throws every problem at once, each naming its variable.
    public static func load(
        environment: [String: String],
        readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigError) -> RelayConfig {
        let problems = ProblemLog()
        var config = RelayConfig()
        let env = GlobalReader(environment: environment, problems: problems, readFile: readFile)

        config.apiKey = env.secret("ELEVENLABS_API_KEY")
        // A key that was set but unusable is already reported; routes need not each report it missing.
        let apiKeyReported = !problems.isEmpty
        config.allowInsecureUpstream = env.flag("RELAY_ALLOW_INSECURE_UPSTREAM") ?? false
        if let text = env.string("ELEVENLABS_BASE_URL") {
            switch UpstreamURL.validate(text, allowInsecure: config.allowInsecureUpstream) {
            case .success(let url): config.baseURL = url
            case .failure(let problem): problems.report("ELEVENLABS_BASE_URL", problem.message)
            }
        }
        config.listen = env.address("RELAY_LISTEN") ?? config.listen
        config.managementListen = env.address("RELAY_MANAGEMENT_LISTEN") ?? config.managementListen
        if let store = env.string("RELAY_STORE") {
            if (store.hasPrefix("sqlite:") && store.count > 7) || store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") {
                config.store = store
            } else {
                problems.report("RELAY_STORE", "'\(store)' is neither sqlite:PATH nor postgres://user:pass@host:5432/db")
            }
        }
        config.delivery = env.choice("RELAY_DELIVERY", default: DeliveryMode.queue) ?? .queue
        if config.store.hasPrefix("postgres"), config.delivery == .queue {
            problems.report("RELAY_STORE", "PostgreSQL is not available in this version yet; use sqlite:PATH")
        }
        config.maxBodyBytes = env.integer("RELAY_MAX_BODY_BYTES", in: 1...(64 << 20)) ?? config.maxBodyBytes
        config.concurrency = env.integer("RELAY_CONCURRENCY", in: 1...4096) ?? config.concurrency
        config.upstreamTimeout = env.duration("RELAY_UPSTREAM_TIMEOUT") ?? config.upstreamTimeout
        config.retryMaxAge = env.duration("RELAY_RETRY_MAX_AGE") ?? config.retryMaxAge
        config.dedupWindow = env.duration("RELAY_DEDUP_WINDOW") ?? config.dedupWindow
        config.headerTimeout = env.duration("RELAY_HEADER_TIMEOUT") ?? config.headerTimeout
        config.bodyTimeout = env.duration("RELAY_BODY_TIMEOUT") ?? config.bodyTimeout
        config.idleTimeout = env.duration("RELAY_IDLE_TIMEOUT") ?? config.idleTimeout
        config.maxConnections = env.integer("RELAY_MAX_CONNECTIONS", in: 1...1_000_000) ?? config.maxConnections
        if let text = env.string("RELAY_PUBLIC_URL") {
            switch UpstreamURL.validate(text, allowInsecure: true) {
            case .success(let url): config.publicURL = url
            case .failure(let problem): problems.report("RELAY_PUBLIC_URL", problem.message)
            }
        }
        config.adminToken = env.secret("RELAY_ADMIN_TOKEN")
        config.logLevel = env.choice("RELAY_LOG_LEVEL", default: Logger.Level.info) ?? .info
        config.logFormat = env.choice("RELAY_LOG_FORMAT", default: LogFormat.json) ?? .json

        for name in environment.keys.sorted() where name.hasPrefix("RELAY_") && !name.hasPrefix(RouteVariable.prefix) {
            if !globalVariables.contains(name) { problems.report(name, "is not a feedback-relay setting (a typo?)") }
        }

        config.routes = loadRoutes(
            environment: environment,
            config: config,
            apiKeyReported: apiKeyReported,
            problems: problems,
            readFile: readFile
        )
        guard problems.isEmpty else { throw ConfigError(issues: problems.issues) }
        return config
    }

    private static func loadRoutes(
        environment: [String: String],
        config: RelayConfig,
        apiKeyReported: Bool,
        problems: ProblemLog,
        readFile: (String) throws -> String
    ) -> [Route] {
        var settingsByName: [String: RouteSettings] = [:]
        let reportedBefore = problems.issues.count
        if let path = environment["RELAY_ROUTES_FILE"], !path.isEmpty {
            do {
                let text = try readFile(path)
                for settings in RoutesFile.load(path: path, text: text, problems: problems, readFile: readFile) {
                    settingsByName[RouteSettings.environmentName(settings.name)] = settings
                }
            } catch {
                problems.report("RELAY_ROUTES_FILE", "cannot read \(path): \(error)")
            }
        }
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix(RouteVariable.prefix) {
            guard let (name, key, fromFile) = RouteVariable.split(variable) else {
                problems.report(variable, "not RELAY_ROUTE_<NAME>_<KEY> with a known key: \(RouteSettings.keys.joined(separator: ", "))")
                continue
            }
            let environmentName = RouteSettings.environmentName(name)
            var settings = settingsByName[environmentName] ?? RouteSettings(name: name)
            if fromFile {
                if environment[String(variable.dropLast(5))] != nil {
                    problems.report(variable, "set either \(variable.dropLast(5)) or \(variable), not both")
                    continue
                }
                do {
                    settings.values[key] = .init(text: SecretFile.trim(try readFile(value)), source: variable)
                } catch {
                    problems.report(variable, "cannot read \(value): \(error)")
                    continue
                }
            } else {
                settings.values[key] = .init(text: value, source: variable)
            }
            settingsByName[environmentName] = settings
        }
        if settingsByName.isEmpty && problems.issues.count == reportedBefore {
            problems.report(
                "RELAY_ROUTE_<NAME>_PRESET",
                "no routes are configured: set RELAY_ROUTE_<NAME>_PRESET and its settings, or RELAY_ROUTES_FILE"
            )
        }
        var routes: [Route] = []
        for settings in settingsByName.values.sorted(by: { $0.name < $1.name }) {
            let builder = RouteBuilder(settings: settings, problems: problems, publicURL: config.publicURL)
            if let route = builder.build(
                globalAPIKey: config.apiKey,
                apiKeyReported: apiKeyReported,
                globalBaseURL: config.baseURL,
                allowInsecure: config.allowInsecureUpstream
            ) {
                routes.append(route)
            }
        }
        return routes
    }
}

/// Reads global variables, reporting each bad one by name.
private struct GlobalReader {
    let environment: [String: String]
    let problems: ProblemLog
    let readFile: (String) throws -> String

    init(environment: [String: String], problems: ProblemLog, readFile: @escaping (String) throws -> String) {
        self.environment = environment
        self.problems = problems
        self.readFile = readFile
    }

    func string(_ name: String) -> String? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// `NAME`, or the contents of the file at `NAME_FILE`.
    func secret(_ name: String) -> String? {
        let direct = environment[name]
        guard let path = environment[name + "_FILE"] else {
            if let direct, direct.isEmpty { problems.report(name, "is set but empty") }
            return direct.flatMap { $0.isEmpty ? nil : $0 }
        }
        if direct != nil {
            problems.report(name + "_FILE", "set either \(name) or \(name)_FILE, not both")
            return nil
        }
        do {
            let value = SecretFile.trim(try readFile(path))
            if value.isEmpty { problems.report(name + "_FILE", "\(path) is empty") }
            return value.isEmpty ? nil : value
        } catch {
            problems.report(name + "_FILE", "cannot read \(path): \(error)")
            return nil
        }
    }

    func flag(_ name: String) -> Bool? {
        string(name).flatMap { reported(SettingText.flag($0), name) }
    }

    private func reported<T>(_ result: Result<T, ConfigError.Problem>, _ name: String) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let problem):
            problems.report(name, problem.message)
            return nil
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problems.report(name, "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func duration(_ name: String) -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = DurationText.parse(text), value > .zero else {
            problems.report(name, "'\(text)' is not a duration like 500ms, 15s, 5m, 72h")
            return nil
        }
        return value
    }

    func address(_ name: String) -> ListenAddress? {
        guard let text = string(name) else { return nil }
        guard let address = ListenAddress(text) else {
            problems.report(name, "'\(text)' is not host:port, like 0.0.0.0:8080")
            return nil
        }
        return address
    }

    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) -> T? where T.RawValue == String {
        guard let text = string(name) else { return value }
        return reported(SettingText.choice(text), name)
    }
}
