import Envelope
import Foundation
import Logging
import Queue
import Transport

/// Carries out control commands against the running daemon: one switch over
/// ``ControlCommand``, the table of operator actions.
struct ControlDispatcher: Sendable {
    let journal: Journal
    let scheduler: DeliveryScheduler
    let store: ConfigurationStore
    let gate: IngressGate
    let limiter: DestinationLimiter
    let logLevels: LogLevelControl
    let metrics: DaemonMetrics
    let ids: MessageIDGenerator
    let started: Date
    let listeners: [String]
    let logger: Logger

    /// The daemon's version, as `show status` reports it.
    static let version = "0.2.0"

    func handle(_ command: ControlCommand) async -> ControlResult {
        do {
            return try await carryOut(command)
        } catch {
            return .failed("\(error)")
        }
    }

    private func carryOut(_ command: ControlCommand) async throws -> ControlResult {
        switch command {
        case .showQueue(let query):
            return .queue(try await queue(matching: query))
        case .showMessage(let text, let withBody):
            let id = try messageID(text)
            guard let message = try journal.message(id) else { return .failed("no message \(text)") }
            let inFlight = await scheduler.attemptsInFlight()[id] ?? []
            let report = MessageReport(envelope: message.envelope, recipients: message.recipients, completed: message.completed, inFlight: inFlight)
            return .message(report, body: withBody ? try journal.body(of: id).map { Data($0) } : nil)
        case .showStats:
            return .stats(try await statistics())
        case .showStatus:
            return .status(await status())
        case .showHosts:
            return .hosts(await scheduler.destinations(limits: limiter.usage()))
        case .pause(.smtp):
            gate.pause()
            logger.notice("smtp paused: new sessions are answered 421")
            return .done("smtp paused")
        case .resume(.smtp):
            gate.resume()
            logger.notice("smtp resumed")
            return .done("smtp resumed")
        case .pause(let flow):
            return .done(await scheduler.pause(flow))
        case .resume(let flow):
            return .done(await scheduler.resume(flow))
        case .schedule(let selection):
            return .done(try await scheduler.perform(.schedule, on: try messageIDs(selection)))
        case .hold(let selection):
            return .done(try await scheduler.perform(.hold, on: try messageIDs(selection)))
        case .release(let selection):
            return .done(try await scheduler.perform(.release, on: try messageIDs(selection)))
        case .remove(let selection):
            return .done(try await scheduler.perform(.remove, on: try messageIDs(selection)))
        case .updateTable(let name):
            try store.reloadTable(named: name)
            logger.notice("table \(name) reloaded")
            return .done("table \(name) reloaded")
        case .log(let verbose):
            logLevels.setVerbose(verbose)
            logger.notice("log level \(verbose ? "verbose" : "brief")")
            return .done("log level \(verbose ? "verbose (debug)" : "brief (\(logLevels.briefLevel))")")
        case .trace(let subsystem, let enabled):
            guard logLevels.setTrace(subsystem, enabled: enabled) else {
                return .failed("unknown subsystem \(subsystem); one of \(LogLevelControl.subsystems.joined(separator: ", "))")
            }
            return .done("trace \(subsystem) \(enabled ? "on" : "off")")
        case .enqueue(let submission):
            return try await enqueue(submission)
        case .checkRecipient(let check):
            return checkRecipient(check)
        case .importArchive(let path):
            let report = try await journal.importArchive(at: path)
            scheduler.notify()
            logger.notice("import \(path): \(report.imported.count) imported, \(report.skipped.count) skipped, \(report.failed.count) failed")
            var lines = report.imported.map { "imported \($0)" } + report.skipped.map { "skipped \($0): already in the journal" }
            lines += report.failed.map { "not imported \($0.id): \($0.reason)" }
            if let error = report.archiveError { lines.append("\(path): \(error)") }
            lines.append("-- \(report.imported.count) imported, \(report.skipped.count) skipped, \(report.failed.count) failed")
            return report.isComplete ? .done(lines.joined(separator: "\n")) : .failed(lines.joined(separator: "\n"))
        case .replay(let request):
            let selection = JournalSelection(
                ids: Set(try request.ids.map(messageID)), recipientDomain: request.domain,
                completedSince: request.since, completedUntil: request.until
            )
            let replayed = try await journal.replay(selection)
            scheduler.notify()
            for id in replayed { logger.notice("id=\(id) replayed by the operator") }
            let lines = replayed.map { "requeued \($0)" } + ["-- \(replayed.count) message\(replayed.count == 1 ? "" : "s") requeued"]
            return .done(lines.joined(separator: "\n"))
        }
    }

