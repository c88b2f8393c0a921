import Envelope
import Foundation
import Queue
import Transport

/// What the operator asks of queued recipients through `ternctl`.
enum RecipientOperation: String, Sendable {
    /// Due now, and the destination's back-off lifted.
    case schedule
    /// No attempts until released; expiry still applies.
    case hold
    /// Held recipients due now.
    case release
    /// The whole message goes, without notice.
    case remove
}

/// The holds and removals that wait for a message's running attempts to end.
struct OperatorFollowUp {
    var changes: [JournalChange] = []
    var settlesHold = false
    var settlesRemoval = false
}

extension DeliveryScheduler {
    // MARK: - Pause and resume

    /// Pauses remote or local delivery, or one destination.
    func pause(_ flow: ControlFlow) -> String {
        switch flow {
        case .mta: paused.mta = true
        case .mda: paused.mda = true
        case .destination(let domain): paused.destinations.insert(domain.lowercased())
        case .smtp: return "smtp is paused by the listeners, not the scheduler"
        }
        logger.notice("delivery paused: \(flow)")
        return "\(flow) paused"
    }

    /// Resumes a paused flow and brings its parked recipients back now.
    func resume(_ flow: ControlFlow) async -> String {
        switch flow {
        case .mta: paused.mta = false
        case .mda: paused.mda = false
        case .destination(let domain): paused.destinations.remove(domain.lowercased())
        case .smtp: return "smtp is resumed by the listeners, not the scheduler"
        }
        logger.notice("delivery resumed: \(flow)")
        let parked = parkedByPause
        parkedByPause = []
        let ids = Set(parked.map(\.id))
        let count = await change(ids.sorted(by: { $0.description < $1.description })) { message, index, recipient in
            guard parked.contains(RecipientKey(id: message.envelope.id, index: index)), recipient.state == .scheduled else { return nil }
            var due = recipient
            due.nextAttempt = Date()
            return due
        }
        return "\(flow) resumed; \(count) recipient\(count == 1 ? "" : "s") due now"
    }

    // MARK: - Operations on messages

    /// Carries out `operation` on the selected messages (all when nil) and says what it did.
    func perform(_ operation: RecipientOperation, on selection: [MessageID]?) async throws -> String {
        let ids = try selection ?? journal.messageIDs()
        var deferred = 0
        var missing = 0
        var count = 0
        switch operation {
        case .remove:
            var removable: [MessageID] = []
            for id in ids {
                // A quarantined message (records that do not decode) can be removed too.
                guard try journal.message(id) != nil || journal.quarantinedMessage(id) != nil else { missing += 1; continue }
                if inFlight.contains(where: { $0.id == id }) {
                    pendingRemovals.insert(id)
                    deferred += 1
                } else {
                    removable.append(id)
                }
            }
            for chunk in stride(from: 0, to: removable.count, by: 1000) {
                try await journal.commit(removable[chunk..<min(chunk + 1000, removable.count)].map { .remove($0) })
            }
            count = removable.count
            for id in removable { logger.notice("id=\(id) removed by the operator") }
        case .schedule, .hold, .release:
            let now = Date()
            if operation == .hold {
                for id in ids where inFlight.contains(where: { $0.id == id }) {
                    pendingHolds.insert(id)
                    deferred += 1
                }
            }
            if operation == .release { for id in ids { pendingHolds.remove(id) } }
            var domains: Set<String> = []
            count = await change(ids) { message, _, recipient in
                var changed = recipient
                switch (operation, recipient.state) {
                case (.schedule, .scheduled):
                    changed.nextAttempt = now
                    domains.insert(recipient.address.normalizedDomain)
                case (.hold, .scheduled):
                    changed.state = .held
                    changed.nextAttempt = message.envelope.expiry
                case (.release, .held):
                    changed.state = .scheduled
                    changed.nextAttempt = now
                default:
                    return nil
                }
                return changed
            }
            for domain in domains { backedOff[domain] = nil }
            if selection == nil, operation == .schedule { backedOff = [:] }
        }
        notify()
        var summary = "\(count) \(operation == .remove ? "message" : "recipient")\(count == 1 ? "" : "s") \(operation.pastTense)"
        if deferred > 0 { summary += "; \(deferred) message\(deferred == 1 ? "" : "s") in flight, \(operation.pastTense) when the attempt ends" }
        if missing > 0 { summary += "; \(missing) not found" }
        return summary
    }

