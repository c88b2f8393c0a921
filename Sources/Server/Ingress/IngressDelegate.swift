import Envelope
import Foundation
import Logging
import NIOCore
import Queue
import Transport

/// Connects SMTP sessions of one listener to the rules and the journal: it
/// decides each recipient by the match rules, stamps the Received header and
/// stores accepted messages durably before the session answers 250.
struct IngressDelegate: SMTPServerDelegate {
    let store: ConfigurationStore
    let listener: ListenerConfig
    let journal: Journal
    let ids: MessageIDGenerator
    let credentials: CredentialChecker?
    /// Called after each message is stored, to wake the delivery scheduler.
    let stored: @Sendable () -> Void
    let metrics: DaemonMetrics
    let logger: Logger

    func checkRecipient(_ recipient: MailAddress, parameters: RecipientParameters, sender: ReversePath, facts: SMTPSessionFacts) -> SMTPReply? {
        let current = store.current
        let domain = recipient.domain.isEmpty ? current.configuration.hostname : recipient.domain
        let routing = RoutingFacts(
            clientIsLocal: Self.isLoopback(facts.clientAddress),
            clientAddress: facts.clientAddress,
            authenticatedUser: facts.authenticatedUser,
            listenerTag: listener.tag,
            sender: sender.address.map(\.description) ?? "",
            recipientLocalPart: recipient.localPart,
            recipientDomain: domain
        )
        let decision = current.configuration.route(for: routing, tables: current.tables)
        let rejection: SMTPReply? = switch decision {
        case .action(let name): Self.checkLocalUser(MailAddress(localPart: recipient.localPart, domain: domain), facts: routing, action: name, in: current)
        case .reject: SMTPReply(code: 550, status: .relayDenied, "Recipient rejected by policy")
        case .noMatch: .relayDenied("Relay access denied")
        }
        if let rejection {
            metrics.recipientRejected()
            logger.info("reject: RCPT from \(facts.clientAddress): \(rejection.code) \(rejection.lines[0]); from=\(sender.wireForm) to=\(recipient.wireForm)")
        }
        return rejection
    }

    /// For a local action with `alias`, `virtual` or `userbase`: `550 5.1.1`
    /// when the recipient is no entry and no user, `451 4.3.0` when a table
    /// cannot answer now; nil (accepted) otherwise.
    static func checkLocalUser(_ address: MailAddress, facts: RoutingFacts, action name: String, in snapshot: ConfigurationStore.Snapshot) -> SMTPReply? {
        guard let action = snapshot.configuration.actions[name], LocalRecipients.checksRecipients(action) else { return nil }
        let recipients = LocalRecipients(configuration: snapshot.configuration, tables: snapshot.tables)
        let expander = recipients.expander(for: action) { other in
            var facts = facts
            facts.recipientLocalPart = other.localPart
            facts.recipientDomain = other.domain
            return facts
        }
        do {
            return try expander.check(address) ? nil : SMTPReply(code: 550, status: .mailboxUnknown, "User unknown")
        } catch {
            return SMTPReply(code: 451, status: .temporarySystemFailure, "Temporary lookup failure, try again later")
        }
    }

    func prepareMessage(_ transaction: SMTPTransaction, facts: SMTPSessionFacts) -> PreparedMessage {
        let now = Date()
        let id = ids.next(now: now)
        let client: MessageHeaders.ReceivedClient? = listener.masksSource
            ? nil
            : MessageHeaders.ReceivedClient(helo: facts.heloName ?? "unknown", address: facts.clientAddress)
        let header = MessageHeaders.received(
            from: client,
            by: listener.hostname,
            with: MessageHeaders.ReceivedProtocol(
                extended: facts.extended, tls: facts.tls, authenticated: facts.authenticatedUser != nil,
                utf8: transaction.parameters.smtpUTF8
            ),
            id: id,
            for: transaction.recipients.count == 1 ? transaction.recipients[0].address : nil,
            date: now
        )
        return PreparedMessage(id: id.description, header: Array(header.utf8))
    }

    func store(
        _ message: PreparedMessage, transaction: SMTPTransaction, body: SpooledBody, facts: SMTPSessionFacts, eventLoop: any EventLoop
    ) -> EventLoopFuture<Result<String, SMTPStoreFailure>> {
        guard let id = MessageID(message.id) else { return eventLoop.makeSucceededFuture(.failure(.localError)) }
        let configuration = store.current.configuration
        let now = Date(journalMilliseconds: id.date)
        var flags: Envelope.Flags = []
        if transaction.parameters.smtpUTF8 { flags.insert(.smtpUTF8) }
        if transaction.parameters.body == .eightBitMIME || transaction.parameters.body == .binaryMIME { flags.insert(.eightBitMIME) }
        if Self.isLoopback(facts.clientAddress) { flags.insert(.fromLocal) }
        if listener.suppressesReports { flags.insert(.suppressReports) }
        let envelope = Envelope(
            id: id,
            sender: transaction.sender,
            envelopeID: transaction.parameters.envelopeID,
            ret: transaction.parameters.ret,
            size: body.size,
            arrival: now,
            expiry: now.addingTimeInterval(configuration.queue.expire.timeInterval),
            clientAddress: facts.clientAddress,
            heloName: facts.heloName ?? "",
            authUser: facts.authenticatedUser,
            listenerTag: listener.tag,
            flags: flags
        )
        let recipients = transaction.recipients.map { entry in
            Recipient(
                address: entry.address.domain.isEmpty ? MailAddress(localPart: entry.address.localPart, domain: configuration.hostname) : entry.address,
                originalRecipient: entry.parameters.originalRecipient,
                notify: entry.parameters.notify,
                nextAttempt: now
            )
        }
        let journalBody: MessageBody = switch body {
        case .memory(let bytes): .bytes(bytes)
        case .file(let path, let size): .file(path: path, size: size)
        }
        let committed = eventLoop.makePromise(of: Void.self)
        journal.commit([.enqueue(NewMessage(envelope: envelope, recipients: recipients, body: journalBody))]) { committed.completeWith($0) }
        return committed.futureResult.map { [logger, metrics, stored] in
            logger.info("id=\(id) from=\(transaction.sender.wireForm) size=\(body.size) nrcpt=\(recipients.count) proto=\(facts.receivedProtocol) client=\(facts.clientAddress) helo=\(facts.heloName ?? "")")
            metrics.messageAccepted(recipients: recipients.count)
            stored()
            return .success(id.description)
        }.recover { [logger] error in
            logger.error("id=\(id) store failed: \(error)")
            return .failure((error as? JournalError)?.code == .storageFull ? .storageFull : .localError)
        }
    }

    func authenticate(user: String, password: String) async -> String? {
        guard let credentials else { return nil }
        let accepted = await credentials.verify(user: user, password: password)
        logger.info("auth user=\(user) \(accepted ? "accepted" : "rejected")")
        return accepted ? user : nil
    }

    func sessionEvent(_ event: String, facts: SMTPSessionFacts) {
        logger.debug("session client=\(facts.clientAddress) \(event)")
    }

    /// Whether an address is on this machine's loopback (127.0.0.0/8 or ::1).
    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

extension Date {
    /// `date` rounded down to whole milliseconds, the journal's resolution.
    init(journalMilliseconds date: Date) {
        self.init(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
