import Envelope

/// Who an LMTP delivery names in its `RCPT TO` commands, one entry per
/// mailbox, each tied to the queued recipient it delivers for.
///
/// Without tables, a recipient is named by its local part (the store's user),
/// or by its whole address with `rcpt-to`. With `alias`, `virtual` or
/// `userbase`, the recipient is first expanded (``RecipientExpander``): each
/// account becomes a mailbox, other addresses become forwards (a new message,
/// as for local actions), and files or commands are refused, since the store
/// delivers only to its own mailboxes.
struct LMTPRecipients {
    /// One `RCPT TO` and the queued recipient it belongs to.
    struct Mailbox {
        var owner: UInt32
        var recipient: Recipient
        var address: MailAddress
    }

    var mailboxes: [Mailbox] = []
    /// Recipients that failed before the transaction (expansion errors).
    var failed: [UInt32: DeliveryFailure] = [:]
    /// Addresses a recipient forwards to, delivered as a new message.
    var forwards: [UInt32: [MailAddress]] = [:]
    /// Recipients expanded into more than one target.
    var expanded: Set<UInt32> = []

    init(_ batch: DeliveryBatch, action: ActionConfig, usesRecipientAddress: Bool, recipients: LocalRecipients) {
        let envelope = batch.message.envelope
        for (index, recipient) in batch.recipients {
            guard LocalRecipients.checksRecipients(action) else {
                let address = usesRecipientAddress ? recipient.address : MailAddress(localPart: recipient.address.localPart, domain: "")
                mailboxes.append(Mailbox(owner: index, recipient: recipient, address: address))
                continue
            }
            let expansion: RecipientExpansion
            do {
                expansion = try recipients.expander(for: action, of: envelope).expand(recipient.address)
            } catch {
                failed[index] = error.isPermanent ? .permanent(error.status, error.reason) : .temporary(error.status, error.reason)
                continue
            }
            if expansion.targets.count > 1 { expanded.insert(index) }
            for target in expansion.targets {
                switch target {
                case .account(let name):
                    let address = MailAddress(localPart: name, domain: usesRecipientAddress ? recipient.address.domain : "")
                    mailboxes.append(Mailbox(owner: index, recipient: recipient, address: address))
                case .address(let address):
                    forwards[index, default: []].append(address)
                case .file, .command:
                    failed[index] = .permanent(EnhancedStatus(5, 3, 0), "\(target): an LMTP action delivers to mailboxes only; use a local action for files and commands")
                }
            }
        }
    }

    /// The result of one queued recipient from its mailboxes' results: the
    /// worst of them, with forwards and an `expanded` notice carried along.
    func combine(_ owner: UInt32, _ results: [DeliveryResult]) -> DeliveryResult {
        if let failure = failed[owner] { return .failed(owner, failure) }
        var combined: DeliveryResult
        if let permanent = results.first(where: { $0.outcome == .permanent }) {
            combined = permanent
        } else if let temporary = results.first(where: { $0.outcome == .temporary }) {
            combined = temporary
        } else if let first = results.first {
            combined = first
            combined.forwards = forwards[owner] ?? []
            if expanded.contains(owner) {
                combined.successNotice = .expanded
            } else if !combined.forwards.isEmpty {
                combined.successNotice = .passedOn
            }
        } else {
            // Only forwards: the recipient is passed on in a new message.
            combined = .delivered(owner, "forwarded to \((forwards[owner] ?? []).map(\.description).joined(separator: ", "))")
            combined.forwards = forwards[owner] ?? []
            combined.successNotice = expanded.contains(owner) ? .expanded : .passedOn
        }
        combined.index = owner
        return combined
    }
}
