import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The configuration and tables in force, swapped whole on reload. Rules,
/// actions, tables, retry, expiry and DSN policy take effect at the next RCPT
/// or delivery attempt; listeners, certificates, SMTP limits, the queue path,
/// the resolver and traffic limits need a restart.
final class ConfigurationStore: Sendable {
    /// One consistent view: a configuration with its tables loaded.
    struct Snapshot: Sendable {
        let configuration: Configuration
        let tables: InMemoryTableLookup
    }

    private let snapshot: Mutex<Snapshot>

    init(_ snapshot: Snapshot) {
        self.snapshot = Mutex(snapshot)
    }

    var current: Snapshot { snapshot.withLock { $0 } }

    func replace(with new: Snapshot) {
        snapshot.withLock { $0 = new }
    }

    /// Loads a configuration and its file tables.
    static func load(_ configuration: Configuration) throws -> Snapshot {
        Snapshot(configuration: configuration, tables: InMemoryTableLookup(tables: try TableLoader.resolve(configuration.tables)))
    }
}

/// Re-reads the configuration file and its tables on SIGHUP; a file with
/// errors is logged and the configuration in force is kept.
struct ConfigurationReloadService: Service {
    let store: ConfigurationStore
    /// The file to re-read; nil when running on the embedded default.
    let path: String?
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in signals { reload() }
        }
    }

    private func reload() {
        do {
            let configuration = try path.map { try Configuration.load(path: $0) }
                ?? Configuration.embeddedDefault(hostname: store.current.configuration.hostname)
            store.replace(with: try ConfigurationStore.load(configuration))
            logger.notice("configuration reloaded from \(path ?? "(embedded default)")")
        } catch {
            logger.error("configuration not reloaded, keeping the one in force: \(error)")
        }
    }
}
