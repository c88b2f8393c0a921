import Envelope
import Testing

@testable import Server

@Suite("RecipientExpander")
struct RecipientExpanderTests {
    static let users: Set<String> = ["alice", "bob", "carol", "root"]

    /// An expander over an in-memory table; addresses in `local.test` come back to the same action.
    static func expander(_ mode: RecipientExpander.Mode, _ table: [String: String], forwards: [String: String] = [:], includes: [String: String] = [:]) -> RecipientExpander {
        RecipientExpander(
            mode: mode,
            lookup: { .success(table[$0]) },
            accountExists: { .success(users.contains($0)) },
            routesHere: { $0.normalizedDomain == "local.test" },
            readInclude: { includes[$0] },
            forwardFile: { forwards[$0] }
        )
    }

    static func address(_ text: String) -> MailAddress {
        try! MailAddress.parse(Substring(text), allowUTF8: true)
    }

    static func expand(_ expander: RecipientExpander, _ address: String) throws(ExpansionError) -> [String] {
        try expander.expand(Self.address(address)).targets.map(\.description)
    }

    @Test("an alias list fans out to users, addresses, files and commands, each once")
    func fanOut() throws {
        let expander = Self.expander(.alias, [
            "staff": "alice, bob, team, carol@example.org, /var/mail/archive, \"|/usr/bin/logger -t mail\"",
            "team": "bob, carol",
        ])
        let expansion = try expander.expand(Self.address("staff@local.test"))
        #expect(expansion.targets.map(\.description) == ["alice", "bob", "carol", "carol@example.org", "/var/mail/archive", "|/usr/bin/logger -t mail"])
        #expect(expansion.applied)
    }

    @Test("a user without an alias is delivered to itself; an unknown name fails 5.1.1")
    func plainUser() throws {
        let expander = Self.expander(.alias, ["staff": "alice"])
        let expansion = try expander.expand(Self.address("Bob+news@local.test"))
        #expect(expansion.targets == [.account("bob")])
        #expect(!expansion.applied)
        #expect(throws: ExpansionError(.unknownUser, "unknown user: ghost")) { try Self.expand(expander, "ghost@local.test") }
    }

    @Test("tagged keys first, then without the tag")
    func tags() throws {
        let expander = Self.expander(.alias, ["bob+list": "carol", "bob": "alice"])
        #expect(try Self.expand(expander, "bob+list@local.test") == ["carol"])
        #expect(try Self.expand(expander, "bob+other@local.test") == ["alice"])
    }

    @Test("an alias naming itself means the user; backslash names are never expanded")
    func selfReference() throws {
        let expander = Self.expander(.alias, ["bob": "bob, carol", "alice": "\\alice, bob"])
        #expect(try Self.expand(expander, "bob@local.test") == ["bob", "carol"])
        #expect(try Self.expand(expander, "alice@local.test") == ["alice", "bob", "carol"])
    }

    @Test("a loop fails 5.4.6 and names the chain")
    func loop() {
        let expander = Self.expander(.alias, ["staff": "team", "team": "ops, alice", "ops": "staff"])
        #expect(throws: ExpansionError(.loop, "alias loop: staff -> team -> ops -> staff")) { try Self.expand(expander, "staff@local.test") }
        #expect(ExpansionError(.loop, "").status == .routingLoop)
        #expect(ExpansionError(.loop, "").isPermanent)
    }

    @Test("a loop through an address of the same action is found too")
    func loopThroughAddress() {
        let expander = Self.expander(.alias, ["a": "b@local.test", "b": "a@local.test"])
        #expect(throws: ExpansionError(.loop, "alias loop: a -> b -> a")) { try Self.expand(expander, "a@local.test") }
    }

    @Test("nesting deeper than the limit fails")
    func tooDeep() {
        var table: [String: String] = [:]
        for level in 0..<20 { table["l\(level)"] = "l\(level + 1)" }
        let expander = Self.expander(.alias, table)
        #expect(throws: ExpansionError.self) { try Self.expand(expander, "l0@local.test") }
        do {
            _ = try Self.expand(expander, "l0@local.test")
        } catch {
            #expect(error.code == .tooDeep)
        }
    }

