import Envelope
import Foundation

/// Delivers batches whose action is maildir, mbox or mda, one recipient at a
/// time, off the event loops.
///
/// An action with `alias`, `virtual`, `userbase` or `forward-file` first
/// expands each recipient (``RecipientExpander``, with the tables in force
/// now) into targets: each local user gets a copy by the action's method,
/// files and commands get theirs, and other addresses are returned as
/// ``DeliveryResult/forwards`` for a new message. The recipient's outcome is
/// the worst of its targets' (a temporary failure retries every target, so a
/// retried expansion may give a target a second copy: at-least-once); an
/// expansion that fails (a loop, an unknown user) fails the recipient with
/// the reason in its DSN.
struct LocalDeliveryAgent: Sendable {
    let store: ConfigurationStore
    /// How long an MDA may run.
    var mdaTimeout: TimeInterval = 300

    init(store: ConfigurationStore) {
        self.store = store
    }

    func deliver(_ batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [DeliveryResult] {
        let snapshot = store.current
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let recipients = LocalRecipients(configuration: snapshot.configuration, tables: snapshot.tables)
                continuation.resume(returning: batch.recipients.map { index, recipient in
                    deliverOne(index, recipient, batch.message.envelope, action, body, recipients)
                })
            }
        }
    }

    private func deliverOne(
        _ index: UInt32, _ recipient: Recipient, _ envelope: Envelope, _ action: ActionConfig, _ body: [UInt8], _ recipients: LocalRecipients
    ) -> DeliveryResult {
        let user = LocalUser(recipient.address)
        // Without tables, any local part is delivered as before; `forward-file` applies to system users.
        guard LocalRecipients.checksRecipients(action) || (action.usesForwardFile && LocalAccount.system(user.name) != nil) else {
            let account = LocalAccount(name: user.name, home: user.home, uid: 0, gid: 0)
            do throws(DeliveryFailure) {
                return .delivered(index, try deliverToAccount(account, extension: user.extension, recipient, envelope, action, body))
            } catch {
                return .failed(index, error)
            }
        }
        if Self.alreadyDelivered(to: recipient.address, body: body) {
            return .failed(index, .permanent(.routingLoop, "mail forwarding loop for \(recipient.address): it already went through this address"))
        }
        let expander = recipients.expander(for: action, of: envelope)
        let expansion: RecipientExpansion
        do {
            expansion = try expander.expand(recipient.address)
        } catch {
            return .failed(index, error.isPermanent ? .permanent(error.status, error.reason) : .temporary(error.status, error.reason))
        }
        var delivered: [String] = []
        var forwards: [MailAddress] = []
        var failure: DeliveryFailure?
        for target in expansion.targets {
            do throws(DeliveryFailure) {
                switch target {
                case .account(let name):
                    let account: LocalAccount
                    switch recipients.account(name, for: action) {
                    case .success(let found?): account = found
                    case .success(nil): account = LocalAccount(name: name, home: "/var/empty", uid: 0, gid: 0)
                    case .failure(let error): throw DeliveryFailure.temporary(.temporarySystemFailure, "\(error)")
                    }
                    _ = try deliverToAccount(account, extension: nil, recipient, envelope, action, body)
                case .address(let address):
                    forwards.append(address)
                case .file(let path):
                    try LocalDelivery.mbox(at: path, message: traced(recipient, envelope, body), sender: envelope.sender, date: Date())
                case .command(let command):
                    let environment = Self.environment(recipient, envelope, user: recipient.address.localPart, home: "/", extension: nil)
                    try LocalDelivery.mda(command: command, message: traced(recipient, envelope, body), environment: environment, timeout: mdaTimeout)
                }
                if case .address = target {} else { delivered.append(target.description) }
            } catch {
                let named = DeliveryFailure(isPermanent: error.isPermanent, status: error.status, reason: "\(target): \(error.reason)")
                if failure == nil || (failure?.isPermanent == true && !error.isPermanent) { failure = named }
            }
        }
        if let failure { return .failed(index, failure) }
        var parts: [String] = []
        if !delivered.isEmpty { parts.append("delivered to \(delivered.joined(separator: ", "))") }
        if !forwards.isEmpty { parts.append("forwarded to \(forwards.map(\.description).joined(separator: ", "))") }
        if !expansion.unknown.isEmpty { parts.append("unknown, left out: \(expansion.unknown.joined(separator: ", "))") }
        var result = DeliveryResult.delivered(index, (expansion.applied ? "expanded; " : "") + parts.joined(separator: "; "))
        result.forwards = forwards
        if expansion.targets.count > 1 {
            result.successNotice = .expanded
        } else if !forwards.isEmpty {
            result.successNotice = .passedOn
        }
        return result
    }

    /// Delivers one copy to a local user by the action's method; returns what it did.
    private func deliverToAccount(
        _ account: LocalAccount, extension: String?, _ recipient: Recipient, _ envelope: Envelope, _ action: ActionConfig, _ body: [UInt8]
    ) throws(DeliveryFailure) -> String {
        let template = PathTemplate(sender: envelope.sender, recipient: recipient.address, username: account.name, homeDirectory: account.home)
        let message = traced(recipient, envelope, body)
        // Running as root, a user's mail belongs to the user (root's own stays root's).
        let owner = geteuid() == 0 && account.uid != 0 ? (uid: account.uid, gid: account.gid) : nil
        switch action.method {
        case .maildir(let pathTemplate):
            let path = template.expand(pathTemplate.isEmpty ? "%{user.directory}/Maildir" : pathTemplate)
            try LocalDelivery.maildir(at: path, message: LocalDelivery.withUnixLineEndings(message), owner: owner)
            return "delivered to maildir"
        case .mbox(let pathTemplate):
            let path = template.expand(pathTemplate.isEmpty ? "/var/mail/%{user.username}" : pathTemplate)
            try LocalDelivery.mbox(at: path, message: body, sender: envelope.sender, date: Date(), owner: owner)
            return "delivered to mbox"
        case .mda(let command):
            let environment = Self.environment(recipient, envelope, user: account.name, home: account.home, extension: `extension`)
            try LocalDelivery.mda(command: template.expand(command, forPath: false), message: message, environment: environment, timeout: mdaTimeout)
            return "delivered to command"
        case .lmtp, .relay:
            throw .temporary(EnhancedStatus(4, 3, 5), "action \(action.name) is not a local delivery")
        }
    }

    private func traced(_ recipient: Recipient, _ envelope: Envelope, _ body: [UInt8]) -> [UInt8] {
        Array("Return-Path: \(envelope.sender.wireForm)\r\nDelivered-To: \(recipient.address)\r\n".utf8) + body
    }

    private static func environment(_ recipient: Recipient, _ envelope: Envelope, user: String, home: String, extension: String?) -> [String: String] {
        [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": home, "USER": user, "LOGNAME": user,
            "SENDER": envelope.sender.address?.description ?? "",
            "RECIPIENT": recipient.address.description,
            "DOMAIN": recipient.address.domain,
            "LOCAL": recipient.address.localPart,
            "EXTENSION": `extension` ?? "",
        ]
    }

    /// Whether the message's header already has `Delivered-To: address`: it
    /// was forwarded from this recipient before and has come back (a loop
    /// through other messages or hosts).
    static func alreadyDelivered(to address: MailAddress, body: [UInt8]) -> Bool {
        let wanted = "delivered-to: \(address.description.lowercased())"
        for line in LocalDelivery.unixLines(body) {
            if line.isEmpty { return false }
            if String(decoding: line, as: UTF8.self).lowercased().trimmingCharacters(in: .whitespaces) == wanted { return true }
        }
        return false
    }
}

/// The local user a recipient maps to: the local part without `+extension`,
/// lower-cased, and its home directory from the system's user database.
struct LocalUser {
    let name: String
    let home: String
    let `extension`: String?

    init(_ address: MailAddress) {
        let parts = address.localPart.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        name = String(parts[0]).lowercased()
        `extension` = parts.count == 2 ? String(parts[1]) : nil
        home = LocalAccount.system(name)?.home ?? "/var/empty"
    }
}
