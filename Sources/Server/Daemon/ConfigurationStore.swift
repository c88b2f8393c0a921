import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The configuration and tables in force, swapped whole on reload. Rules,
/// actions, tables, retry, expiry and DSN policy take effect at the next RCPT
/// or delivery attempt; listeners, certificates, SMTP limits, the queue path,
/// the resolver, traffic limits and the delivery priority need a restart.
final class ConfigurationStore: Sendable {
    /// One consistent view: a configuration with its tables loaded.
    struct Snapshot: Sendable {
        let configuration: Configuration
        let tables: TableSet
    }

    private let snapshot: Mutex<Snapshot>

    init(_ snapshot: Snapshot) {
        self.snapshot = Mutex(snapshot)
    }

    var current: Snapshot { snapshot.withLock { $0 } }

    func replace(with new: Snapshot) {
        snapshot.withLock { $0 = new }
    }

    /// Loads a configuration and its tables (reads `file:` tables, opens `sqlite:` ones).
    static func load(_ configuration: Configuration) throws(TableError) -> Snapshot {
        Snapshot(configuration: configuration, tables: try TableSet(configuration.tables))
    }

    /// Re-reads one table of the configuration in force (a `file:` table's
    /// file; an `sqlite:` table's settings, reopening its database) and swaps
    /// it in atomically: lookups see the old contents or the new, never a mix.
    /// This is what `ternctl update table NAME` asks the daemon for. Inline
    /// tables are part of the configuration file and change only with it
    /// (SIGHUP).
    ///
    /// - Throws: ``TableError`` with code `unknownTable` when the
    ///   configuration defines no table `name`, or the error that made the
    ///   table unreadable, in which case the old contents stay in force.
    func reloadTable(named name: String) throws(TableError) {
        let before = current
        guard let definition = before.configuration.tables[name] else {
            throw TableError(.unknownTable, table: name, "no such table in the configuration in force")
        }
        let tables = try before.tables.replacing(name, with: definition)
        try snapshot.withLock { (snapshot: inout Snapshot) throws(TableError) in
            // A whole-configuration reload in between wins: its tables are newer.
            guard snapshot.configuration == before.configuration else {
                throw TableError(.unreadable, table: name, "the configuration was reloaded meanwhile; try again")
            }
            snapshot = Snapshot(configuration: snapshot.configuration, tables: tables)
        }
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
