import Envelope

/// Where an alias, virtual or `.forward` expansion sends a copy of the message.
enum ExpansionTarget: Hashable, Sendable, CustomStringConvertible {
    /// A local user (system or userbase), delivered by the action's method
    /// (maildir, mbox, MDA) with `%{user.username}` set to this name.
    case account(String)
    /// Another address, not delivered by this action: a new message in the journal.
    case address(MailAddress)
    /// `/path`: appended to this file in mbox format.
    case file(String)
    /// `|command`: the message on the standard input of `/bin/sh -c command`.
    case command(String)

    /// `alice`, `bob@example.org`, `/var/log/mail.copy`, `|/usr/bin/vacation`.
    var description: String {
        switch self {
        case .account(let name): name
        case .address(let address): address.description
        case .file(let path): path
        case .command(let command): "|" + command
        }
    }
}
