import Envelope
import Foundation
import Logging
import Queue
import ServiceLifecycle

/// Takes due recipients from the journal's due index, batches them by message,
/// action and destination domain, hands each batch to its delivery agent, and
/// records the outcomes of all batches of one message planned in one pass
/// (a ``DeliveryGroup``) in one journal transaction, with the DSNs they cause
/// (DESIGN.md contract 2): one failure report per message and pass, however
/// many destinations its failed recipients had.
///
/// Leases are in memory: a recipient being delivered is skipped until its
/// attempt ends, and after a crash everything in the due index is due again.
actor DeliveryScheduler: Service {
    let journal: Journal
    let agents: DeliveryAgents
    let store: ConfigurationStore
    let metrics: DaemonMetrics
    let reportIDs = MessageIDGenerator()
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    let wakeup: AsyncStream<Void>.Continuation
    /// Recipients whose attempt is running (or whose operator change is being
    /// committed): `messageID/index`.
    var inFlight: Set<RecipientKey> = []
    /// Delivery slots taken (see ``maxConcurrentDeliveries``).
    var running = 0
    /// Groups with batches still being attempted, by id.
    var groups: [DeliveryGroup.ID: DeliveryGroup] = [:]
    private var nextGroup: DeliveryGroup.ID = 0
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
    var random = SystemRandomNumberGenerator()
    /// The last due-index entry a pass dealt with: the next pass reads on
    /// from there instead of from the start, past everything in flight.
    private var dueCursor: DueRecipient?
    /// When the due index was last read from its start, which picks up
    /// entries that landed before the cursor (at most one `idlePoll` late).
    private var lastFullScan = Date.distantPast

    /// Planning stops once this many delivery slots are taken. A batch takes
    /// a slot while it is attempted, and the batch that completes its group
    /// keeps it until the group is recorded, so commits in progress count too;
    /// a batch that waits for its siblings gives its slot up. The batches of
    /// one message are planned together even past the limit, so a group never
    /// waits for a slot that its own waiting batches hold.
    let maxConcurrentDeliveries: Int
    /// The longest the scheduler sleeps before looking at the due index again.
    let idlePoll: Duration
    /// Where the scheduler and its delivery tasks run (``DeliveryEventLoop``);
    /// nil for the concurrency pool.
    let executor: (any TaskExecutor)?

    struct RecipientKey: Hashable {
        var id: MessageID
        var index: UInt32
    }

    init(journal: Journal, store: ConfigurationStore, agents: DeliveryAgents, metrics: DaemonMetrics, logger: Logger,
         maxConcurrentDeliveries: Int = 64, idlePoll: Duration = .seconds(1), executor: (any TaskExecutor)? = nil) {
        self.journal = journal
        self.store = store
        self.agents = agents
        self.metrics = metrics
        self.logger = logger
        self.maxConcurrentDeliveries = maxConcurrentDeliveries
        self.idlePoll = idlePoll
        self.executor = executor
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the scheduler to look at the due index now (after an enqueue or an operator change).
    nonisolated func notify() {
        wakeup.yield()
    }

    func run() async throws {
        logger.notice("delivery scheduler started")
        let ticker = startTicker()
        await withTaskExecutorPreference(executor) {
            // Discarding: finished deliveries must not pile up as results until shutdown.
            await withDiscardingTaskGroup { tasks in
                await withGracefulShutdownHandler {
                    var iterator = wakeups.makeAsyncIterator()
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        for (group, batch) in plan() {
                            running += 1
                            tasks.addTask { await self.deliver(batch, of: group) }
                        }
                        await purgeHistoryWhenDue()
                        _ = await iterator.next(isolation: #isolation)
                    }
                } onGracefulShutdown: {
                    self.wakeup.yield()
                }
            }
        }
        ticker.cancel()
        logger.notice("delivery scheduler stopped")
    }

    /// Wakes the loop every `idlePoll`, so that retries fall due without a
    /// nudge. One timer for the scheduler's life: a timer armed for each pass
    /// cost a task and a trip through the dispatch timer thread per pass,
    /// thousands a second under load. A tick while the loop is busy merges
    /// with the wakeups already waiting.
    private func startTicker() -> Task<Void, Never> {
        let poll = idlePoll
        let nudge = wakeup
        return Task {
            while (try? await Task.sleep(for: poll)) != nil {
                nudge.yield()
            }
        }
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

    /// Batches due recipients that are not in flight, leasing them; the
    /// batches of one message form one group, planned whole.
    private func plan() -> [(DeliveryGroup.ID, DeliveryBatch)] {
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
        var batches: [(DeliveryGroup.ID, DeliveryBatch)] = []
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
            var byKey: [String: DeliveryBatch] = [:]
            var keys: [String] = []
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
                if byKey[key] == nil {
                    keys.append(key)
                    byKey[key] = DeliveryBatch(message: message, route: route, domain: recipient.address.normalizedDomain, indices: [])
                }
                byKey[key]?.indices.append(index)
            }
            let planned = keys.compactMap { byKey[$0] }
            guard !planned.isEmpty else { continue }
            nextGroup += 1
            groups[nextGroup] = DeliveryGroup(message: message, batches: planned.count)
            for batch in planned {
                for index in batch.indices { inFlight.insert(RecipientKey(id: id, index: index)) }
                batches.append((nextGroup, batch))
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

    private func deliver(_ batch: DeliveryBatch, of group: DeliveryGroup.ID) async {
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
        guard let body else { return await abandon(batch, of: group) }
        let started = ContinuousClock.now
        metrics.attemptStarted(recipients: batch.indices.count)
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
        // The attempt is over before its outcome is recorded, so a scrape that sees the outcome sees the attempt too.
        metrics.attemptFinished(recipients: batch.indices.count, duration: ContinuousClock.now - started)
        await finish(batch, of: group, results: results, body: body, now: Date())
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
