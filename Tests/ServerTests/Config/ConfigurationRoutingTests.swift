import Testing

@testable import Server

@Suite("Configuration routing")
struct ConfigurationRoutingTests {
    static let rules = """
        hostname mx.example.com
        table trusted { 192.0.2.0/24, 2001:db8::/32 }
        table secrets { alice = x, bob = y }
        table domains { example.org, Example.NET }
        table senders { boss@corp.example, @vip.example }
        table rcpts { postmaster@example.com, @catchall.example }
        table localnames { mail.example.com }
        pki p cert c key k
        listen on ::1 port 2525
        listen on 0.0.0.0 port 587 tls-require pki p auth <secrets> tag SUBMIT
        action "local" maildir
        action "store" lmtp "127.0.0.1:24"
        action "outbound" relay
        action "vip" relay host smtp://relay.example
        action "special" mbox

        match ! from local for domain "blocked.example" reject
        match from mail-from <senders> for rcpt <rcpts> action "special"
        match from mail-from "<>" for domain "bounces.example" action "special"
        match from any for domain <domains> action "store"
        match from any for local action "local"
        match tag SUBMIT from auth for any action "outbound"
        match from auth <secrets> for domain "partner.example" action "vip"
        match from src <trusted> for any action "outbound"
        match from src "198.51.100.7" for domain "partner.example" action "vip"
        match from local for any action "outbound"
        """

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let facts: RoutingFacts
        let decision: RouteDecision
        var testDescription: String { name }

