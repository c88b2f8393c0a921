import Envelope
import Foundation
import Queue

extension DeliveryScheduler {
    // MARK: - Finishing batches and groups

    /// Takes the results of an attempted batch into its group. The batch
    /// gives its delivery slot up and its recipients stay leased while its
    /// siblings run; the batch that completes the group records the whole
    /// group and then releases every lease and its own slot.
    func finish(_ batch: DeliveryBatch, of id: DeliveryGroup.ID, results: [DeliveryResult], body: [UInt8], now: Date) async {
        var group = groups[id] ?? DeliveryGroup(message: batch.message, batches: 1)
        let isComplete = group.finish(batch, results: results, body: body, at: now)
        await settle(group, id: id, isComplete: isComplete, now: now)
    }

    /// Counts out a batch that could not be attempted (its body could not be
    /// read): its recipients are released at once, and the group completes
    /// with the batches that were attempted.
    func abandon(_ batch: DeliveryBatch, of id: DeliveryGroup.ID) async {
        unlease(batch.message.envelope.id, batch.indices)
        guard var group = groups[id] else { return freeSlot() }
        let isComplete = group.abandon()
        await settle(group, id: id, isComplete: isComplete, now: Date())
    }

    /// Keeps a group whose other batches still run (this batch gives its
    /// slot up), or records a complete one and releases its leases and slot.
    private func settle(_ group: DeliveryGroup, id: DeliveryGroup.ID, isComplete: Bool, now: Date) async {
        guard isComplete else {
            groups[id] = group
            return freeSlot()
        }
        groups[id] = nil
        await record(group, now: now)
        unlease(group.message.envelope.id, group.attemptedIndices)
        freeSlot()
    }

    private func unlease(_ id: MessageID, _ indices: some Sequence<UInt32>) {
        for index in indices { inFlight.remove(RecipientKey(id: id, index: index)) }
    }

    private func freeSlot() {
        running -= 1
        wakeup.yield()
    }

    // MARK: - Recording

    /// Writes the outcomes of every attempt of `group`, and the DSNs they
    /// cause, in one transaction: one failure report, one success report and
    /// one delay warning for the message, over the union of its outcomes,
    /// recipients in envelope order.
    /// When the commit fails, nothing is recorded and every attempt of the
    /// group is repeated.
    private func record(_ group: DeliveryGroup, now: Date) async {
        guard let body = group.body, !group.attempts.isEmpty else { return }
        let message = group.message
        let envelope = message.envelope
        let configuration = store.current.configuration
        let reports = DeliveryReports(configuration: configuration, ids: reportIDs, logger: logger)
        var updated: [(UInt32, Recipient, DeliveryResult)] = []
        var delayed: [Recipient] = []
        for attempt in group.attempts {
            let policy = configuration.queue.policy(forDomain: attempt.batch.domain)
            for result in attempt.results {
                let (recipient, warn) = outcome(of: message, result, policy: policy, now: attempt.finished)
                if warn, DSNPolicy.shouldReport(.delayed, for: recipient, of: envelope, defaultDelayWhenAbsent: configuration.bounce.warnOnMissingNotify) {
                    delayed.append(recipient)
                }
                updated.append((result.index, recipient, result))
            }
        }
        // Reports list recipients in the order the sender gave them, whichever batch finished first.
        updated.sort { $0.0 < $1.0 }
        let followUp = operatorFollowUp(for: message, attempted: group.attemptedIndices, updated: &updated)
        var changes: [JournalChange] = updated.map { .updateRecipient(envelope.id, index: $0.0, $0.1) }
        changes += reports.changes(for: message, outcomes: updated, body: body, now: now)
        changes += DeliveryForwards(configuration: configuration, ids: reportIDs).changes(for: envelope, outcomes: updated, body: body, now: now)
        if !delayed.isEmpty, let warning = reports.delayWarning(for: message, recipients: delayed, body: body, now: now) {
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
        let recorded = Dictionary(updated.map { ($0.0, $0.1) }, uniquingKeysWith: { $1 })
        for attempt in group.attempts {
            for result in attempt.results {
                if let recipient = recorded[result.index] { log(attempt.batch, recipient, result, now: attempt.finished) }
            }
            backOffIfUnreachable(attempt, recorded: recorded)
        }
    }

    /// `result`'s recipient as it is to be recorded, and whether it is due a delay warning now.
    private func outcome(of message: QueuedMessage, _ result: DeliveryResult, policy: QueueConfig.Policy, now: Date) -> (Recipient, warn: Bool) {
        let envelope = message.envelope
        var recipient = message.recipients[Int(result.index)]
        var warn = false
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
            let retry = RetryPolicy(minimum: policy.retryMinimum, maximum: policy.retryMaximum)
            recipient.state = .scheduled
            recipient.nextAttempt = retry.nextAttempt(afterAttempts: recipient.attempts, now: now, expiry: envelope.expiry, using: &random)
            if !recipient.delayWarned, now.timeIntervalSince(envelope.arrival) >= policy.warn.timeInterval {
                recipient.delayWarned = true
                warn = true
            }
        }
        return (recipient, warn)
    }

    /// Backs the attempt's destination off as a whole when none of its servers could be reached.
    private func backOffIfUnreachable(_ attempt: DeliveryGroup.Attempt, recorded: [UInt32: Recipient]) {
        let unreachable = attempt.results.filter(\.destinationUnreachable)
        guard let first = unreachable.first,
              let next = unreachable.compactMap({ recorded[$0.index] }).first(where: { $0.state == .scheduled })?.nextAttempt
        else { return }
        let domain = attempt.batch.domain
        backedOff[domain] = (next, "destination backed off: \(first.reply)")
        logger.notice("destination \(domain) unreachable, backed off until \(next)")
    }

    private func log(_ batch: DeliveryBatch, _ recipient: Recipient, _ result: DeliveryResult, now: Date) {
        let envelope = batch.message.envelope
        let status = switch recipient.state {
        case .delivered: "sent"
        case .failed: "bounced"
        default: "deferred"
        }
        let delay = Self.seconds(now.timeIntervalSince(envelope.arrival))
        let relay: String = switch batch.route {
        case .action(let action): result.remoteHost ?? action.name
        case .expired, .unroutable: "none"
        }
        let line = "id=\(envelope.id) to=\(recipient.address.wireForm) relay=\(relay) delay=\(delay) attempts=\(recipient.attempts) dsn=\(recipient.lastStatus?.description ?? result.status.description) status=\(status) (\(recipient.lastReply ?? result.reply))"
        if recipient.state == .delivered { logger.info("\(line)") } else { logger.notice("\(line)") }
    }

    /// Seconds with two decimals (`12.34`) for the log, without Foundation's
    /// `String(format:)`, which costs more than the rest of the line.
    static func seconds(_ interval: TimeInterval) -> String {
        let hundredths = max(0, Int((interval * 100).rounded()))
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