    private func messageID(_ text: String) throws -> MessageID {
        guard let id = MessageID(text) else { throw Refusal("'\(text)' is not a message id (20 base32 characters)") }
        return id
    }

    private func messageIDs(_ selection: MessageSelection) throws -> [MessageID]? {
        switch selection {
        case .all: nil
        case .messages(let texts): try texts.map(messageID)
        }
    }

    private func queue(matching query: QueueQuery) async throws -> [MessageReport] {
        let inFlight = await scheduler.attemptsInFlight()
        let now = Date()
        var reports: [MessageReport] = []
        for id in try journal.messageIDs() {
            guard let message = try? journal.message(id),
                  query.matches(message.envelope, message.recipients, completed: message.completed != nil, now: now) else { continue }
            reports.append(MessageReport(envelope: message.envelope, recipients: message.recipients, completed: message.completed, inFlight: inFlight[id] ?? []))
        }
        return reports
    }

    /// The metrics' counters and gauges, with the queue counted now rather than sampled.
    private func statistics() async throws -> StatisticsReport {
        let stats = metrics.snapshot()
        let counts = try journal.counts()
        let inFlight = await scheduler.attemptsInFlight().values.reduce(0) { $0 + $1.count }
        func counter(_ name: String, _ value: Int) -> StatisticsReport.Entry { .init(name: name, value: Double(value), isCounter: true) }
        func gauge(_ name: String, _ value: Double) -> StatisticsReport.Entry { .init(name: name, value: value, isCounter: false) }
        return StatisticsReport(entries: [
            gauge("uptime.seconds", stats.uptime.rounded()),
            gauge("smtp.sessions.current", Double(stats.sessionsCurrent)),
            counter("smtp.sessions.total", stats.sessionsTotal),
            counter("smtp.sessions.refused", stats.sessionsRejected),
            counter("ingress.messages.accepted", stats.messagesAccepted),
            counter("ingress.recipients.accepted", stats.recipientsAccepted),
            counter("ingress.recipients.rejected", stats.recipientsRejected),
            counter("delivery.recipients.delivered", stats.recipientsDelivered),
            counter("delivery.recipients.deferred", stats.recipientsDeferred),
            counter("delivery.recipients.bounced", stats.recipientsBounced),
            counter("delivery.dsns.generated", stats.dsnsGenerated),
            gauge("delivery.recipients.in_flight", Double(inFlight)),
            gauge("outbound.connections.current", Double(stats.outboundConnectionsCurrent)),
            counter("outbound.connections.total", stats.outboundConnectionsTotal),
            counter("journal.commits", stats.journalCommits),
            counter("journal.submissions", stats.journalSubmissions),
            gauge("journal.largest_batch", Double(stats.journalLargestBatch)),
            gauge("journal.bytes", Double(journal.usedBytes)),
            gauge("queue.messages", Double(counts.messages - counts.completed)),
            gauge("queue.completed", Double(counts.completed)),
            gauge("queue.recipients.pending", Double(counts.scheduled)),
            gauge("queue.recipients.stored", Double(counts.recipients)),
        ])
    }

    private func status() async -> DaemonStatus {
        let configuration = store.current.configuration
        let paused = (gate.isPaused ? ["smtp"] : []) + (await scheduler.pausedFlows)
        return DaemonStatus(
            version: Self.version, hostname: configuration.hostname, pid: getpid(), started: started,
            queuePath: configuration.queue.path, listeners: listeners, paused: paused
        )
    }

    /// Local submissions judged by the configuration and tables in force.
    private var localSubmission: LocalSubmission {
        let current = store.current
        return LocalSubmission(configuration: current.configuration, tables: current.tables)
    }

    private func checkRecipient(_ check: RecipientCheck) -> ControlResult {
        do {
            try localSubmission.check(check)
        } catch {
            return .failed(error.description)
        }
        return .done("recipient accepted")
    }

    private func enqueue(_ submission: Submission) async throws -> ControlResult {
        let now = Date()
        let id = ids.next(now: now)
        let message: NewMessage
        do {
            message = try localSubmission.message(from: submission, id: id, now: Date(journalMilliseconds: now))
        } catch {
            logger.info("reject: local submission from user \(submission.user ?? "unknown"): \(error)")
            return .failed(error.description)
        }
        try await journal.enqueue(message)
        metrics.messageAccepted(recipients: message.recipients.count)
        logger.info("id=\(id) from=\(message.envelope.sender.wireForm) size=\(message.envelope.size) nrcpt=\(message.recipients.count) proto=local user=\(submission.user ?? "unknown")")
        scheduler.notify()
        return .enqueued(id: id.description)
    }

    /// A refusal in words.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