    @Test("unknown names in a list are left out while others remain")
    func unknownInList() throws {
        let expansion = try Self.expander(.alias, ["staff": "alice, nobody2"]).expand(Self.address("staff@local.test"))
        #expect(expansion.targets == [.account("alice")])
        #expect(expansion.unknown == ["nobody2"])
        #expect(throws: ExpansionError(.unknownUser, "unknown user: x, y")) {
            try Self.expand(Self.expander(.alias, ["staff": "x, y"]), "staff@local.test")
        }
    }

    @Test("postmaster and mailer-daemon always resolve, to root or root's alias")
    func postmaster() throws {
        #expect(try Self.expand(Self.expander(.alias, [:]), "postmaster@local.test") == ["root"])
        #expect(try Self.expand(Self.expander(.alias, ["root": "alice"]), "MAILER-DAEMON@local.test") == ["alice"])
        #expect(try Self.expander(.alias, [:]).check(Self.address("postmaster@local.test")))
        #expect(try Self.expand(Self.expander(.virtual, [:]), "postmaster@v.test") == ["root"])
    }

    @Test("virtual: exact, untagged, user, then @domain catch-all")
    func virtualPrecedence() throws {
        let expander = Self.expander(.virtual, [
            "bob+x@v.test": "carol",
            "bob@v.test": "bob",
            "alice": "alice",
            "@v.test": "root",
        ])
        #expect(try Self.expand(expander, "bob+x@v.test") == ["carol"])
        #expect(try Self.expand(expander, "bob+y@v.test") == ["bob"])
        #expect(try Self.expand(expander, "alice@v.test") == ["alice"])
        #expect(try Self.expand(expander, "anyone@v.test") == ["root"])
        #expect(throws: ExpansionError(.unknownUser, "unknown user: anyone@w.test")) { try Self.expand(expander, "anyone@w.test") }
    }

    @Test("virtual: addresses of the same action are looked up again, others forwarded")
    func virtualRecursion() throws {
        let expander = Self.expander(.virtual, [
            "info@local.test": "sales@local.test, boss@example.org",
            "sales@local.test": "alice, bob",
        ])
        #expect(try Self.expand(expander, "info@local.test") == ["alice", "bob", "boss@example.org"])
        let loop = Self.expander(.virtual, ["@local.test": "bob@local.test"])
        #expect(throws: ExpansionError(.loop, "virtual loop: bob@local.test -> bob@local.test")) { try Self.expand(loop, "x@local.test") }
    }

    @Test("RCPT check: entries, users and postmaster are known, without following entries")
    func check() throws {
        let alias = Self.expander(.alias, ["staff": "staff2", "staff2": "staff"])
        #expect(try alias.check(Self.address("staff@local.test")))
        #expect(try alias.check(Self.address("alice+tag@local.test")))
        #expect(try !alias.check(Self.address("ghost@local.test")))
        let virtual = Self.expander(.virtual, ["bob@v.test": "bob"])
        #expect(try virtual.check(Self.address("bob@v.test")))
        #expect(try !virtual.check(Self.address("alice@v.test")), "virtual domains do not fall back to system users")
        #expect(try !Self.expander(.none, [:]).check(Self.address("ghost@local.test")))
    }

    @Test("a table that cannot answer is a temporary error")
    func unavailable() {
        let expander = RecipientExpander(
            mode: .alias, lookup: { _ in .failure(TableError(.database, table: "t", "locked")) },
            accountExists: { _ in .success(true) }, routesHere: { _ in false }
        )
        #expect(throws: ExpansionError(.unavailable, "table t: locked")) { try expander.check(Self.address("a@b.test")) }
        #expect(!ExpansionError(.unavailable, "").isPermanent)
    }

    @Test(":include: files add targets; an unreadable one is temporary")
    func include() throws {
        let expander = Self.expander(.alias, ["list": ":include:/etc/list, alice"], includes: ["/etc/list": "# members\nbob\ncarol@example.org, carol\n"])
        #expect(try Self.expand(expander, "list@local.test") == ["bob", "carol@example.org", "carol", "alice"])
        let missing = Self.expander(.alias, ["list": ":include:/missing"])
        #expect(throws: ExpansionError(.unavailable, "cannot read include file /missing")) { try Self.expand(missing, "list@local.test") }
    }

    @Test(".forward replaces the user's mailbox; the user's own name keeps a copy")
    func forwardFile() throws {
        let expander = Self.expander(.none, [:], forwards: ["bob": "bob@example.org", "alice": "\\alice, carol"])
        #expect(try Self.expand(expander, "bob@local.test") == ["bob@example.org"])
        #expect(try Self.expand(expander, "alice@local.test") == ["alice", "carol"])
        #expect(try Self.expand(expander, "carol@local.test") == ["carol"])
    }
}
