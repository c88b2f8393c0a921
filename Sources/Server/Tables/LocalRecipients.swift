import Envelope
import Foundation

/// The recipients a local action (maildir, mbox, mda, or LMTP to a mail
/// store) knows, from one configuration snapshot: its `alias` or `virtual`
/// table, its `userbase` (else the system's users; for LMTP, whatever the
/// store accepts) and, with `forward-file`, users' `~/.forward`.
/// Used at RCPT time (unknown users get `550 5.1.1`) and at delivery (the
/// recipient is expanded into targets). The I/O edge of ``RecipientExpander``.
struct LocalRecipients {
    let configuration: Configuration
    let tables: TableSet

    /// Whether `action` has tables that decide which recipients exist; an
    /// action without them delivers any local part to the user of that name.
    static func checksRecipients(_ action: ActionConfig) -> Bool {
        switch action.method {
        case .maildir, .mbox, .mda, .lmtp: action.aliasTable != nil || action.virtualTable != nil || action.userbaseTable != nil
        case .relay: false
        }
    }

    /// The account `name` for `action`: from its userbase, else the system.
    /// `root` (where `postmaster` and `mailer-daemon` lead) falls back to the
    /// system's root when the userbase does not list it.
    func account(_ name: String, for action: ActionConfig) -> Result<LocalAccount?, TableError> {
        guard let userbase = action.userbaseTable else {
            // An LMTP store knows its own users and answers for each at RCPT.
            if case .lmtp = action.method { return .success(LocalAccount(name: name, home: "/nonexistent", uid: 0, gid: 0)) }
            return .success(LocalAccount.system(name))
        }
        return tables.lookup(table: userbase, key: name, service: .userinfo).map { value in
            value.flatMap { LocalAccount(name: name, userinfo: $0) } ?? (name == "root" ? LocalAccount.system(name) : nil)
        }
    }

    /// The expander for recipients of `action`, where `facts` gives the
    /// routing facts of the session or message with another recipient (to
    /// tell whether an address in an entry comes back to this action).
    func expander(for action: ActionConfig, facts: @escaping (MailAddress) -> RoutingFacts) -> RecipientExpander {
        let mode: RecipientExpander.Mode
        let table: String?
        let service: TableService
        if let alias = action.aliasTable {
            (mode, table, service) = (.alias, alias, .alias)
        } else if let virtual = action.virtualTable {
            (mode, table, service) = (.virtual, virtual, .virtual)
        } else {
            (mode, table, service) = (.none, nil, .alias)
        }
        let tables = self.tables
        let configuration = self.configuration
        var expander = RecipientExpander(
            mode: mode,
            lookup: { key in table.map { tables.lookup(table: $0, key: key, service: service) } ?? .success(nil) },
            accountExists: { name in account(name, for: action).map { $0 != nil } },
            routesHere: { address in configuration.route(for: facts(address), tables: tables) == .action(action.name) },
            readInclude: { path in
                FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
            }
        )
        if action.usesForwardFile {
            expander.forwardFile = { name in
                guard case .success(let account?) = account(name, for: action) else { return nil }
                return Self.forwardFile(of: account)
            }
        }
        return expander
    }

    /// The expander for a queued recipient of `action`, routing other
    /// addresses as the message's own recipients would be.
    func expander(for action: ActionConfig, of envelope: Envelope) -> RecipientExpander {
        expander(for: action) { other in
            DeliveryRouter.facts(for: MailAddress(localPart: other.localPart, domain: other.domain), of: envelope)
        }
    }

    /// The contents of `~/.forward`, if the file belongs to the user (or
    /// root) and nobody else can write to it, as sendmail requires.
    static func forwardFile(of account: LocalAccount) -> String? {
        let path = account.home + "/.forward"
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
              info.st_uid == account.uid || info.st_uid == 0, info.st_mode & 0o022 == 0,
              let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
