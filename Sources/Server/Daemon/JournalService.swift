import Logging
import Queue
import ServiceLifecycle

/// Keeps the journal open while the daemon runs and closes it (after the
/// last pending commit) once every other service has stopped.
struct JournalService: Service {
    let journal: Journal
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        journal.close()
        logger.notice("journal closed: \(journal.path)")
    }
}
