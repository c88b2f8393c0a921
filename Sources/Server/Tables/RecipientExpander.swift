import Envelope
import Foundation

/// Expands a recipient of a local action through its `alias` or `virtual`
/// table, users' `.forward` files and `:include:` files into targets. Pure:
/// every lookup and file read is a closure, so the rules are tested without
/// tables or files (the daemon's closures are in ``LocalRecipients``).
///
/// **Aliases** (`alias <t>`): the key is the local part, lower-cased, first
/// whole (`bob+news`), then without its `+tag` (`bob`). Each target of the
/// value is, as in aliases(5):
/// - a name: an alias again, else a local user (system or `userbase`);
///   an alias that names itself (`bob: bob, archive`) means the user `bob`,
///   and `\bob` is always the user `bob`;
/// - an address: expanded here again when the same action delivers it
///   (its local part through the alias table), else a new message to it;
/// - `/path` (a file, appended in mbox format), `|command` (the message on
///   its standard input), `:include:/path` (a file of more targets).
///
/// A recipient that is no alias and no user is unknown; `postmaster` and
/// `mailer-daemon` without an alias mean `root`, which is always accepted.
///
/// **Virtual users** (`virtual <t>`), with OpenSMTPD's precedence, the first
/// key found wins: `user+tag@domain`, `user@domain`, `user+tag`, `user`, then
/// the catch-all `@domain`. Names in a value are local users (not looked up
/// again); addresses the same action delivers are looked up again (so
/// `@example.org: bob@example.org` with a `bob@example.org` entry works, and
/// without one is a loop); other targets as for aliases. An address with no
/// entry is unknown, except `postmaster@domain`, which means `root`.
///
/// **Loops**: an entry reached again through its own expansion fails the
/// recipient (5.4.6) naming the chain, `alias loop: staff -> team -> staff`;
/// so does nesting deeper than ``maxDepth``. Targets reached twice by
/// different paths get one copy. Names in a list that are unknown are left
/// out and reported in ``RecipientExpansion/unknown``; when nothing is left
/// the recipient is unknown (5.1.1).
///
/// **`.forward`** (`forward-file` on the action): a local user with a
/// non-empty `~/.forward` gets its targets instead, with the user's own name
/// (or `\name`) in it meaning the mailbox itself.
struct RecipientExpander {
    /// Which table the action expands with.
    enum Mode: Hashable, Sendable {
        case alias
        case virtual
        /// Neither: the recipient's local part is the user (with `userbase` or `forward-file`).
        case none
    }

    /// The deepest nesting of entries followed (OpenSMTPD's limit too).
    static let maxDepth = 10
    /// Names that resolve even without an entry, as `root`.
    static let alwaysResolvable: Set<String> = ["postmaster", "mailer-daemon"]

    var mode: Mode
    /// The value of a key in the alias or virtual table; a failure when the table cannot answer now.
    var lookup: (String) -> Result<String?, TableError>
    /// Whether a local user exists (in the userbase, or the system's user database).
    var accountExists: (String) -> Result<Bool, TableError>
    /// Whether the rules send `address` to this same action (so it is expanded here, not forwarded).
    var routesHere: (MailAddress) -> Bool
    /// The text of an `:include:` file, or nil when it cannot be read.
    var readInclude: (String) -> String? = { _ in nil }
    /// The targets text of a user's `.forward` file, or nil when there is none (or the action ignores them).
    var forwardFile: (String) -> String? = { _ in nil }

    /// Whether `address` is known at RCPT time: it has an entry, or is a
    /// local user, or is always resolvable. Entries are not followed, so a
    /// loop is found (and reported in a DSN) at delivery. Throws
    /// (`unavailable`) when a table cannot answer now.
    func check(_ address: MailAddress) throws(ExpansionError) -> Bool {
        let user = Self.untagged(address.localPart).lowercased()
        switch mode {
        case .alias:
            if try aliasValue(address.localPart) != nil { return true }
        case .virtual:
            return try virtualValue(address) != nil || user == "postmaster"
        case .none:
            break
        }
        if Self.alwaysResolvable.contains(user) { return true }
        switch accountExists(user) {
        case .success(let exists): return exists
        case .failure(let error): throw ExpansionError(.unavailable, "\(error)")
        }
    }

    /// The targets of `address`.
    func expand(_ address: MailAddress) throws(ExpansionError) -> RecipientExpansion {
        var walk = Walk(expander: self)
        switch mode {
        case .alias, .none:
            try walk.name(address.localPart, path: [], depth: 0)
        case .virtual:
            try walk.virtual(address, path: [], depth: 0)
        }
        guard !walk.targets.isEmpty else {
            let names = walk.unknown.isEmpty ? [address.description] : walk.unknown
            throw ExpansionError(.unknownUser, "unknown user: \(names.joined(separator: ", "))")
        }
        return RecipientExpansion(targets: walk.targets, applied: walk.applied, unknown: walk.unknown)
    }

    /// `bob` from `bob+news`.
    static func untagged(_ localPart: String) -> String {
        localPart.firstIndex(of: "+").map { String(localPart[..<$0]) } ?? localPart
    }

    fileprivate func aliasValue(_ localPart: String) throws(ExpansionError) -> String? {
        var keys = [localPart.lowercased()]
        let user = Self.untagged(localPart).lowercased()
        if user != keys[0] { keys.append(user) }
        return try firstValue(keys)
    }

