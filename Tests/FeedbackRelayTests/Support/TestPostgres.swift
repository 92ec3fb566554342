import Foundation
import Logging
import Testing

@testable import Store

/// The throwaway PostgreSQL server `scripts/postgres.sh start` runs; its URL comes in `RELAY_TEST_POSTGRES`.
/// Without it these tests fail (they do not skip): the README's test command starts the server.
enum TestPostgres {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "RELAY_TEST_POSTGRES is not set: run the tests with scripts/test.sh (README, Quick start)" }
    }

    static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["RELAY_TEST_POSTGRES"], !url.isEmpty else { throw Missing() }
        return url
    }

    /// A new, empty database on the test server, and its URL.
    static func freshDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(try adminURL(), "CREATE DATABASE \(name)")
        var url = URLComponents(string: try adminURL())!
        url.path = "/" + name
        return url.string!
    }

    static func freshStore() async throws -> PostgresDeliveryStore {
        try await PostgresDeliveryStore.connect(try PostgresLocation(parsing: try freshDatabase()), logger: Logger(label: "test"))
    }

    /// Runs SQL with `psql` against `url` (as the test server's owner).
    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URLComponents(string: "file:///usr/bin/psql")!.url!
        var components = URLComponents(string: url)!
        components.queryItems = nil
        process.arguments = ["-q", "-v", "ON_ERROR_STOP=1", components.string!, "-c", sql]
        let output = try CapturedProcess.run(process)
        guard output.status == 0 else { throw StoreError("psql: \(output.stderr)") }
    }
}
