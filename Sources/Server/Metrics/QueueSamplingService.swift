import Logging
import Queue
import ServiceLifecycle

/// Samples the journal's entry counts every `interval` into the queue-depth
/// gauges, so that a scrape or `ternctl show stats` never reads the journal.
final class QueueSamplingService: Service {
    let journal: Journal
    let metrics: DaemonMetrics
    let interval: Duration
    let logger: Logger

    init(journal: Journal, metrics: DaemonMetrics, interval: Duration = .seconds(5), logger: Logger) {
        self.journal = journal
        self.metrics = metrics
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                metrics.queueSampled(try journal.counts())
            } catch {
                logger.warning("cannot sample the queue depth: \(error)")
            }
            // Shutdown ends the sleep early.
            let interval = self.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
