import Envelope
import Testing

@testable import Server

/// The RCPT-time check of local users (IngressDelegate.checkLocalUser),
/// without a session: 550 5.1.1 for unknown users of actions with tables.
@Suite("RCPT-time recipient check")
struct RecipientCheckTests {
    static let snapshot = try! ConfigurationStore.load(Configuration.parse(text: """
        table aliases { staff = "alice, bob" }
        table users { alice = "1000:1000:/home/alice", bob = "1001:1001:/home/bob" }
        table vusers { "@v.test" = alice }
        action "local" maildir alias <aliases> userbase <users>
        action "virtual" maildir virtual <vusers> userbase <users>
        action "plain" maildir
        action "out" relay
        match from any for domain "a.test" action "local"
        match from any for domain "v.test" action "virtual"
        match from any for domain "p.test" action "plain"
        match from local for any action "out"
        """, hostname: "mx.test"))

    static func reply(_ local: String, _ domain: String, action: String) -> SMTPReply? {
        let facts = RoutingFacts(clientAddress: "192.0.2.1", sender: "x@example.org", recipientLocalPart: local, recipientDomain: domain)
        return IngressDelegate.checkLocalUser(MailAddress(localPart: local, domain: domain), facts: facts, action: action, in: snapshot)
    }

    @Test("aliases, userbase users and postmaster pass; others get 550 5.1.1")
    func aliasAction() {
        #expect(Self.reply("staff", "a.test", action: "local") == nil)
        #expect(Self.reply("Alice+x", "a.test", action: "local") == nil)
        #expect(Self.reply("postmaster", "a.test", action: "local") == nil)
        #expect(Self.reply("ghost", "a.test", action: "local") == SMTPReply(code: 550, status: .mailboxUnknown, "User unknown"))
    }

    @Test("a virtual catch-all accepts everyone in its domain")
    func virtualAction() {
        #expect(Self.reply("anyone", "v.test", action: "virtual") == nil)
    }

    @Test("actions without tables, and remote actions, accept any local part")
    func noTables() {
        #expect(Self.reply("ghost", "p.test", action: "plain") == nil)
        #expect(Self.reply("ghost", "example.net", action: "out") == nil)
    }
}