        init(
            _ name: String,
            client: String = "203.0.113.5",
            local: Bool = false,
            user: String? = nil,
            tag: String? = nil,
            sender: String = "someone@sender.example",
            to recipient: String,
            _ decision: RouteDecision
        ) {
            let parts = recipient.split(separator: "@", maxSplits: 1).map(String.init)
            self.name = name
            self.facts = RoutingFacts(
                clientIsLocal: local, clientAddress: client, authenticatedUser: user, listenerTag: tag,
                sender: sender, recipientLocalPart: parts.first ?? "", recipientDomain: parts.count > 1 ? parts[1] : ""
            )
            self.decision = decision
        }
    }

    static let cases: [Case] = [
        Case("a negated criterion rejects remote clients", to: "u@blocked.example", .reject),
        Case("a negated criterion lets loopback clients through", client: "127.0.0.1", to: "u@blocked.example", .action("outbound")),
        Case("the local enqueuer counts as local", client: "", local: true, to: "u@blocked.example", .action("outbound")),
        Case("IPv6 loopback counts as local", client: "::1", to: "u@far.example", .action("outbound")),
        Case("first match wins over a later rule that also matches", client: "198.51.100.7", to: "u@blocked.example", .reject),
        Case("sender and recipient tables match whole addresses", sender: "boss@corp.example", to: "postmaster@example.com", .action("special")),
        Case("address tables match @domain entries, ignoring case", sender: "x@VIP.example", to: "Anyone@CatchAll.example", .action("special")),
        Case("a sender outside the table falls through", to: "postmaster@example.com", .noMatch),
        Case("the null sender matches \"<>\"", sender: "", to: "x@bounces.example", .action("special")),
        Case("a real sender does not match \"<>\"", to: "x@bounces.example", .noMatch),
        Case("domain tables match", to: "u@example.org", .action("store")),
        Case("domain tables ignore case and a trailing dot", to: "u@EXAMPLE.net.", .action("store")),
        Case("for local matches localhost", to: "u@localhost", .action("local")),
        Case("for local matches localhost.localdomain", to: "u@localhost.localdomain", .action("local")),
        Case("for local matches the host name", to: "u@MX.example.com", .action("local")),
        Case("for local matches the localnames table", to: "u@mail.example.com", .action("local")),
        Case("tag and auth together relay", user: "alice", tag: "SUBMIT", to: "u@far.example", .action("outbound")),
        Case("a tag without auth does not", tag: "SUBMIT", to: "u@far.example", .noMatch),
        Case("an auth table admits its users", user: "bob", to: "u@partner.example", .action("vip")),
        Case("an auth table refuses other users", user: "mallory", to: "u@partner.example", .noMatch),
        Case("auth without the tag does not reach the tag rule", user: "alice", to: "u@far.example", .noMatch),
        Case("an IPv4 netmask in a table matches", client: "192.0.2.44", to: "u@far.example", .action("outbound")),
        Case("an IPv6 netmask in a table matches", client: "2001:db8:1::5", to: "u@far.example", .action("outbound")),
        Case("an IPv4-mapped address matches an IPv4 netmask", client: "::ffff:192.0.2.44", to: "u@far.example", .action("outbound")),
        Case("an address outside the netmasks does not match", client: "2001:db9::1", to: "u@far.example", .noMatch),
        Case("a trusted client still hits earlier rules first", client: "192.0.2.44", to: "u@example.org", .action("store")),
        Case("a literal src address matches", client: "198.51.100.7", to: "u@partner.example", .action("vip")),
        Case("a literal src address matches only itself", client: "198.51.100.8", to: "u@partner.example", .noMatch),
        Case("an unparsable client address matches no netmask", client: "not-an-ip", to: "u@far.example", .noMatch),
        Case("no rule matching is noMatch", to: "u@far.example", .noMatch),
    ]

    @Test("evaluates rules in order, first match wins", arguments: cases)
    func route(_ routeCase: Case) throws {
        let config = try Configuration.parse(text: Self.rules, hostname: ConfigFixtures.hostname)
        #expect(config.route(for: routeCase.facts) == routeCase.decision)
    }

    /// A stand-in for a file or database backend.
    struct StubTables: TableLookup {
        let entries: [String: Set<String>]

        func contains(table: String, key: String) -> Bool {
            entries[table]?.contains(key) ?? false
        }

        func containsNetwork(table: String, address: String) -> Bool {
            table == "nets" && address == "203.0.113.5"
        }

        func value(table: String, key: String) -> String? { nil }
    }

    @Test("asks the table lookup it is given for backend tables")
    func backendTables() throws {
        let text = """
            table remote file:/etc/tern/domains
            table nets file:/etc/tern/nets
            table localnames sqlite:/etc/tern/localnames.db
            action "store" lmtp "/run/lmtp"
            action "out" relay
            match from any for domain <remote> action "store"
            match from any for local action "store"
            match from src <nets> for any action "out"
            """
        let config = try Configuration.parse(text: text, hostname: ConfigFixtures.hostname)
        let tables = StubTables(entries: ["remote": ["remote.example"], "localnames": ["alias.example"]])
        let facts = { (client: String, domain: String) in
            RoutingFacts(clientAddress: client, sender: "a@b.example", recipientLocalPart: "u", recipientDomain: domain)
        }
        #expect(config.route(for: facts("192.0.2.1", "REMOTE.example"), tables: tables) == .action("store"))
        #expect(config.route(for: facts("192.0.2.1", "alias.example"), tables: tables) == .action("store"))
        #expect(config.route(for: facts("203.0.113.5", "far.example"), tables: tables) == .action("out"))
        #expect(config.route(for: facts("192.0.2.1", "far.example"), tables: tables) == .noMatch)
        #expect(config.route(for: facts("192.0.2.1", "remote.example")) == .noMatch)
    }

    @Test("looks up inline tables without regard to case")
    func inMemoryLookup() {
        let lookup = InMemoryTableLookup(tables: [
            "list": .list(["Example.COM", "192.0.2.0/24"]),
            "map": .map(["Alice": "alice@example.net"]),
            "file": .file(path: "/x"),
        ])
        #expect(lookup.contains(table: "list", key: "example.com"))
        #expect(lookup.contains(table: "map", key: "ALICE"))
        #expect(!lookup.contains(table: "map", key: "alice@example.net"))
        #expect(!lookup.contains(table: "file", key: "x"))
        #expect(!lookup.contains(table: "missing", key: "x"))
        #expect(lookup.value(table: "map", key: "alice") == "alice@example.net")
        #expect(lookup.value(table: "list", key: "example.com") == nil)
        #expect(lookup.containsNetwork(table: "list", address: "192.0.2.9"))
        #expect(!lookup.containsNetwork(table: "list", address: "192.0.3.9"))
        #expect(!lookup.containsNetwork(table: "map", address: "192.0.2.9"))
    }
}
