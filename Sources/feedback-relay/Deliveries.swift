import ArgumentParser
import Commands
import Foundation
import Logging
import Observability
import RelayModel
import Server
import Settings
import Store
import Upstream

/// The same store the server uses, read from the same environment; works while the server runs.
struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and retry deliveries in the store.",
        subcommands: [List.self, Show.self, Retry.self]
    )

    static func openStore() async throws -> any DeliveryStore {
        let config = loadConfig()
        if let path = config.sqlitePath, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no store at \(path) (RELAY_STORE)")
        }
        return try await config.store.open(logger: Logger(label: "feedback-relay", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print deliveries, newest first, as JSON lines.")
        @Option(help: "pending, delivered, dead or superseded.") var state: String?
        @Option(help: "How many at most.") var limit = 100
        @Option(help: "Continue after this cursor (printed last when there are more).") var cursor: String?

        func run() async throws {
            var filter: DeliveryState?
            if let state {
                guard let parsed = DeliveryState(rawValue: state) else { throw ValidationError("--state is pending, delivered, dead or superseded") }
                filter = parsed
            }
            let page = try await Deliveries.openStore().list(state: filter, limit: limit, cursor: cursor)
            for delivery in page.deliveries { print(DeliveryBody(delivery).jsonLine) }
            if let next = page.nextCursor { print("# more: --cursor \(next)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one delivery as JSON.")
        @Argument var id: Int64

        func run() async throws {
            guard let delivery = try await Deliveries.openStore().delivery(id) else { throw ValidationError("no delivery \(id)") }
            print(DeliveryBody(delivery).jsonLine)
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a dead delivery (or every dead one) pending and due now.")
        @Argument var id: Int64?
        @Flag(name: .customLong("all-dead"), help: "Retry every dead delivery.") var allDead = false

        func validate() throws {
            guard (id == nil) != !allDead else { throw ValidationError("give an id or --all-dead") }
        }

        func run() async throws {
            let store = try await Deliveries.openStore()
            if allDead {
                print("retried \(try await store.retryAllDead(now: Date()))")
                return
            }
            switch try await store.retry(id!, now: Date()) {
            case .retried(let delivery): print(DeliveryBody(delivery).jsonLine)
            case .notFound: throw ValidationError("no delivery \(id!)")
            case .notDead(let state): throw ValidationError("delivery \(id!) is \(state.rawValue), not dead")
            case .superseded: throw ValidationError("a newer event for this conversation exists; delivery \(id!) is now superseded")
            }
        }
    }
}
