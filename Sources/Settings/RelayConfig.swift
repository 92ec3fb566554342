import Foundation
import Logging
import Observability
import RelayModel
import Store
import Upstream

/// The whole configuration, read from the environment (and `RELAY_ROUTES_FILE`) and validated at start.
public struct RelayConfig: Sendable {
    public var apiKey: String?
    public var baseURL = "https://api.elevenlabs.io"
    public var allowInsecureUpstream = false
    /// The proxy to ElevenLabs, from curl's variables (`https_proxy`, `ALL_PROXY`, `NO_PROXY`, ...).
    public var upstreamProxy = UpstreamProxy.none
    public var listen = ListenAddress(host: "0.0.0.0", port: 8080)
    public var managementListen = ListenAddress(host: "0.0.0.0", port: 9090)
    public var store = StoreLocation.sqlite(path: "./data/relay.sqlite")
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
    /// Whether `RELAY_MAX_CONNECTIONS` was set: a cap the operator chose and the open-file limit cannot
    /// hold is worth a warning; the default is simply fitted to the limit.
    public var maxConnectionsIsExplicit = false
    public var publicURL: String?
    public var adminToken: String?
    public var logLevel = Logger.Level.info
    public var logFormat = LogFormat.json
    public var routes: [Route] = []
    /// Spans over OTLP/HTTP; nil (off) unless an `OTEL_EXPORTER_OTLP_*ENDPOINT` is set.
    public var tracing: TracingSettings?

    /// The SQLite file of `RELAY_STORE=sqlite:PATH`.
    public var sqlitePath: String? {
        if case .sqlite(let path) = store { return path }
        return nil
    }

    public func route(named name: String) -> Route? {
        routes.first { $0.name == name }
    }