    fileprivate func virtualValue(_ address: MailAddress) throws(ExpansionError) -> String? {
        let local = address.localPart.lowercased()
        let user = Self.untagged(local)
        let domain = address.normalizedDomain
        var keys = ["\(local)@\(domain)", "\(user)@\(domain)", local, user, "@\(domain)"]
        var seen: Set<String> = []
        keys = keys.filter { seen.insert($0).inserted }
        return try firstValue(keys)
    }

    private func firstValue(_ keys: [String]) throws(ExpansionError) -> String? {
        for key in keys {
            switch lookup(key) {
            case .success(let value?): return value
            case .success(nil): continue
            case .failure(let error): throw ExpansionError(.unavailable, "\(error)")
            }
        }
        return nil
    }
}

/// One expansion in progress: a depth-first walk that remembers the chain of
/// entries it is inside (for loops) and the targets found so far.
private struct Walk {
    let expander: RecipientExpander
    var targets: [ExpansionTarget] = []
    var unknown: [String] = []
    var applied = false
    private var emitted: Set<ExpansionTarget> = []

    init(expander: RecipientExpander) {
        self.expander = expander
    }

    mutating func emit(_ target: ExpansionTarget) {
        if emitted.insert(target).inserted { targets.append(target) }
    }

    /// A name (a local part): an alias, else a local user.
    mutating func name(_ localPart: String, path: [String], depth: Int) throws(ExpansionError) {
        let name = localPart.lowercased()
        if let last = path.last, last == name || RecipientExpander.untagged(last) == name {
            // `bob: bob, archive`: the user itself.
            return try account(RecipientExpander.untagged(name), path: path, depth: depth, followForward: false)
        }
        try guardAgainstLoops(name, path: path, depth: depth, kind: "alias")
        if expander.mode == .alias, let value = try expander.aliasValue(name) {
            applied = true
            for item in AliasList.items(value) { try self.item(item, path: path + [name], depth: depth + 1) }
            return
        }
        let user = RecipientExpander.untagged(name)
        if RecipientExpander.alwaysResolvable.contains(user) {
            applied = applied || !path.isEmpty
            return try self.name("root", path: path + [user], depth: depth + 1)
        }
        try account(user, path: path, depth: depth, followForward: true)
    }

    /// A local user, or its `.forward` targets.
    mutating func account(_ user: String, path: [String], depth: Int, followForward: Bool) throws(ExpansionError) {
        let exists: Bool
        switch expander.accountExists(user) {
        case .success(let found): exists = found || user == "root"
        case .failure(let error): throw ExpansionError(.unavailable, "\(error)")
        }
        guard exists else {
            unknown.append(user)
            return
        }
        if followForward, let forward = expander.forwardFile(user) {
            let items = AliasList.items(forward)
            if !items.isEmpty {
                try guardAgainstLoops(user, path: path, depth: depth, kind: ".forward")
                applied = true
                for item in items { try self.item(item, path: path + [user], depth: depth + 1) }
                return
            }
        }
        if !path.isEmpty { applied = true }
        emit(.account(user))
    }

    /// An address through the virtual table.
    mutating func virtual(_ address: MailAddress, path: [String], depth: Int) throws(ExpansionError) {
        let node = address.description.lowercased()
        try guardAgainstLoops(node, path: path, depth: depth, kind: "virtual")
        guard let value = try expander.virtualValue(address) else {
            if RecipientExpander.untagged(address.localPart).lowercased() == "postmaster" {
                return try account("root", path: path + [node], depth: depth + 1, followForward: true)
            }
            unknown.append(address.description)
            return
        }
        applied = true
        for item in AliasList.items(value) { try self.item(item, path: path + [node], depth: depth + 1) }
    }

    /// One target as written in an entry.
    mutating func item(_ item: String, path: [String], depth: Int) throws(ExpansionError) {
        if item.hasPrefix(":include:") {
            let file = String(item.dropFirst(":include:".count)).trimmingCharacters(in: .whitespaces)
            try guardAgainstLoops(item, path: path, depth: depth, kind: "include")
            guard let text = expander.readInclude(file) else {
                throw ExpansionError(.unavailable, "cannot read include file \(file)")
            }
            let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            for sub in AliasList.items(lines.joined(separator: "\n")) { try self.item(sub, path: path + [item], depth: depth + 1) }
        } else if item.hasPrefix("|") {
            emit(.command(String(item.dropFirst()).trimmingCharacters(in: .whitespaces)))
        } else if item.hasPrefix("/") {
            emit(.file(item))
        } else if item.hasPrefix("\\") {
            try account(String(item.dropFirst()).lowercased(), path: path, depth: depth, followForward: false)
        } else if item.contains("@") {
            guard let address = try? MailAddress.parse(Substring(item), allowUTF8: true) else {
                unknown.append(item)
                return
            }
            guard expander.routesHere(address) else { return emit(.address(address)) }
            switch expander.mode {
            case .virtual: try virtual(address, path: path, depth: depth)
            case .alias, .none: try name(address.localPart, path: path, depth: depth)
            }
        } else if expander.mode == .virtual {
            try account(item.lowercased(), path: path, depth: depth, followForward: true)
        } else {
            try name(item, path: path, depth: depth)
        }
    }

    private func guardAgainstLoops(_ node: String, path: [String], depth: Int, kind: String) throws(ExpansionError) {
        if path.contains(node) {
            let start = path.firstIndex(of: node) ?? 0
            throw ExpansionError(.loop, "\(kind) loop: \((path[start...] + [node]).joined(separator: " -> "))")
        }
        guard depth < RecipientExpander.maxDepth else {
            throw ExpansionError(.tooDeep, "\(kind) expansion deeper than \(RecipientExpander.maxDepth) levels: \((path + [node]).joined(separator: " -> "))")
        }
    }
}