    /// Rewrites recipients of `ids` that are not in flight with `transform`
    /// (nil: unchanged), leasing them while the change commits; returns how many changed.
    func change(_ ids: [MessageID], _ transform: (QueuedMessage, UInt32, Recipient) -> Recipient?) async -> Int {
        var updates: [(RecipientKey, Recipient)] = []
        for id in ids {
            guard let message = try? journal.message(id), message.completed == nil else { continue }
            for (offset, recipient) in message.recipients.enumerated() {
                let key = RecipientKey(id: id, index: UInt32(offset))
                guard !inFlight.contains(key), let changed = transform(message, UInt32(offset), recipient) else { continue }
                inFlight.insert(key)
                updates.append((key, changed))
            }
        }
        var count = 0
        for start in stride(from: 0, to: updates.count, by: 1000) {
            let chunk = updates[start..<min(start + 1000, updates.count)]
            do {
                try await journal.commit(chunk.map { .updateRecipient($0.0.id, index: $0.0.index, $0.1) })
                count += chunk.count
            } catch {
                logger.error("cannot record an operator change: \(error)")
            }
            for (key, _) in chunk { inFlight.remove(key) }
        }
        return count
    }

    /// The holds and removals waiting for the attempts of `message` at the
    /// `attempted` recipients to end: held recipients stay held, and a removal
    /// happens in the same transaction as the outcome of the message's last
    /// running attempt.
    func operatorFollowUp(for message: QueuedMessage, attempted: Set<UInt32>, updated: inout [(UInt32, Recipient, DeliveryResult)]) -> OperatorFollowUp {
        let id = message.envelope.id
        var followUp = OperatorFollowUp()
        let lastAttempt = !inFlight.contains { $0.id == id && !attempted.contains($0.index) }
        if pendingHolds.contains(id) {
            for offset in updated.indices where updated[offset].1.state == .scheduled {
                updated[offset].1.state = .held
                updated[offset].1.nextAttempt = message.envelope.expiry
            }
            followUp.settlesHold = lastAttempt
        }
        if pendingRemovals.contains(id), lastAttempt {
            followUp.changes.append(.remove(id))
            followUp.settlesRemoval = true
        }
        return followUp
    }

    /// Forgets the pending operations a committed follow-up carried out.
    func settle(_ followUp: OperatorFollowUp, of id: MessageID) {
        if followUp.settlesHold { pendingHolds.remove(id) }
        if followUp.settlesRemoval {
            pendingRemovals.remove(id)
            logger.notice("id=\(id) removed by the operator after its last attempt")
        }
    }

    // MARK: - Reports

    /// The recipient indices being attempted now, by message.
    func attemptsInFlight() -> [MessageID: Set<Int>] {
        var result: [MessageID: Set<Int>] = [:]
        for key in inFlight { result[key.id, default: []].insert(Int(key.index)) }
        return result
    }

    /// Back-off and pause by destination, merged with the limiter's connection counts.
    func destinations(limits: [String: DestinationLimiter.Usage]) -> [DestinationReport] {
        let now = Date()
        let domains = Set(limits.keys).union(backedOff.keys).union(paused.destinations)
        return domains.sorted().map { domain in
            let usage = limits[domain]
            let rest = backedOff[domain].flatMap { $0.until > now ? $0 : nil }
            return DestinationReport(
                domain: domain, activeDeliveries: usage?.active ?? 0, waiting: usage?.waiting ?? 0, recentStarts: usage?.recentStarts ?? 0,
                backedOffUntil: rest?.until, backOffReason: rest?.reason, paused: paused.destinations.contains(domain)
            )
        }
    }

    /// Paused delivery flows in words.
    var pausedFlows: [String] { paused.descriptions }
}

extension RecipientOperation {
    var pastTense: String {
        switch self {
        case .schedule: "scheduled"
        case .hold: "held"
        case .release: "released"
        case .remove: "removed"
        }
    }
}