    /// Reads and validates everything; throws every problem at once, each naming its variable.
    public static func load(
        environment: [String: String],
        readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigError) -> RelayConfig {
        let problems = ProblemLog()
        var config = RelayConfig()
        let env = GlobalReader(environment: environment, problems: problems, readFile: readFile)

        config.apiKey = env.secret(.elevenlabsAPIKey)
        // A key that was set but unusable is already reported; routes need not each report it missing.
        let apiKeyReported = !problems.isEmpty
        config.allowInsecureUpstream = env.flag(.allowInsecureUpstream) ?? false
        config.upstreamProxy = UpstreamProxy(environment: environment)
        if let text = env.string(.elevenlabsBaseURL) {
            switch UpstreamURL.validate(text, allowInsecure: config.allowInsecureUpstream) {
            case .success(let url): config.baseURL = url
            case .failure(let problem): problems.report(.elevenlabsBaseURL, problem.message)
            }
        }
        config.listen = env.address(.listen) ?? config.listen
        config.managementListen = env.address(.managementListen) ?? config.managementListen
        // RELAY_STORE_FILE too: a PostgreSQL URL carries its password.
        if let text = env.secret(.store)?.trimmingCharacters(in: .whitespacesAndNewlines) {
            do throws(SettingProblem) {
                config.store = try StoreLocation(parsing: text)
            } catch {
                // The URL may hold a password: the message names the problem, never the value.
                problems.report(.store, error.message)
            }
        }
        config.delivery = env.choice(.delivery, default: DeliveryMode.queue) ?? .queue
        config.maxBodyBytes = env.integer(.maxBodyBytes, in: 1...(64 << 20)) ?? config.maxBodyBytes
        config.concurrency = env.integer(.concurrency, in: 1...4096) ?? config.concurrency
        config.upstreamTimeout = env.duration(.upstreamTimeout) ?? config.upstreamTimeout
        config.retryMaxAge = env.duration(.retryMaxAge) ?? config.retryMaxAge
        config.dedupWindow = env.duration(.dedupWindow) ?? config.dedupWindow
        config.headerTimeout = env.duration(.headerTimeout) ?? config.headerTimeout
        config.bodyTimeout = env.duration(.bodyTimeout) ?? config.bodyTimeout
        config.idleTimeout = env.duration(.idleTimeout) ?? config.idleTimeout
        if let cap = env.integer(.maxConnections, in: 1...1_000_000) {
            config.maxConnections = cap
            config.maxConnectionsIsExplicit = true
        }
        if let text = env.string(.publicURL) {
            switch UpstreamURL.validate(text, allowInsecure: true) {
            case .success(let url): config.publicURL = url
            case .failure(let problem): problems.report(.publicURL, problem.message)
            }
        }
        config.adminToken = env.secret(.adminToken)
        config.logLevel = env.choice(.logLevel, default: Logger.Level.info) ?? .info
        config.logFormat = env.choice(.logFormat, default: LogFormat.json) ?? .json

        config.tracing = TracingSettings.load(environment: environment, problems: problems)

        for name in environment.keys.sorted() where name.hasPrefix("RELAY_") && !name.hasPrefix(RouteVariable.prefix) {
            if !GlobalVariable.relayNames.contains(name) { problems.report(name, "is not a feedback-relay setting (a typo?)") }
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
        if let path = environment[GlobalVariable.routesFile.rawValue], !path.isEmpty {
            do {
                let text = try readFile(path)
                for settings in RoutesFile.load(path: path, text: text, problems: problems, readFile: readFile) {
                    settingsByName[RouteSettings.environmentName(settings.name)] = settings
                }
            } catch {
                problems.report(.routesFile, "cannot read \(path): \(error)")
            }
        }
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix(RouteVariable.prefix) {
            guard let (name, key, fromFile) = RouteVariable.split(variable) else {
                problems.report(
                    variable,
                    "not RELAY_ROUTE_<NAME>_<KEY> with a known key: \(RouteKey.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                continue
            }
            let environmentName = RouteSettings.environmentName(name)
            var settings = settingsByName[environmentName] ?? RouteSettings(name: name)
            if fromFile {
                if environment[String(variable.dropLast(5))] != nil {
                    problems.report(variable, "set either \(variable.dropLast(5)) or \(variable), not both")
                    continue
                }
                guard let secret = SecretFile.read(value, for: variable, readFile: readFile, problems: problems) else { continue }
                settings.values[key] = .init(text: secret, source: variable)
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

    func string(_ variable: GlobalVariable) -> String? {
        guard let text = environment[variable.rawValue]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// `NAME`, or the contents of the file at `NAME_FILE`.
    func secret(_ variable: GlobalVariable) -> String? {
        let name = variable.rawValue
        let direct = environment[name]
        guard let path = environment[name + "_FILE"] else {
            if let direct, direct.isEmpty { problems.report(name, "is set but empty") }
            return direct.flatMap { $0.isEmpty ? nil : $0 }
        }
        if direct != nil {
            problems.report(name + "_FILE", "set either \(name) or \(name)_FILE, not both")
            return nil
        }
        guard let value = SecretFile.read(path, for: name + "_FILE", readFile: readFile, problems: problems) else { return nil }
        if value.isEmpty { problems.report(name + "_FILE", "\(path) is empty") }
        return value.isEmpty ? nil : value
    }

    func flag(_ variable: GlobalVariable) -> Bool? {
        string(variable).flatMap { reported(SettingText.flag($0), variable) }
    }

    private func reported<T>(_ result: Result<T, SettingProblem>, _ variable: GlobalVariable) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let problem):
            problems.report(variable.rawValue, problem.message)
            return nil
        }
    }

    func integer(_ variable: GlobalVariable, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(variable) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problems.report(variable.rawValue, "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    func duration(_ variable: GlobalVariable) -> Duration? {
        guard let text = string(variable) else { return nil }
        guard let value = DurationText.parse(text), value > .zero else {
            problems.report(variable.rawValue, "'\(text)' is not a duration like 500ms, 15s, 5m, 72h")
            return nil
        }
        return value
    }

    func address(_ variable: GlobalVariable) -> ListenAddress? {
        guard let text = string(variable) else { return nil }
        guard let address = ListenAddress(text) else {
            problems.report(variable.rawValue, "'\(text)' is not host:port, like 0.0.0.0:8080")
            return nil
        }
        return address
    }

    func choice<T: RawRepresentable & CaseIterable>(_ variable: GlobalVariable, default value: T) -> T? where T.RawValue == String {
        guard let text = string(variable) else { return value }
        return reported(SettingText.choice(text), variable)
    }
}
