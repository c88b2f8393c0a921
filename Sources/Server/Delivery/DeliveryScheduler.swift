import Envelope
import Foundation
import Logging
import Queue
import ServiceLifecycle

/// Takes due recipients from the journal's due index, groups them by message,
/// action and destination domain, hands each group to its delivery agent, and
/// records every outcome in one journal transaction per group (with the DSN it
/// causes, DESIGN.md contract 2).
///
/// Leases are in memory: a recipient being delivered is skipped until its
/// attempt ends, and after a crash everything in the due index is due again.
actor DeliveryScheduler: Service {
    let journal: Journal
    let agents: DeliveryAgents
    let store: ConfigurationStore
    private let metrics: DaemonMetrics
    private let reportIDs = MessageIDGenerator()
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation
    /// Recipients whose attempt is running (or whose operator change is being
    /// committed): `messageID/index`.
    var inFlight: Set<RecipientKey> = []
    private var running = 0
    private var lastPurge = Date.distantPast
    /// Destinations that could not be reached, and until when they rest.
    var backedOff: [String: (until: Date, reason: String)] = [:]
    /// Flows the operator paused (`ternctl pause`).
    var paused = DeliveryPause()
    /// Recipients moved out of the way while their flow was paused; resuming brings them back.
    var parkedByPause: Set<RecipientKey> = []
    /// Messages to hold or remove once their running attempts end.
    var pendingHolds: Set<MessageID> = []
    var pendingRemovals: Set<MessageID> = []
    private var random = SystemRandomNumberGenerator()
    /// The last due-index entry a pass dealt with: the next pass reads on
    /// from there instead of from the start, past everything in flight.
    private var dueCursor: DueRecipient?
    /// When the due index was last read from its start, which picks up
    /// entries that landed before the cursor (at most one `idlePoll` late).
    private var lastFullScan = Date.distantPast

    /// At most this many groups are delivered at once.
    let maxConcurrentDeliveries: Int
    /// The longest the scheduler sleeps before looking at the due index again.
    let idlePoll: Duration

    struct RecipientKey: Hashable {
        var id: MessageID
        var index: UInt32
    }

    init(journal: Journal, store: ConfigurationStore, agents: DeliveryAgents, metrics: DaemonMetrics, logger: Logger,
         maxConcurrentDeliveries: Int = 64, idlePoll: Duration = .seconds(1)) {
        self.journal = journal
        self.store = store
        self.agents = agents
        self.metrics = metrics
        self.logger = logger
        self.maxConcurrentDeliveries = maxConcurrentDeliveries
        self.idlePoll = idlePoll
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the scheduler to look at the due index now (after an enqueue or an operator change).
    nonisolated func notify() {
        wakeup.yield()
    }

    func run() async throws {
        logger.notice("delivery scheduler started")
        // Discarding: finished deliveries must not pile up as results until shutdown.
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                var iterator = wakeups.makeAsyncIterator()
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    for batch in plan() {
                        running += 1
                        group.addTask { await self.deliver(batch) }
                    }
                    await purgeHistoryWhenDue()
                    await waitForWork(&iterator)
                }
            } onGracefulShutdown: {
                self.wakeup.yield()
            }
        }
        logger.notice("delivery scheduler stopped")
    }

    private func waitForWork(_ iterator: inout AsyncStream<Void>.Iterator) async {
        let poll = idlePoll
        let nudge = wakeup
        let timer = Task {
            // A cancelled timer must not wake the loop, or it would spin.
            guard (try? await Task.sleep(for: poll)) != nil else { return }
            nudge.yield()
        }
        _ = await iterator.next(isolation: #isolation)
        timer.cancel()
    }

    /// Completed messages stay for replay until `queue retention` has passed, then go.
    private func purgeHistoryWhenDue() async {
        let retention = store.current.configuration.queue.retention.timeInterval
        let now = Date()
        guard now.timeIntervalSince(lastPurge) >= min(60, max(1, retention / 2)) else { return }
        lastPurge = now
        do {
            try await journal.commit([.purgeHistory(before: now.addingTimeInterval(-retention))])
        } catch {
            logger.error("cannot purge completed messages: \(error)")
        }
    }

    // MARK: - Planning

    /// Groups due recipients that are not in flight into batches, leasing them.
    private func plan() -> [DeliveryBatch] {
        let capacity = maxConcurrentDeliveries - running
        guard capacity > 0 else { return [] }
        let current = store.current
        let router = DeliveryRouter(configuration: current.configuration, tables: current.tables)
        let now = Date()
        if now.timeIntervalSince(lastFullScan) >= idlePoll.timeInterval {
            dueCursor = nil
        }
        var due: [DueRecipient]
        do {
            due = try journal.dueRecipients(after: dueCursor, until: now, limit: 4 * maxConcurrentDeliveries)
            if due.isEmpty && dueCursor != nil {
                dueCursor = nil
                due = try journal.dueRecipients(until: now, limit: 4 * maxConcurrentDeliveries + inFlight.count)
            }
        } catch {
            logger.error("cannot read the due index: \(error)")
            return []
        }
        if dueCursor == nil { lastFullScan = now }
        backedOff = backedOff.filter { $0.value.until > now }
        var byMessage: [MessageID: [UInt32]] = [:]
        var order: [MessageID] = []
        for entry in due where !inFlight.contains(RecipientKey(id: entry.messageID, index: entry.index)) {
            if byMessage[entry.messageID] == nil { order.append(entry.messageID) }
            byMessage[entry.messageID, default: []].append(entry.index)
        }
        var batches: [DeliveryBatch] = []
        var postponed: [(QueuedMessage, UInt32, Date, String?)] = []
        defer { postpone(postponed) }
        var handled: Set<MessageID> = []
        defer { advanceCursor(over: due, handled: handled) }
        for id in order where batches.count < capacity {
            handled.insert(id)
            let message: QueuedMessage
            do {
                guard let found = try journal.message(id) else { continue }
                message = found
            } catch let error as JournalError where error.code == .corruptRecord {
                quarantine(id, indices: byMessage[id] ?? [], reason: error.detail)
                continue
            } catch {
                logger.error("id=\(id) cannot be read: \(error)")
                continue
            }
            var groups: [String: DeliveryBatch] = [:]
            var groupOrder: [String] = []
            for index in byMessage[id] ?? [] where Int(index) < message.recipients.count {
                let recipient = message.recipients[Int(index)]
                // Held recipients are listed at their expiry; only expiry moves them.
                if recipient.state == .held && now < message.envelope.expiry { continue }
                if let rest = backedOff[recipient.address.normalizedDomain], now < message.envelope.expiry {
                    postponed.append((message, index, rest.until, rest.reason))
                    continue
                }
                let route: DeliveryBatch.Route
                let key: String
                if now >= message.envelope.expiry {
                    (route, key) = (.expired, "\u{0}expired")
                } else {
                    switch router.route(recipient, of: message.envelope) {
                    case .action(let action): (route, key) = (.action(action), "\(action.name)\u{0}\(recipient.address.normalizedDomain)")
                    case .unroutable(let reason): (route, key) = (.unroutable(reason), "\u{0}\(reason)")
                    }
                }
                if case .action(let action) = route, paused.holdsBack(action, domain: recipient.address.normalizedDomain) {
                    postponed.append((message, index, now.addingTimeInterval(DeliveryPause.parkingTime), nil))
                    parkedByPause.insert(RecipientKey(id: id, index: index))
                    continue
                }
                if groups[key] == nil {
                    groupOrder.append(key)
                    groups[key] = DeliveryBatch(message: message, route: route, domain: recipient.address.normalizedDomain, indices: [])
                }
                groups[key]?.indices.append(index)
            }
            for key in groupOrder {
                guard let batch = groups[key] else { continue }
                for index in batch.indices { inFlight.insert(RecipientKey(id: id, index: index)) }
                batches.append(batch)
            }
        }
        return batches
    }

    /// Takes a message whose records do not decode out of service (leased
    /// until the change is durable, so it is logged once); the rest flows on.
    private func quarantine(_ id: MessageID, indices: [UInt32], reason: String) {
        for index in indices { inFlight.insert(RecipientKey(id: id, index: index)) }
        Task {
            do {
                try await journal.commit([.quarantine(id, reason: reason)])
                logger.error("id=\(id) quarantined: \(reason) (ternctl show queue --corrupt)")
            } catch {
                logger.error("id=\(id) cannot be read (\(reason)) nor quarantined: \(error)")
            }
            for index in indices { inFlight.remove(RecipientKey(id: id, index: index)) }
        }
    }

    /// Moves the cursor to the last entry before the first one this pass left
    /// for later (capacity ran out); entries in flight count as dealt with.
    private func advanceCursor(over due: [DueRecipient], handled: Set<MessageID>) {
        var last: DueRecipient?
        for entry in due {
            guard handled.contains(entry.messageID) || inFlight.contains(RecipientKey(id: entry.messageID, index: entry.index)) else { break }
            last = entry
        }
        if let last { dueCursor = last }
    }

    /// Moves recipients of a backed-off or paused destination to the end of
    /// its rest (never past expiry), without counting an attempt, so they do
    /// not crowd the due index; a reason replaces the last reply.
    private func postpone(_ entries: [(QueuedMessage, UInt32, Date, String?)]) {
        guard !entries.isEmpty else { return }
        let changes: [JournalChange] = entries.map { message, index, until, reason in
            var recipient = message.recipients[Int(index)]
            recipient.nextAttempt = min(until, max(message.envelope.expiry, Date()))
            if let reason { recipient.lastReply = reason }
            return .updateRecipient(message.envelope.id, index: index, recipient)
        }
        for (message, index, _, _) in entries { inFlight.insert(RecipientKey(id: message.envelope.id, index: index)) }
        running += 1
        Task {
            do {
                try await journal.commit(changes)
            } catch {
                logger.error("cannot postpone recipients of backed-off destinations: \(error)")
            }
            for (message, index, _, _) in entries { inFlight.remove(RecipientKey(id: message.envelope.id, index: index)) }
            running -= 1
        }
    }

    // MARK: - Delivering

    private func deliver(_ batch: DeliveryBatch) async {
        let id = batch.message.envelope.id
        let body: [UInt8]?
        do {
            body = try journal.body(of: id)
        } catch let error as JournalError where error.code == .corruptRecord {
            // A damaged body takes its message out of service once, like a damaged envelope.
            do {
                try await journal.commit([.quarantine(id, reason: "message body: \(error.detail)")])
                logger.error("id=\(id) quarantined: message body: \(error.detail) (ternctl show queue --corrupt)")
            } catch {
                logger.error("id=\(id) cannot read the message nor quarantine it: \(error)")
            }
            body = nil
        } catch {
            logger.error("id=\(id) cannot read the message: \(error)")
            body = nil
        }
        guard let body else { return release(batch) }
        let started = ContinuousClock.now
        metrics.attemptStarted(recipients: batch.indices.count)
        defer { metrics.attemptFinished(recipients: batch.indices.count, duration: ContinuousClock.now - started) }
        let results: [DeliveryResult]
        switch batch.route {
        case .action(let action):
            results = await agents.deliver(batch, action: action, body: body)
        case .expired:
            results = batch.recipients.map { index, recipient in
                let previous = recipient.lastReply.map { "; last attempt: \($0)" } ?? ""
                return .failed(index, .permanent(.deliveryTimeExpired, "delivery time expired\(previous)"))
            }
        case .unroutable(let reason):
            results = batch.indices.map { .failed($0, .temporary(EnhancedStatus(4, 3, 5), "cannot route: \(reason)")) }
        }
        await record(batch, results, body: body, now: Date())
        release(batch)
    }

    func release(_ batch: DeliveryBatch) {
        for index in batch.indices { inFlight.remove(RecipientKey(id: batch.message.envelope.id, index: index)) }
        running -= 1
        wakeup.yield()
    }

    /// Writes the outcomes and any DSN they cause in one transaction.
    private func record(_ batch: DeliveryBatch, _ results: [DeliveryResult], body: [UInt8], now: Date) async {
        let envelope = batch.message.envelope
        let configuration = store.current.configuration
        let reports = DeliveryReports(configuration: configuration, ids: reportIDs, logger: logger)
        var changes: [JournalChange]
        var updated: [(UInt32, Recipient, DeliveryResult)] = []
        var delayed: [Recipient] = []
        for result in results {
            var recipient = batch.message.recipients[Int(result.index)]
            recipient.attempts += 1
            recipient.lastAttempt = now
            recipient.lastStatus = result.status
            recipient.lastReply = result.reply
            recipient.remoteHost = result.remoteHost
            switch result.outcome {
            case .delivered:
                recipient.state = .delivered
            case .permanent:
                recipient.state = .failed
            case .temporary where now >= envelope.expiry:
                recipient.state = .failed
                recipient.lastStatus = .deliveryTimeExpired
                recipient.lastReply = "delivery time expired; last attempt: \(result.reply)"
            case .temporary:
                let policy = configuration.queue.policy(forDomain: batch.domain)
                let retry = RetryPolicy(minimum: policy.retryMinimum, maximum: policy.retryMaximum)
                recipient.state = .scheduled
                recipient.nextAttempt = retry.nextAttempt(afterAttempts: recipient.attempts, now: now, expiry: envelope.expiry, using: &random)
                if !recipient.delayWarned, now.timeIntervalSince(envelope.arrival) >= policy.warn.timeInterval {
                    recipient.delayWarned = true
                    if DSNPolicy.shouldReport(.delayed, for: recipient, of: envelope, defaultDelayWhenAbsent: configuration.bounce.warnOnMissingNotify) {
                        delayed.append(recipient)
                    }
                }
            }
            updated.append((result.index, recipient, result))
        }
        let followUp = operatorFollowUp(after: batch, updated: &updated)
        changes = updated.map { .updateRecipient(envelope.id, index: $0.0, $0.1) }
        changes += reports.changes(for: batch.message, outcomes: updated, body: body, now: now)
        changes += DeliveryForwards(configuration: configuration, ids: reportIDs).changes(for: envelope, outcomes: updated, body: body, now: now)
        if !delayed.isEmpty, let warning = reports.delayWarning(for: batch.message, recipients: delayed, body: body, now: now) {
            changes.append(warning)
        }
        changes += followUp.changes
        do {
            try await journal.commit(changes)
        } catch {
            logger.error("id=\(envelope.id) cannot record delivery outcome: \(error); the attempt will be repeated")
            return
        }
        settle(followUp, of: envelope.id)
        metrics.outcomesRecorded(updated.map(\.1.state), arrival: envelope.arrival, now: now, dsns: changes.count - updated.count - followUp.changes.count)
        for (_, recipient, result) in updated { log(batch, recipient, result, now: now) }
        if let unreachable = results.first(where: \.destinationUnreachable),
           let next = updated.first(where: { $0.2.destinationUnreachable && $0.1.state == .scheduled })?.1.nextAttempt {
            backedOff[batch.domain] = (next, "destination backed off: \(unreachable.reply)")
            logger.notice("destination \(batch.domain) unreachable, backed off until \(next)")
        }
    }

    private func log(_ batch: DeliveryBatch, _ recipient: Recipient, _ result: DeliveryResult, now: Date) {
        let envelope = batch.message.envelope
        let status = switch recipient.state {
        case .delivered: "sent"
        case .failed: "bounced"
        default: "deferred"
        }
        let delay = String(format: "%.2f", now.timeIntervalSince(envelope.arrival))
        let relay: String = switch batch.route {
        case .action(let action): result.remoteHost ?? action.name
        case .expired, .unroutable: "none"
        }
        let line = "id=\(envelope.id) to=\(recipient.address.wireForm) relay=\(relay) delay=\(delay) attempts=\(recipient.attempts) dsn=\(recipient.lastStatus?.description ?? result.status.description) status=\(status) (\(recipient.lastReply ?? result.reply))"
        if recipient.state == .delivered { logger.info("\(line)") } else { logger.notice("\(line)") }
    }
}

/// The agents that carry out deliveries, by action kind.
struct DeliveryAgents: Sendable {
    var local: LocalDeliveryAgent
    var remote: RemoteDeliveryAgent

    func deliver(_ batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [DeliveryResult] {
        switch action.method {
        case .maildir, .mbox, .mda:
            await local.deliver(batch, action: action, body: body)
        case .lmtp, .relay:
            await remote.deliver(batch, action: action, body: body)
        }
    }
}
