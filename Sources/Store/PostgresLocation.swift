import Foundation
import NIOSSL
import PostgresNIO
import RelayModel

/// `RELAY_STORE=postgres://user:password@host:5432/database?sslmode=...`, checked when the configuration
/// is read so a malformed URL stops the start with the variable named.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// libpq's names: `disable`, `prefer` (TLS when the server offers it, the default), `require` (TLS,
    /// any certificate) and `verify-full` (TLS, a certificate for this host from a trusted CA).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode

    public init(parsing text: String) throws(SettingProblem) {
        let example = "postgres://user:password@host:5432/database?sslmode=require"
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw SettingProblem("is not a PostgreSQL URL like \(example)")
        }
        guard let host = url.host, !host.isEmpty else { throw SettingProblem("names no host; use \(example)") }
        guard let username = url.user, !username.isEmpty else { throw SettingProblem("names no user; use \(example)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw SettingProblem("names no database; use \(example)") }
        if let port = url.port, !(1...65535).contains(port) { throw SettingProblem("port \(port) is not 1 to 65535") }
        var tlsMode = TLSMode.prefer
        for item in url.queryItems ?? [] {
            guard item.name == "sslmode" else { throw SettingProblem("parameter \(item.name) is not supported (only sslmode)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw SettingProblem("sslmode '\(item.value ?? "")' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tlsMode = mode
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = url.port ?? 5432
        self.username = username
        self.password = url.password
        self.database = database
        self.tlsMode = tlsMode
    }

    /// The URL with the password left out, for logs and `check-config`.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":[redacted]")@\(host):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }

    /// What TLS the mode asks for: none, or a client configuration and whether the server must accept it.
    private var tls: (configuration: TLSConfiguration, required: Bool)? {
        var anyCertificate = TLSConfiguration.makeClientConfiguration()
        anyCertificate.certificateVerification = .none
        return switch tlsMode {
        case .disable: nil
        case .prefer: (anyCertificate, false)
        case .require: (anyCertificate, true)
        case .verifyFull: (.makeClientConfiguration(), true)
        }
    }

    private static let connectTimeout = Duration.seconds(5)

    /// One connection, for the migration at start: it fails at once with the server's reason (a refused
    /// login, no such database), where the pool would keep retrying in the background.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var mode = PostgresConnection.Configuration.TLS.disable
        if let tls {
            let context = try NIOSSLContext(configuration: tls.configuration)
            mode = tls.required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: mode
        )
        configuration.options.connectTimeout = TimeAmount(Self.connectTimeout)
        return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
        let mode: PostgresClient.Configuration.TLS = tls.map { $0.required ? .require($0.configuration) : .prefer($0.configuration) } ?? .disable
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: mode
        )
        configuration.options.connectTimeout = Self.connectTimeout
        return configuration
    }
}
